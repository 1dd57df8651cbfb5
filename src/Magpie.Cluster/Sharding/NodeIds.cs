using System.Security.Cryptography;
using System.Text;

namespace Magpie.Cluster.Sharding;

/// <summary>Redis Cluster node ids: 40 lowercase hex characters.</summary>
public static class NodeIds
{
    public const int Length = 40;

    /// <summary>
    /// The id a node without a cluster config file uses: SHA-1 of its RESP endpoint, so it is stable across
    /// restarts and every node of a static peer list knows every other node's id without asking.
    /// </summary>
    public static string ForEndpoint(string endpoint) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("magpie-node " + endpoint)));

    public static string Random() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>The shard id (CLUSTER MYSHARDID, CLUSTER SHARDS): one primary per shard, derived from its id.</summary>
    public static string ShardOf(string nodeId) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("magpie-shard " + nodeId)));

    public static bool IsValid(string id)
    {
        if (id.Length != Length) return false;
        foreach (char c in id)
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }
}
