namespace Magpie.Caching;

/// <summary>Intrusive doubly linked list: head is least recently used, tail most recently used.</summary>
internal sealed class AccessOrderQueue<TValue>
{
    public CacheNode<TValue>? Head { get; private set; }
    public CacheNode<TValue>? Tail { get; private set; }
    public long Weight { get; private set; }
    public int Count { get; private set; }

    public void AddLast(CacheNode<TValue> node)
    {
        node.Previous = Tail;
        node.Next = null;
        if (Tail is null) Head = node;
        else Tail.Next = node;
        Tail = node;
        Weight += node.Weight;
        Count++;
    }

    public void Remove(CacheNode<TValue> node)
    {
        if (node.Previous is null) Head = node.Next;
        else node.Previous.Next = node.Next;
        if (node.Next is null) Tail = node.Previous;
        else node.Next.Previous = node.Previous;
        node.Previous = node.Next = null;
        Weight -= node.Weight;
        Count--;
    }

    public void MoveToLast(CacheNode<TValue> node)
    {
        if (ReferenceEquals(Tail, node)) return;
        Remove(node);
        AddLast(node);
    }
}
