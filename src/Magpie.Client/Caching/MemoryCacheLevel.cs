using Magpie.Caching;

namespace Magpie.Client.Caching;

/// <summary>Bounds for the in-process level: by entry count, or by weighed bytes when <see cref="MaximumBytes"/> is set.</summary>
public sealed class MemoryCacheLevelOptions
{
    public long MaximumCount { get; set; } = 10_000;

    /// <summary>When set, entries are weighed by <see cref="CacheItem.Size"/> (payload bytes) and the total is kept under this.</summary>
    public long? MaximumBytes { get; set; }
}

/// <summary>
/// L1: an in-process map with W-TinyLFU eviction, on the cache core shared with Magpie.Groups
/// (<see cref="WTinyLfuCache{TValue}"/>): a hit is a dictionary lookup plus one slot in a lossy
/// striped read buffer, so readers never wait and a hit allocates nothing.
/// </summary>
public sealed class MemoryCacheLevel : ICacheLevel
{
    private readonly WTinyLfuCache<CacheItem> _cache;
    private readonly CacheClock _time;
    private long _reportedEvictions;

    public MemoryCacheLevel(MemoryCacheLevelOptions? options = null, TimeProvider? time = null)
    {
        options ??= new MemoryCacheLevelOptions();
        bool byBytes = options.MaximumBytes.HasValue;
        long max = options.MaximumBytes ?? options.MaximumCount;
        if (max <= 0) throw new ArgumentOutOfRangeException(nameof(options), "The maximum must be positive.");
        _time = CacheClock.For(time);
        // For byte bounds, guess ~1 KiB per entry to size the frequency sketch.
        int expected = (int)Math.Clamp(byBytes ? max / 1024 : max, 16, 1 << 24);
        _cache = byBytes
            ? new WTinyLfuCache<CacheItem>(max, expected, _time, static (_, item) => Math.Max(1, item.Size))
            : new WTinyLfuCache<CacheItem>(max, expected, _time, static (_, _) => 1);
    }

    public string Name => "memory";

    public bool IsLocal => true;

    public int Count => _cache.Count;

    /// <summary>Total weight held: entries, or bytes when bounded by bytes.</summary>
    public long Weight => _cache.Weight;

    /// <summary>Raised with how many entries the size bound just evicted (admission refusals included).</summary>
    public event Action<int>? Evicted;

    public bool TryGet(string key, out CacheItem item) => TryGet(key, _time.UtcNow, out item);

    /// <summary>As <see cref="TryGet(string, out CacheItem)"/>, with the caller's "now" (one clock read per lookup).</summary>
    internal bool TryGet(string key, DateTimeOffset now, out CacheItem item)
    {
        if (!_cache.TryGet(key, out item)) return false;
        if (item.IsUsable(now)) return true;
        _cache.Remove(key, item); // only this item: another thread may have just stored a fresh one
        return false;
    }

    public void Set(string key, CacheItem item)
    {
        // The core drops the entry itself once it can no longer be served, stale or not.
        TimeSpan? ttl = item.StaleUntil == DateTimeOffset.MaxValue ? null : item.StaleUntil - _time.UtcNow;
        _cache.Set(key, item, ttl);
        ReportEvictions();
    }

    /// <summary>Hands each eviction the core counted to <see cref="Evicted"/> exactly once, without a lock.</summary>
    private void ReportEvictions()
    {
        while (true)
        {
            long total = _cache.Evictions;
            long reported = Volatile.Read(ref _reportedEvictions);
            if (total <= reported) return;
            if (Interlocked.CompareExchange(ref _reportedEvictions, total, reported) != reported) continue;
            Evicted?.Invoke((int)(total - reported));
            return;
        }
    }

    public bool Remove(string key) => _cache.Remove(key);

    public void Clear() => _cache.Clear();

    /// <summary>The sketch's estimate of how often <paramref name="key"/> was used (for tests and diagnostics).</summary>
    internal int EstimatedFrequency(string key) => _cache.FrequencyOf(key);

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
        foreach (var (key, item) in _cache.Entries)
        {
            if (item.Tags is { } tags && Array.IndexOf(tags, tag) >= 0 && _cache.Remove(key, item)) removed.Add(key);
        }
        return new(removed);
    }
}
