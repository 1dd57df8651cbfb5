using System.Globalization;

namespace Magpie.Server.Persistence;

/// <summary>Redis's "save" option: pairs of "seconds changes"; save when at least that many changes happened in that many seconds.</summary>
public sealed record SavePoints(IReadOnlyList<(int Seconds, int Changes)> Points)
{
    public static readonly SavePoints None = new([]);

    public bool Enabled => Points.Count > 0;

    public static bool TryParse(string? text, out SavePoints points, out string? error)
    {
        points = None;
        error = null;
        var words = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return true;
        if (words.Length % 2 != 0)
        {
            error = "the value must be pairs of seconds and changes, e.g. \"3600 1 300 100\"";
            return false;
        }
        var list = new List<(int, int)>();
        for (int i = 0; i < words.Length; i += 2)
        {
            if (!int.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ||
                !int.TryParse(words[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int c))
            {
                error = $"'{words[i]} {words[i + 1]}' is not a pair of whole numbers";
                return false;
            }
            list.Add((s, c));
        }
        points = new SavePoints(list);
        return true;
    }

    public override string ToString() => string.Join(' ', Points.Select(p => $"{p.Seconds} {p.Changes}"));
}
