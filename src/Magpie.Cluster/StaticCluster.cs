using Microsoft.Extensions.Logging;

namespace Magpie.Cluster;

/// <summary>
/// Cluster view for a static peer list: a <see cref="StaticRing"/> plus <see cref="PeerHealth"/>.
/// The effective slot map is recomputed only when a peer changes state, so <see cref="OwnerOf"/>
/// is an array read.
/// </summary>
public sealed class StaticCluster : IClusterView
{
    private readonly StaticRing _ring;
    private readonly Func<NodeInfo, bool> _isUp;
    private readonly Lock _rebuildLock = new();
    private volatile Snapshot _snapshot;

    public StaticCluster(NodeInfo self, StaticRing ring, PeerHealth health)
    {
        ArgumentNullException.ThrowIfNull(self);
        if (health.SelfId != self.Id) throw new ArgumentException("PeerHealth belongs to another node.", nameof(health));
        Self = self;
        _ring = ring;
        Health = health;
        _isUp = n => Health.IsUp(n.Id);
        _snapshot = Build(health.Version);
    }

    /// <summary>Builds the ring from <paramref name="nodes"/> (self is added when missing) and wires health checks.</summary>
    public static StaticCluster Create(
        NodeInfo self,
        IEnumerable<NodeInfo> nodes,
        INodeProbe? probe = null,
        PeerHealthOptions? healthOptions = null,
        int virtualNodesPerNode = StaticRing.DefaultVirtualNodes,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        var all = nodes.Where(n => n.Id != self.Id).Append(self).ToArray();
        var ring = new StaticRing(all, virtualNodesPerNode);
        var health = new PeerHealth(self.Id, all, probe, healthOptions, timeProvider, loggerFactory?.CreateLogger<PeerHealth>());
        return new StaticCluster(self, ring, health);
    }

    /// <summary>A cluster of one: this node owns every slot.</summary>
    public static StaticCluster SingleNode(NodeInfo? self = null) =>
        Create(self ?? new NodeInfo("local", "127.0.0.1:6379"), []);

    public NodeInfo Self { get; }

    public PeerHealth Health { get; }

    public StaticRing Ring => _ring;

    public NodeInfo OwnerOf(int slot) => Current().Owners[slot] ?? Self;

    public IReadOnlyList<NodeInfo> LivePeers => Current().LivePeers;

    public SlotMap SlotMap => Current().Map;

    /// <summary>Every node with its current state (this node always up).</summary>
    public IReadOnlyList<NodeInfo> Nodes() =>
        _ring.Nodes.Select(n => n with { State = Health.StateOf(n.Id) }).ToArray();

    public CancellationToken WhenDown(NodeInfo peer) => Health.WhenDown(peer.Id);

    public void ReportSuccess(NodeInfo peer) => Health.ReportSuccess(peer.Id);

    public void ReportFailure(NodeInfo peer) => Health.ReportFailure(peer.Id);

    private Snapshot Current()
    {
        var snapshot = _snapshot;
        long version = Health.Version;
        if (snapshot.Version == version) return snapshot;
        lock (_rebuildLock)
        {
            if (_snapshot.Version != Health.Version) _snapshot = Build(Health.Version);
            return _snapshot;
        }
    }

    private Snapshot Build(long version)
    {
        var map = _ring.ToSlotMap(_isUp);
        var owners = new NodeInfo?[Magpie.Protocol.HashSlot.Count];
        for (int slot = 0; slot < owners.Length; slot++) owners[slot] = map.OwnerOf(slot);
        var live = _ring.Nodes.Where(n => n.Id != Self.Id && Health.IsUp(n.Id)).ToArray();
        return new Snapshot(version, map, owners, live);
    }

    private sealed record Snapshot(long Version, SlotMap Map, NodeInfo?[] Owners, NodeInfo[] LivePeers);
}
