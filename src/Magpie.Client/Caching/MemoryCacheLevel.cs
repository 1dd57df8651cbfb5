using System.Collections.Concurrent;
using Magpie.Client.Caching.Lfu;

namespace Magpie.Client.Caching;

/// <summary>Bounds for the in-process level: by entry count, or by weighed bytes when <see cref="MaximumBytes"/> is set.</summary>
public sealed class MemoryCacheLevelOptions
{
    public long MaximumCount { get; set; } = 10_000;

    /// <summary>When set, entries are weighed by <see cref="CacheItem.Size"/> (payload bytes) and the total is kept under this.</summary>
    public long? MaximumBytes { get; set; }
}

/// <summary>
/// L1: an in-process map with W-TinyLFU eviction. A hit is a dictionary lookup plus a best-effort
/// policy update: if another thread holds the policy lock the access is simply not recorded
/// (lossy, like Caffeine's read buffer), so readers never wait and a hit allocates nothing.
/// </summary>
public sealed class MemoryCacheLevel : ICacheLevel
{
    private readonly ConcurrentDictionary<string, LfuNode> _map = new(StringComparer.Ordinal);
    private readonly WTinyLfuPolicy _policy;
    private readonly Lock _lock = new();
    private readonly List<LfuNode> _evicted = new();
    private readonly bool _byBytes;
    private readonly CacheClock _time;

    public MemoryCacheLevel(MemoryCacheLevelOptions? options = null, TimeProvider? time = null)
    {
        options ??= new MemoryCacheLevelOptions();
        _byBytes = options.MaximumBytes.HasValue;
        long max = options.MaximumBytes ?? options.MaximumCount;
        if (max <= 0) throw new ArgumentOutOfRangeException(nameof(options), "The maximum must be positive.");
        // For byte bounds, guess ~1 KiB per entry to size the frequency sketch.
        _policy = new WTinyLfuPolicy(max, _byBytes ? Math.Max(16, max / 1024) : max);
        _time = CacheClock.For(time);
    }

    public string Name => "memory";

    public bool IsLocal => true;

    public int Count => _map.Count;

    /// <summary>Total weight held: entries, or bytes when bounded by bytes.</summary>
    public long Weight { get { lock (_lock) return _policy.TotalWeight; } }

    /// <summary>Raised (outside the lock) with how many entries the size bound just evicted.</summary>
    public event Action<int>? Evicted;

    public bool TryGet(string key, out CacheItem item) => TryGet(key, _time.UtcNow, out item);

    /// <summary>As <see cref="TryGet(string, out CacheItem)"/>, with the caller's "now" (one clock read per lookup).</summary>
    internal bool TryGet(string key, DateTimeOffset now, out CacheItem item)
    {
        if (!_map.TryGetValue(key, out var node))
        {
            item = null!;
            return false;
        }
        item = node.Item;
        if (!item.IsUsable(now))
        {
            RemoveNode(node); // only this node: another thread may have just stored a fresh one
            return false;
        }
        if (_lock.TryEnter())
        {
            try
            {
                if (node.Region != Region.None) _policy.OnAccess(node);
            }
            finally
            {
                _lock.Exit();
            }
        }
        return true;
    }

    public void Set(string key, CacheItem item)
    {
        long weight = _byBytes ? Math.Max(1, item.Size) : 1;
        int evicted;
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                node.Item = item;
                _policy.OnUpdate(node, weight, _evicted);
            }
            else
            {
                node = new LfuNode(key, item, weight);
                _map[key] = node;
                _policy.OnAdd(node, _evicted);
            }
            foreach (var gone in _evicted) _map.TryRemove(new KeyValuePair<string, LfuNode>(gone.Key, gone));
            evicted = _evicted.Count;
            _evicted.Clear();
        }
        if (evicted > 0) Evicted?.Invoke(evicted);
    }

    public bool Remove(string key)
    {
        lock (_lock)
        {
            if (!_map.TryRemove(key, out var node)) return false;
            _policy.OnRemove(node);
            return true;
        }
    }

    private void RemoveNode(LfuNode node)
    {
        lock (_lock)
        {
            if (_map.TryRemove(new KeyValuePair<string, LfuNode>(node.Key, node))) _policy.OnRemove(node);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _policy.Clear();
        }
    }

    /// <summary>The sketch's estimate of how often <paramref name="key"/> was used (for tests and diagnostics).</summary>
    internal int EstimatedFrequency(string key)
    {
        lock (_lock) return _policy.Frequency(key);
    }

    public ValueTask<CacheItem?> GetAsync(string key, CancellationToken cancellationToken) =>
        new(TryGet(key, out var item) ? item : null);

    public ValueTask SetAsync(string key, CacheItem item, CancellationToken cancellationToken)
    {
        Set(key, item);
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        Remove(key);
        return ValueTask.CompletedTask;
    }

    /// <summary>Scans all entries: tag removal is rare, and an index would cost on every write.</summary>
    public ValueTask<IReadOnlyCollection<string>> RemoveByTagAsync(string tag, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var (key, node) in _map)
        {
            if (node.Item.Tags is { } tags && Array.IndexOf(tags, tag) >= 0 && Remove(key)) removed.Add(key);
        }
        return new(removed);
    }
}
