using System.Text;

namespace Magpie.Server.Hosting;

/// <summary>Maps option property names to their command-line spelling (MaxMemoryPolicy -> maxmemory-policy).</summary>
public static class OptionNames
{
    private static readonly Dictionary<string, string> Cli = new(StringComparer.OrdinalIgnoreCase)
    {
        ["MaxMemory"] = "maxmemory",
        ["MaxMemoryPolicy"] = "maxmemory-policy",
        ["MaxMemorySamples"] = "maxmemory-samples",
        ["MaxClients"] = "maxclients",
        ["ProtoMaxBulkLen"] = "proto-max-bulk-len",
        ["Hz"] = "hz",
        ["DbFilename"] = "dbfilename",
        ["RdbCompression"] = "rdbcompression",
        ["AppendOnly"] = "appendonly",
        ["AppendFsync"] = "appendfsync",
        ["AppendDirName"] = "appenddirname",
        ["AppendFilename"] = "appendfilename",
        ["RequirePass"] = "requirepass",
        ["AclFile"] = "aclfile",
        ["ReplicaOf"] = "replicaof",
        ["MasterAuth"] = "masterauth",
        ["MasterUser"] = "masteruser",
    };

    public static string ToCli(string property)
    {
        if (Cli.TryGetValue(property, out var name)) return name;
        var sb = new StringBuilder();
        foreach (var ch in property)
        {
            if (char.IsUpper(ch) && sb.Length > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }
}
