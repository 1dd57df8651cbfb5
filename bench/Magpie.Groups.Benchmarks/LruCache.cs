namespace Magpie.Groups.Benchmarks;

/// <summary>A plain count-bounded LRU, the baseline the hit-ratio simulation compares against.</summary>
internal sealed class LruCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<string>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();

    public bool TryGet(string key)
    {
        if (!_index.TryGetValue(key, out var node)) return false;
        _order.Remove(node);
        _order.AddFirst(node);
        return true;
    }

    public void Add(string key)
    {
        if (_index.Count >= capacity)
        {
            var last = _order.Last!;
            _order.RemoveLast();
            _index.Remove(last.Value);
        }
        _index[key] = _order.AddFirst(key);
    }
}
