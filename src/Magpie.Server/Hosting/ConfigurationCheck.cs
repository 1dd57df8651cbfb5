using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Magpie.Server.Hosting;

/// <summary>
/// What a newcomer mistypes: a <c>magpie.json</c> key or a <c>MAGPIE_*</c> variable that names no
/// option (one warning each, with the nearest option), and a malformed <c>magpie.json</c> (the line
/// and column of the first error). The known names are <see cref="MagpieOptions"/>'s properties, so
/// an option added there is known here without another list.
/// </summary>
public static class ConfigurationCheck
{
    private static readonly string[] Known = typeof(MagpieOptions).GetProperties()
        .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
        .Select(p => p.Name)
        .ToArray();

    /// <summary>One warning per top-level key of magpie.json or MAGPIE_* variable that is not an option.</summary>
    public static List<string> UnknownKeys(IConfiguration configuration)
    {
        var warnings = new List<string>();
        if (configuration is not IConfigurationRoot root) return warnings;
        foreach (var provider in root.Providers)
        {
            string? where = provider switch
            {
                JsonConfigurationProvider json => Path.GetFileName(json.Source.Path) ?? "config file",
                EnvironmentVariablesConfigurationProvider => "environment",
                _ => null,
            };
            if (where is null) continue;
            foreach (var key in provider.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (Known.Contains(key, StringComparer.OrdinalIgnoreCase)) continue;
                string name = where == "environment" ? $"variable MAGPIE_{key.Replace(":", "__")}" : $"{where}: key '{key}'";
                string? hint = Nearest(key);
                warnings.Add($"warning: {name} is not a Magpie option and is ignored{(hint is null ? "" : $" (did you mean {(where == "environment" ? "MAGPIE_" + hint.ToUpperInvariant() : $"'{hint}'")}?)")}");
            }
        }
        return warnings;
    }

    /// <summary>The load error of a malformed JSON config file, with its line and column (1-based).</summary>
    public static string DescribeLoadError(InvalidDataException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is JsonException { LineNumber: { } line } json)
            {
                long column = (json.BytePositionInLine ?? 0) + 1;
                string reason = json.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
                return $"{ex.Message.TrimEnd('.')}: line {line + 1}, column {column}: {reason}";
            }
        }
        return ex.Message;
    }

    private static string? Nearest(string key)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in Known)
        {
            int d = Distance(key.ToLowerInvariant(), name.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (name, d);
        }
        return bestDistance <= Math.Max(2, key.Length / 4) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
