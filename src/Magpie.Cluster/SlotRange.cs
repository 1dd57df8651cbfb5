namespace Magpie.Cluster;

/// <summary>A contiguous run of slots owned by one node, as CLUSTER SLOTS and <c>/api/nodes</c> report it.</summary>
public readonly record struct SlotRange(int Start, int End, NodeInfo Node)
{
    public int Count => End - Start + 1;
}
