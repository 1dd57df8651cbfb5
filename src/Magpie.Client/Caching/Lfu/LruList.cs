namespace Magpie.Client.Caching.Lfu;

internal enum Region : byte { None, Window, Probation, Protected }

/// <summary>An entry of the memory level, linked into exactly one region's LRU list.</summary>
internal sealed class LfuNode(string key, CacheItem item, long weight)
{
    public string Key { get; } = key;
    public int Hash { get; } = key.GetHashCode();
    public CacheItem Item { get; set; } = item;
    public long Weight { get; set; } = weight;
    public Region Region { get; set; }
    public LfuNode? Previous { get; set; }
    public LfuNode? Next { get; set; }
}

/// <summary>An intrusive doubly linked list: head is most recently used, tail least. O(1) everything.</summary>
internal sealed class LruList(Region region)
{
    public LfuNode? Head { get; private set; }
    public LfuNode? Tail { get; private set; }
    public long Weight { get; private set; }
    public int Count { get; private set; }

    public void AddFirst(LfuNode node)
    {
        node.Region = region;
        node.Previous = null;
        node.Next = Head;
        if (Head is not null) Head.Previous = node;
        Head = node;
        Tail ??= node;
        Weight += node.Weight;
        Count++;
    }

    public void Remove(LfuNode node)
    {
        if (node.Previous is not null) node.Previous.Next = node.Next;
        else Head = node.Next;
        if (node.Next is not null) node.Next.Previous = node.Previous;
        else Tail = node.Previous;
        node.Previous = node.Next = null;
        node.Region = Region.None;
        Weight -= node.Weight;
        Count--;
    }

    public void MoveToFront(LfuNode node)
    {
        if (Head == node) return;
        Remove(node);
        AddFirst(node);
    }

    /// <summary>Adjusts the list's weight when an entry's weight changes in place.</summary>
    public void Reweigh(long delta) => Weight += delta;
}
