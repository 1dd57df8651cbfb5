using Magpie.Protocol;

namespace Magpie.Cluster;

/// <summary>
/// Consistent hashing of the 16384 slots onto a static peer list. Each primary node puts
/// <c>virtualNodesPerNode</c> points on a 64-bit ring (hash of <c>"{id}#{i}"</c>); a slot belongs to
/// the first point clockwise of the slot's own hash. Every node computes the same map from the same
/// list, whatever order the list was given in, and adding or removing a node moves only about
/// 1/N of the slots. Gateways are listed but own nothing.
/// </summary>
public sealed class StaticRing
{
    public const int DefaultVirtualNodes = 256;

    private readonly ulong[] _points;       // sorted ring positions
    private readonly int[] _pointOwner;     // index into Primaries for each point
    private readonly int[] _slotFirstPoint; // index into _points of the first point clockwise of each slot

    public StaticRing(IEnumerable<NodeInfo> nodes, int virtualNodesPerNode = DefaultVirtualNodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualNodesPerNode, 1);

        var sorted = nodes.OrderBy(n => n.Id, StringComparer.Ordinal).ToArray();
        for (int i = 1; i < sorted.Length; i++)
            if (sorted[i].Id == sorted[i - 1].Id)
                throw new ArgumentException($"Node id '{sorted[i].Id}' is listed twice.", nameof(nodes));

        Nodes = sorted;
        Primaries = sorted.Where(n => n.OwnsSlots).ToArray();
        VirtualNodesPerNode = virtualNodesPerNode;

        var points = new (ulong Hash, int Owner)[Primaries.Count * virtualNodesPerNode];
        for (int owner = 0, p = 0; owner < Primaries.Count; owner++)
            for (int v = 0; v < virtualNodesPerNode; v++)
                points[p++] = (RingHash.OfPoint(Primaries[owner].Id, v), owner);
        // Ties (vanishingly rare) break on the sorted node index, so the order is still the same everywhere.
        Array.Sort(points, (a, b) => a.Hash != b.Hash ? a.Hash.CompareTo(b.Hash) : a.Owner.CompareTo(b.Owner));

        _points = points.Select(p => p.Hash).ToArray();
        _pointOwner = points.Select(p => p.Owner).ToArray();
        _slotFirstPoint = new int[HashSlot.Count];
        if (_points.Length > 0)
            for (int slot = 0; slot < HashSlot.Count; slot++)
                _slotFirstPoint[slot] = FirstPointAtOrAfter(RingHash.OfSlot(slot));
    }

    /// <summary>All nodes, gateways included, sorted by id (ordinal).</summary>
    public IReadOnlyList<NodeInfo> Nodes { get; }

    /// <summary>The nodes that own slots, sorted by id.</summary>
    public IReadOnlyList<NodeInfo> Primaries { get; }

    public int VirtualNodesPerNode { get; }

    /// <summary>The slot's owner when every node is up; null when there are no primaries.</summary>
    public NodeInfo? OwnerOf(int slot) => _points.Length == 0 ? null : Primaries[_pointOwner[_slotFirstPoint[slot]]];

    /// <summary>
    /// The first node clockwise of the slot for which <paramref name="isUp"/> holds: the owner, or,
    /// when it is down, the next live node on the ring. Null when no primary is up.
    /// </summary>
    public NodeInfo? EffectiveOwnerOf(int slot, Func<NodeInfo, bool> isUp)
    {
        if (_points.Length == 0) return null;
        int start = _slotFirstPoint[slot];
        int lastTried = -1;
        for (int i = 0; i < _points.Length; i++)
        {
            int owner = _pointOwner[(start + i) % _points.Length];
            if (owner == lastTried) continue;
            if (isUp(Primaries[owner])) return Primaries[owner];
            lastTried = owner;
        }
        return null;
    }

    /// <summary>The map with every node up.</summary>
    public SlotMap ToSlotMap() => ToSlotMap(static _ => true);

    /// <summary>The map of effective owners: slots of nodes that are down go to the next live node.</summary>
    public SlotMap ToSlotMap(Func<NodeInfo, bool> isUp)
    {
        var owners = new NodeInfo?[HashSlot.Count];
        for (int slot = 0; slot < owners.Length; slot++)
            owners[slot] = EffectiveOwnerOf(slot, isUp);
        return new SlotMap(owners, Nodes);
    }

    private int FirstPointAtOrAfter(ulong hash)
    {
        int index = Array.BinarySearch(_points, hash);
        if (index < 0) index = ~index;
        return index == _points.Length ? 0 : index; // past the last point wraps to the first
    }
}
