using System.Globalization;
using System.Text;

namespace Magpie.Server.Persistence;

/// <summary>
/// Redis 7's multi-part AOF manifest (appendonly.aof.manifest): one base file (an RDB, "type b")
/// and the incremental files of RESP commands written after it ("type i"), in order; "type h"
/// files are history, left for deletion.
/// </summary>
public sealed class AofManifest
{
    public sealed record Item(string Name, long Seq, char Type);

    public Item? Base { get; set; }

    public List<Item> Incr { get; } = [];

    public long NextSeq => Math.Max(Base?.Seq ?? 0, Incr.Count > 0 ? Incr[^1].Seq : 0) + 1;

    public static string BaseName(string prefix, long seq) => $"{prefix}.{seq}.base.rdb";

    public static string IncrName(string prefix, long seq) => $"{prefix}.{seq}.incr.aof";

    public static string ManifestName(string prefix) => $"{prefix}.manifest";

    /// <summary>Parses a manifest; throws <see cref="InvalidDataException"/> naming the line on a bad one.</summary>
    public static AofManifest Parse(string text)
    {
        var m = new AofManifest();
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string? name = null;
            long seq = -1;
            char type = '\0';
            for (int i = 0; i + 1 < parts.Length; i += 2)
            {
                switch (parts[i])
                {
                    case "file": name = parts[i + 1]; break;
                    case "seq": long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out seq); break;
                    case "type": type = parts[i + 1].Length == 1 ? parts[i + 1][0] : '?'; break;
                }
            }
            if (name is null || seq < 1 || type is not ('b' or 'i' or 'h') || name.IndexOfAny(['/', '\\']) >= 0)
                throw new InvalidDataException($"invalid AOF manifest line {lineNo}: '{line}'");
            var item = new Item(name, seq, type);
            if (type == 'b')
            {
                if (m.Base is not null) throw new InvalidDataException($"invalid AOF manifest line {lineNo}: more than one base file");
                m.Base = item;
            }
            else if (type == 'i')
            {
                if (m.Incr.Count > 0 && m.Incr[^1].Seq >= seq) throw new InvalidDataException($"invalid AOF manifest line {lineNo}: incr files out of order");
                m.Incr.Add(item);
            }
        }
        if (m.Base is null && m.Incr.Count == 0) throw new InvalidDataException("invalid AOF manifest: it lists no file");
        return m;
    }

    public string Format()
    {
        var sb = new StringBuilder();
        if (Base is not null) sb.Append(CultureInfo.InvariantCulture, $"file {Base.Name} seq {Base.Seq} type b\n");
        foreach (var i in Incr) sb.Append(CultureInfo.InvariantCulture, $"file {i.Name} seq {i.Seq} type i\n");
        return sb.ToString();
    }
}
