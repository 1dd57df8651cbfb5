using Magpie.Cluster;
using Magpie.Cluster.Sharding;
using Magpie.Protocol;
using Magpie.Server.Hosting;

namespace Magpie.Server.Sharding;

/// <summary>
/// The cluster view read-through groups use on a cluster-enabled node: slot owners come from the
/// node's <see cref="ClusterState"/> (what CLUSTER SETSLOT, redis-cli --cluster and the state exchange
/// made of it), so group keys follow the same, resharded map as RESP keys. Until the server is built,
/// and for peer health, it defers to the static view.
/// </summary>
/// <remarks>
/// Groups call this off the keyspace lock; a snapshot of the owners is rebuilt under the lock when the
/// state's version moved, so <see cref="OwnerOf"/> stays an array read.
/// </remarks>
public sealed class ShardedClusterView(StaticCluster fallback) : IClusterView
{
    private ServerState? _server;
    private volatile Snapshot? _snapshot;

    /// <summary>Called once the server and its cluster mode exist.</summary>
    public void Attach(ServerState server) => _server = server;

    public NodeInfo Self => fallback.Self;

    public NodeInfo OwnerOf(int slot) => Current() is { } s ? s.Owners[slot] ?? Self : fallback.OwnerOf(slot);

    public IReadOnlyList<NodeInfo> LivePeers => Current() is { } s ? s.LivePeers : fallback.LivePeers;

    public SlotMap SlotMap => Current() is { } s ? s.Map : fallback.SlotMap;

    public CancellationToken WhenDown(NodeInfo peer) => fallback.WhenDown(peer);

    public void ReportSuccess(NodeInfo peer) => fallback.ReportSuccess(peer);

    public void ReportFailure(NodeInfo peer) => fallback.ReportFailure(peer);

    private Snapshot? Current()
    {
        if (_server is not { ClusterMode: { } mode } server) return null;
        var snapshot = _snapshot;
        if (snapshot is not null && snapshot.Version == mode.State.Version) return snapshot;
        // Only the keyspace lock (re-entrant: group commands already run under it), so no lock order to break.
        lock (server.Keyspace.Sync)
        {
            if (_snapshot is { } fresh && fresh.Version == mode.State.Version) return fresh;
            return _snapshot = Build(mode.State);
        }
    }

    private Snapshot Build(ClusterState state)
    {
        // Peers keep the static view's identity when it knows their endpoint (its health checks use those ids).
        var known = fallback.Nodes().ToDictionary(n => n.Endpoint, StringComparer.OrdinalIgnoreCase);
        var byNode = new Dictionary<ClusterNode, NodeInfo>();
        foreach (var node in state.Nodes)
        {
            if (node.InHandshake) continue;
            byNode[node] = node.IsMyself ? Self
                : known.TryGetValue(node.Endpoint, out var info) ? info with { State = node.Failed ? NodeState.Down : NodeState.Up }
                : new NodeInfo(node.Id, node.Endpoint, State: node.Failed ? NodeState.Down : NodeState.Up);
        }
        var owners = new NodeInfo?[HashSlot.Count];
        for (int slot = 0; slot < owners.Length; slot++)
            if (state.OwnerOf(slot) is { Failed: false } owner && byNode.TryGetValue(owner, out var info)) owners[slot] = info;
        var live = byNode.Where(p => !p.Key.IsMyself && !p.Key.Failed).Select(p => p.Value).ToArray();
        var nodes = byNode.Values.OrderBy(n => n.Id, StringComparer.Ordinal).ToArray();
        return new Snapshot(state.Version, owners, live, new SlotMap(owners, nodes));
    }

    private sealed record Snapshot(long Version, NodeInfo?[] Owners, NodeInfo[] LivePeers, SlotMap Map);
}
