using System.Collections.Concurrent;

namespace Magpie.Caching;

/// <summary>
/// A thread-safe weight-budgeted cache with W-TinyLFU admission and eviction:
/// new entries go to a small LRU window (1% of the budget); entries leaving the window are
/// candidates for the main space, segmented into probation and protected (80% of main) LRUs, and a
/// candidate gets in only if the frequency sketch says it is more popular than the entry it would
/// push out. This keeps one-hit wonders and scans from flushing popular keys.
/// <para>
/// Reads do a dictionary lookup and record the hit into a lossy striped buffer; they take no lock and
/// allocate nothing. Writes, removals and buffer drains run under one policy lock.
/// Every entry can carry its own time-to-live; expired entries are never returned.
/// </para>
/// <para>
/// The one cache core: Magpie.Groups keeps bytes in it (weighed by <see cref="CacheWeigher"/>),
/// Magpie.Client's L1 keeps its cache items (weighed by count or payload bytes). It won over the
/// client's former policy on the Zipf(0.86) trace (40.2% against 39.9% hits) and on single-thread
/// hits; see docs/performance.md. BitFaster.Caching 2.6.1 was considered (DESIGN decision 13): its
/// ConcurrentLfu is count-bounded W-TinyLFU with no per-entry byte weight and no per-entry TTL
/// beside it, and Magpie needs both (groups budget bytes; hot and main caches expire per entry).
/// </para>
/// </summary>
public sealed class WTinyLfuCache<TValue>
{
    private const double WindowShare = 0.01;
    private const double ProtectedShareOfMain = 0.80;
    private const int ExpirySweepIntervalMs = 1000;

    private readonly ConcurrentDictionary<string, CacheNode<TValue>> _map = new(StringComparer.Ordinal);
    private readonly ReadBuffer<TValue> _readBuffer = new();
    private readonly Lock _policyLock = new();
    private readonly AccessOrderQueue<TValue> _window = new();
    private readonly AccessOrderQueue<TValue> _probation = new();
    private readonly AccessOrderQueue<TValue> _protected = new();
    private readonly FrequencySketch _sketch;
    private readonly CacheClock _clock;
    private readonly Func<string, TValue, long> _weigher;
    private readonly long _windowMax;
    private readonly long _protectedMax;
    private long _evictions;
    private long _expirations;
    private long _lastSweepMs;
    private uint _random = 0x2545F491;

    /// <param name="maxWeight">Weight budget, in the weigher's unit (bytes, or entries).</param>
    /// <param name="expectedEntries">Sizes the frequency sketch; it grows if the cache ends up holding more.</param>
    /// <param name="clock">Time source for expiry.</param>
    /// <param name="weigher">What one entry costs against the budget.</param>
    public WTinyLfuCache(long maxWeight, int expectedEntries, CacheClock clock, Func<string, TValue, long> weigher)
    {
        ArgumentNullException.ThrowIfNull(weigher);
        _weigher = weigher;
        ArgumentOutOfRangeException.ThrowIfNegative(maxWeight);
        MaxWeight = maxWeight;
        _windowMax = (long)(maxWeight * WindowShare);
        _protectedMax = (long)((maxWeight - _windowMax) * ProtectedShareOfMain);
        _sketch = new FrequencySketch(expectedEntries);
        _clock = clock;
        _lastSweepMs = clock.NowMs();
    }

    public long MaxWeight { get; }

    /// <summary>Weight currently held (sum of entry weights).</summary>
    public long Weight { get { lock (_policyLock) return _window.Weight + _probation.Weight + _protected.Weight; } }

    public int Count { get { lock (_policyLock) return EntryCount; } }

    private int EntryCount => _window.Count + _probation.Count + _protected.Count;

    /// <summary>Entries evicted to stay within the budget (admission rejections included).</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>Entries dropped because their time-to-live ran out.</summary>
    public long Expirations => Volatile.Read(ref _expirations);

