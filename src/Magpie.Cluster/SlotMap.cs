using Magpie.Protocol;

namespace Magpie.Cluster;

/// <summary>
/// Which node owns each of the <see cref="HashSlot.Count"/> slots. Immutable: a change of
/// membership or health produces a new map.
/// </summary>
public sealed class SlotMap
{
    private readonly NodeInfo?[] _owners;

    /// <summary>A map from an owner per slot (null: unowned), e.g. as stored by the etcd coordinator.</summary>
    /// <param name="owners">Exactly <see cref="HashSlot.Count"/> entries; copied.</param>
    /// <param name="nodes">Every node of the cluster, owners or not.</param>
    public SlotMap(IReadOnlyList<NodeInfo?> owners, IReadOnlyList<NodeInfo> nodes)
    {
        ArgumentNullException.ThrowIfNull(owners);
        ArgumentNullException.ThrowIfNull(nodes);
        if (owners.Count != HashSlot.Count)
            throw new ArgumentException($"A slot map has exactly {HashSlot.Count} slots.", nameof(owners));
        _owners = owners.ToArray();
        Nodes = nodes;
        Ranges = BuildRanges(_owners);
    }

    /// <summary>Every node the map was built from, gateways included, sorted by id.</summary>
    public IReadOnlyList<NodeInfo> Nodes { get; }

    /// <summary>Contiguous slot runs in slot order; slots with no owner are left out.</summary>
    public IReadOnlyList<SlotRange> Ranges { get; }

    /// <summary>The owner of a slot, or null when no primary node exists.</summary>
    public NodeInfo? OwnerOf(int slot) => _owners[slot];

    /// <summary>The owner of a key's slot (CRC16 of the key or its hash tag).</summary>
    public NodeInfo? OwnerOfKey(ReadOnlySpan<byte> key) => _owners[HashSlot.Of(key)];

    /// <inheritdoc cref="OwnerOfKey(ReadOnlySpan{byte})"/>
    public NodeInfo? OwnerOfKey(string key) => _owners[HashSlot.Of(key)];

    /// <summary>How many slots a node owns.</summary>
    public int SlotCountOf(string nodeId)
    {
        int count = 0;
        foreach (var owner in _owners)
            if (owner is not null && owner.Id == nodeId) count++;
        return count;
    }

    private static List<SlotRange> BuildRanges(NodeInfo?[] owners)
    {
        var ranges = new List<SlotRange>();
        int start = 0;
        for (int slot = 1; slot <= owners.Length; slot++)
        {
            if (slot < owners.Length && ReferenceEquals(owners[slot], owners[start])) continue;
            if (owners[start] is { } node) ranges.Add(new SlotRange(start, slot - 1, node));
            start = slot;
        }
        return ranges;
    }
}
