using System.Text.Json.Serialization;
using Magpie.Cluster;
using Magpie.Groups;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Magpie.Server.Http;

/// <summary>
/// <c>GET /api/nodes</c> (members, state, slot and range counts; <c>?full=1</c> adds every slot range)
/// and <c>GET /api/stats</c> (per-group counters).
/// </summary>
public static class ClusterApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/nodes", (StaticCluster cluster, string? full) =>
            Results.Json(Nodes(cluster, full is "1" or "true" or "yes"), ClusterJsonContext.Default.NodesReply));
        app.MapGet("/api/stats", (GroupRegistry groups) => Results.Json(Stats(groups), ClusterJsonContext.Default.StatsReply));
    }

    /// <summary>
    /// Compact by default: per node the number of slots it serves and of the runs they form (the ring
    /// spreads slots over thousands of runs: 138 KB for three nodes). <paramref name="full"/> adds the runs.
    /// </summary>
    public static NodesReply Nodes(StaticCluster cluster, bool full = false)
    {
        var ranges = cluster.SlotMap.Ranges;
        var nodes = cluster.Nodes()
            .OrderBy(n => n.Id, StringComparer.Ordinal)
            .Select(n => new NodeReply(
                n.Id,
                n.Endpoint,
                n.HttpEndpoint,
                n.Role == NodeRole.Gateway ? "gateway" : "primary",
                n.State == NodeState.Up ? "up" : "down",
                n.Id == cluster.Self.Id,
                ranges.Where(r => r.Node.Id == n.Id).Sum(r => r.End - r.Start + 1),
                ranges.Count(r => r.Node.Id == n.Id),
                full ? ranges.Where(r => r.Node.Id == n.Id).Select(r => new[] { r.Start, r.End }).ToArray() : null))
            .ToArray();
        return new NodesReply(nodes.Length, nodes);
    }

    public static StatsReply Stats(GroupRegistry groups) =>
        new(groups.Groups.ToDictionary(g => g.Name, g =>
        {
            var s = g.Stats;
            return new GroupStatsReply(s.Hits, s.Misses, s.Loads, s.LoadErrors, s.PeerHits, s.PeerErrors, s.HotHits, s.Evictions, s.Bytes, s.Items, s.HotBytes, s.HotItems);
        }, StringComparer.Ordinal));
}

public sealed record NodeReply(
    string Id, string Address, string? Http, string Role, string State, bool Self, int SlotCount, int RangeCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[][]? Slots);

public sealed record NodesReply(int Count, NodeReply[] Nodes);

public sealed record GroupStatsReply(
    long Hits, long Misses, long Loads, long LoadErrors, long PeerHits, long PeerErrors,
    long HotHits, long Evictions, long Bytes, long Items, long HotBytes, long HotItems);

public sealed record StatsReply(Dictionary<string, GroupStatsReply> Groups);

[JsonSerializable(typeof(NodesReply))]
[JsonSerializable(typeof(StatsReply))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal partial class ClusterJsonContext : JsonSerializerContext;