    /// <summary>The hit path: no lock, no allocation.</summary>
    public bool TryGet(string key, out TValue value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            if (node.IsLive(_clock))
            {
                RecordRead(node);
                value = node.Value;
                return true;
            }
            RemoveExpired(node);
        }
        value = default!;
        return false;
    }

    /// <summary>Like <see cref="TryGet(string, out TValue)"/>, also giving the time left to live (null: none).</summary>
    public bool TryGet(string key, out TValue value, out TimeSpan? timeToLive)
    {
        long now = _clock.NowMs();
        if (_map.TryGetValue(key, out var node))
        {
            if (!node.IsExpired(now))
            {
                RecordRead(node);
                value = node.Value;
                timeToLive = node.ExpiresAtMs == CacheClock.NoExpiry ? null : TimeSpan.FromMilliseconds(node.ExpiresAtMs - now);
                return true;
            }
            RemoveExpired(node);
        }
        value = default!;
        timeToLive = null;
        return false;
    }

    /// <summary>
    /// Adds or replaces an entry. Returns false when it was not kept (any old value is still removed):
    /// heavier than the whole budget, or a TTL of zero or less, i.e. already stale (null or
    /// <see cref="Timeout.InfiniteTimeSpan"/>: no expiry). An entry kept now may still lose the
    /// admission duel when it leaves the window.
    /// </summary>
    public bool Set(string key, TValue value, TimeSpan? timeToLive)
    {
        long weight = _weigher(key, value);
        bool storable = CacheClock.IsStorable(timeToLive) && weight <= MaxWeight;
        var node = storable ? new CacheNode<TValue>(key, key.GetHashCode(), value, weight, _clock.ExpiryFor(timeToLive)) : null;
        lock (_policyLock)
        {
            DrainReads();
            if (_map.TryRemove(key, out var old)) Unlink(old);
            if (node is null) return false;

            _map[key] = node;
            _sketch.Increment(node.Hash);
            node.Region = Region.Window;
            _window.AddLast(node);
            if (EntryCount > _sketch.Capacity) _sketch.EnsureCapacity(EntryCount * 2);
            SweepExpiredIfDue();
            Evict();
        }
        return true;
    }

    public bool Remove(string key)
    {
        lock (_policyLock)
        {
            if (!_map.TryRemove(key, out var node)) return false;
            Unlink(node);
            return true;
        }
    }

    /// <summary>Removes <paramref name="key"/> only while it still holds <paramref name="expected"/> (not a newer value).</summary>
    public bool Remove(string key, TValue expected)
    {
        lock (_policyLock)
        {
            if (!_map.TryGetValue(key, out var node) || !EqualityComparer<TValue>.Default.Equals(node.Value, expected)) return false;
            _map.TryRemove(key, out _);
            Unlink(node);
            return true;
        }
    }

    /// <summary>A snapshot-free walk of the live entries (for rare whole-cache scans such as removal by tag).</summary>
    public IEnumerable<KeyValuePair<string, TValue>> Entries
    {
        get
        {
            foreach (var (key, node) in _map) yield return new(key, node.Value);
        }
    }

    public void Clear()
    {
        lock (_policyLock)
        {
            DrainReads();
            foreach (var node in _map.Values) Unlink(node);
            _map.Clear();
        }
    }

    /// <summary>Applies buffered reads to the policy now (tests and diagnostics).</summary>
    public void Maintain()
    {
        lock (_policyLock)
        {
            DrainReads();
            Evict();
        }
    }

    /// <summary>The sketch's estimate of how often <paramref name="key"/> was used (tests and diagnostics).</summary>
    public int FrequencyOf(string key)
    {
        lock (_policyLock) return _sketch.Frequency(key.GetHashCode());
    }

    private void RecordRead(CacheNode<TValue> node)
    {
        if (_readBuffer.TryAdd(node)) return;
        if (!_policyLock.TryEnter()) return; // someone else is draining; this hit is dropped
        try { DrainReads(); }
        finally { _policyLock.Exit(); }
        _readBuffer.TryAdd(node);
    }

    private void DrainReads()
    {
        var sink = new AccessSink(this);
        _readBuffer.Drain(ref sink);
    }

    private readonly struct AccessSink(WTinyLfuCache<TValue> cache) : IReadSink<TValue>
    {
        public void OnRead(CacheNode<TValue> node) => cache.OnAccess(node);
    }

    private void OnAccess(CacheNode<TValue> node)
    {
        _sketch.Increment(node.Hash);
        switch (node.Region)
        {
            case Region.Window:
                _window.MoveToLast(node);
                break;
            case Region.Probation:
                _probation.Remove(node);
                node.Region = Region.Protected;
                _protected.AddLast(node);
                DemoteFromProtected();
                break;
            case Region.Protected:
                _protected.MoveToLast(node);
                break;
            case Region.Removed:
                break; // read raced with a removal or update
        }
    }

    private void DemoteFromProtected()
    {
        while (_protected.Weight > _protectedMax && _protected.Head is { } demoted)
        {
            _protected.Remove(demoted);
            demoted.Region = Region.Probation;
            _probation.AddLast(demoted);
        }
    }

    private void Evict()
    {
        // Window overflow: its least recent entries ask to enter the main space.
        while (_window.Weight > _windowMax && _window.Head is { } candidate)
        {
            _window.Remove(candidate);
            Admit(candidate);
        }
        // Updates that grew main can still leave us over budget: plain LRU order, probation first.
        while (TotalWeight > MaxWeight && (_probation.Head ?? _protected.Head ?? _window.Head) is { } victim)
            EvictNode(victim);
    }

    private long TotalWeight => _window.Weight + _probation.Weight + _protected.Weight;

    /// <summary>The TinyLFU duel: the candidate enters probation only by outscoring the entries it displaces.</summary>
    private void Admit(CacheNode<TValue> candidate)
    {
        long mainMax = MaxWeight - _windowMax;
        int candidateFrequency = _sketch.Frequency(candidate.Hash);
        while (_probation.Weight + _protected.Weight + candidate.Weight > mainMax)
        {
            var victim = _probation.Head ?? _protected.Head;
            if (victim is null || !Beats(candidateFrequency, _sketch.Frequency(victim.Hash)))
            {
                candidate.Region = Region.Removed;
                _map.TryRemove(new KeyValuePair<string, CacheNode<TValue>>(candidate.Key, candidate));
                _evictions++;
                return;
            }
            EvictNode(victim);
        }
        candidate.Region = Region.Probation;
        _probation.AddLast(candidate);
    }

    private bool Beats(int candidateFrequency, int victimFrequency)
    {
        if (candidateFrequency > victimFrequency) return true;
        if (candidateFrequency <= 5) return false;
        // A warm candidate wins now and then, so an attacker cannot pin a victim by flooding its hash.
        _random ^= _random << 13;
        _random ^= _random >> 17;
        _random ^= _random << 5;
        return (_random & 127) == 0;
    }

    private void EvictNode(CacheNode<TValue> node)
    {
        _map.TryRemove(new KeyValuePair<string, CacheNode<TValue>>(node.Key, node));
        Unlink(node);
        _evictions++;
    }

    private void RemoveExpired(CacheNode<TValue> node)
    {
        lock (_policyLock)
        {
            if (node.Region == Region.Removed) return;
            if (_map.TryRemove(new KeyValuePair<string, CacheNode<TValue>>(node.Key, node))) _expirations++;
            Unlink(node);
        }
    }

    private void SweepExpiredIfDue()
    {
        long now = _clock.NowMs();
        if (now - _lastSweepMs < ExpirySweepIntervalMs) return;
        _lastSweepMs = now;
        SweepExpired(_window, now);
        SweepExpired(_probation, now);
        SweepExpired(_protected, now);
    }

    private void SweepExpired(AccessOrderQueue<TValue> queue, long now)
    {
        for (var node = queue.Head; node is not null;)
        {
            var next = node.Next;
            if (node.IsExpired(now))
            {
                _map.TryRemove(new KeyValuePair<string, CacheNode<TValue>>(node.Key, node));
                Unlink(node);
                _expirations++;
            }
            node = next;
        }
    }

    private void Unlink(CacheNode<TValue> node)
    {
        switch (node.Region)
        {
            case Region.Window: _window.Remove(node); break;
            case Region.Probation: _probation.Remove(node); break;
            case Region.Protected: _protected.Remove(node); break;
            case Region.Removed: return;
        }
        node.Region = Region.Removed;
    }
}
