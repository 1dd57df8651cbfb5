namespace Magpie.Cluster;

/// <summary>
/// What read-through groups need to know about the cluster: who this node is, who owns a slot right
/// now (down nodes skipped), which peers are reachable, and where to report how a peer behaved.
/// <see cref="StaticCluster"/> implements it for static peer lists; an etcd-backed view can replace it.
/// </summary>
public interface IClusterView
{
    NodeInfo Self { get; }

    /// <summary>
    /// The node that should load keys of this slot now: the ring owner, or the next live node when the
    /// owner is down. <see cref="Self"/> when no primary is up (a lone gateway loads for itself).
    /// </summary>
    NodeInfo OwnerOf(int slot);

    /// <summary>Other nodes that are currently up (gateways included: they hold hot copies too).</summary>
    IReadOnlyList<NodeInfo> LivePeers { get; }

    /// <summary>The current map of effective owners, for CLUSTER SLOTS and <c>/api/nodes</c>.</summary>
    SlotMap SlotMap { get; }

    /// <summary>Cancelled when the peer is marked down, so requests waiting on it fail over at once.</summary>
    CancellationToken WhenDown(NodeInfo peer);

    void ReportSuccess(NodeInfo peer);

    void ReportFailure(NodeInfo peer);
}
