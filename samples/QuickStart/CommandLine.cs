using System.Globalization;
using System.Text;

namespace QuickStart;

/// <summary>Turns <c>--http-port 8001</c> into the option key <c>HttpPort</c> = <c>8001</c> (any MagpieOptions property).</summary>
public static class CommandLine
{
    public static Dictionary<string, string?> ToOverrides(string[] args)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected --option value pairs, got '{args[i]}'");
            overrides[ToProperty(args[i][2..])] = args[++i];
        }
        return overrides;
    }

    private static string ToProperty(string kebab)
    {
        var sb = new StringBuilder();
        foreach (var word in kebab.Split('-', StringSplitOptions.RemoveEmptyEntries))
            sb.Append(char.ToUpper(word[0], CultureInfo.InvariantCulture)).Append(word.AsSpan(1));
        return sb.ToString();
    }
}
