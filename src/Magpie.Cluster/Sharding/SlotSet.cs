using System.Globalization;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Cluster.Sharding;

/// <summary>Slot lists as text, <c>0-5460,5461,6000-6001</c> (<c>-</c> for none), as the cluster state payload spells them.</summary>
public static class SlotSet
{
    public static string Format(IEnumerable<int> sortedSlots)
    {
        var sb = new StringBuilder();
        int start = -1, previous = -2;
        foreach (int slot in sortedSlots)
        {
            if (slot == previous + 1) { previous = slot; continue; }
            Append(sb, start, previous);
            start = previous = slot;
        }
        Append(sb, start, previous);
        return sb.Length == 0 ? "-" : sb.ToString();
    }

    public static bool TryParse(string text, List<int> slots)
    {
        if (text == "-") return true;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = part.IndexOf('-');
            string a = dash < 0 ? part : part[..dash], b = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out int start)
                || !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out int end)
                || start > end || end >= HashSlot.Count) return false;
            for (int s = start; s <= end; s++) slots.Add(s);
        }
        return true;
    }

    private static void Append(StringBuilder sb, int start, int end)
    {
        if (start < 0) return;
        if (sb.Length > 0) sb.Append(',');
        sb.Append(start.ToString(CultureInfo.InvariantCulture));
        if (end > start) sb.Append('-').Append(end.ToString(CultureInfo.InvariantCulture));
    }
}
