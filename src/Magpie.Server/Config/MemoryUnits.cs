namespace Magpie.Server;

/// <summary>Redis's memory units: "1k" = 1000, "1kb" = 1024, "1m", "1mb", "1g", "1gb"; case-insensitive.</summary>
public static class MemoryUnits
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().ToLowerInvariant();
        long multiplier = 1;
        (string Suffix, long Factor)[] units = [("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024L * 1024 * 1024), ("k", 1000), ("m", 1000_000), ("g", 1000_000_000), ("b", 1)];
        foreach (var (suffix, factor) in units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                multiplier = factor;
                s = s[..^suffix.Length];
                break;
            }
        }
        if (!long.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)) return false;
        if (n > long.MaxValue / multiplier) return false;
        bytes = n * multiplier;
        return true;
    }
}
