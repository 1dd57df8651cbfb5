using System.Collections.Concurrent;

namespace Magpie.Groups.Caching;

/// <summary>
/// A thread-safe byte-budgeted cache with W-TinyLFU admission and eviction:
/// new entries go to a small LRU window (1% of the budget); entries leaving the window are
/// candidates for the main space, segmented into probation and protected (80% of main) LRUs, and a
/// candidate gets in only if the frequency sketch says it is more popular than the entry it would
/// push out. This keeps one-hit wonders and scans from flushing popular keys.
/// <para>
/// Reads do a dictionary lookup and record the hit into a lossy striped buffer; they take no lock and
/// allocate nothing. Writes, removals and buffer drains run under one policy lock.
/// Every entry can carry its own time-to-live; expired entries are never returned.
/// </para>
/// </summary>
internal sealed class WTinyLfuCache
{
    private const double WindowShare = 0.01;
    private const double ProtectedShareOfMain = 0.80;
    private const int ExpirySweepIntervalMs = 1000;

    private readonly ConcurrentDictionary<string, CacheNode> _map = new(StringComparer.Ordinal);
    private readonly ReadBuffer _readBuffer = new();
    private readonly Lock _policyLock = new();
    private readonly AccessOrderQueue _window = new();
    private readonly AccessOrderQueue _probation = new();
    private readonly AccessOrderQueue _protected = new();
    private readonly FrequencySketch _sketch;
    private readonly CacheClock _clock;
    private readonly long _windowMax;
    private readonly long _protectedMax;
    private long _evictions;
    private long _expirations;
    private long _lastSweepMs;
    private uint _random = 0x2545F491;

    /// <param name="maxWeight">Byte budget (see <see cref="CacheWeigher"/>).</param>
    /// <param name="expectedEntries">Sizes the frequency sketch; it grows if the cache ends up holding more.</param>
    /// <param name="clock">Time source for expiry.</param>
    public WTinyLfuCache(long maxWeight, int expectedEntries, CacheClock clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxWeight);
        MaxWeight = maxWeight;
        _windowMax = (long)(maxWeight * WindowShare);
        _protectedMax = (long)((maxWeight - _windowMax) * ProtectedShareOfMain);
        _sketch = new FrequencySketch(expectedEntries);
        _clock = clock;
        _lastSweepMs = clock.NowMs();
    }

    public long MaxWeight { get; }

    /// <summary>Bytes currently held (sum of entry weights).</summary>
    public long Weight { get { lock (_policyLock) return _window.Weight + _probation.Weight + _protected.Weight; } }

    public int Count { get { lock (_policyLock) return EntryCount; } }

    private int EntryCount => _window.Count + _probation.Count + _protected.Count;

    /// <summary>Entries evicted to stay within the budget (admission rejections included).</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>Entries dropped because their time-to-live ran out.</summary>
    public long Expirations => Volatile.Read(ref _expirations);

    /// <summary>The hit path: no lock, no allocation.</summary>
    public bool TryGet(string key, out byte[] value)
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
        value = null!;
        return false;
    }

    /// <summary>Like <see cref="TryGet(string, out byte[])"/>, also giving the time left to live (null: none).</summary>
    public bool TryGet(string key, out byte[] value, out TimeSpan? timeToLive)
    {
        long now = _clock.NowMs();
        if (_map.TryGetValue(key, out var node))
        {
            if (!node.IsExpired(now))
            {
                RecordRead(node);
                value = node.Value;
                timeToLive = node.ExpiresAtMs == CacheNode.NoExpiry ? null : TimeSpan.FromMilliseconds(node.ExpiresAtMs - now);
                return true;
            }
            RemoveExpired(node);
        }
        value = null!;
        timeToLive = null;
        return false;
    }

    /// <summary>
    /// Adds or replaces an entry. Returns false when it was not kept (any old value is still removed):
    /// heavier than the whole budget, or a TTL of zero or less, i.e. already stale (null or
    /// <see cref="Timeout.InfiniteTimeSpan"/>: no expiry). An entry kept now may still lose the
    /// admission duel when it leaves the window.
    /// </summary>
    public bool Set(string key, byte[] value, TimeSpan? timeToLive)
    {
        long weight = CacheWeigher.Weigh(key, value.Length);
        bool storable = CacheClock.IsStorable(timeToLive) && weight <= MaxWeight;
        var node = storable ? new CacheNode(key, key.GetHashCode(), value, weight, _clock.ExpiryFor(timeToLive)) : null;
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

    internal int FrequencyOf(string key)
    {
        lock (_policyLock) return _sketch.Frequency(key.GetHashCode());
    }

    private void RecordRead(CacheNode node)
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

    private readonly struct AccessSink(WTinyLfuCache cache) : IReadSink
    {
        public void OnRead(CacheNode node) => cache.OnAccess(node);
    }

    private void OnAccess(CacheNode node)
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
    private void Admit(CacheNode candidate)
    {
        long mainMax = MaxWeight - _windowMax;
        int candidateFrequency = _sketch.Frequency(candidate.Hash);
        while (_probation.Weight + _protected.Weight + candidate.Weight > mainMax)
        {
            var victim = _probation.Head ?? _protected.Head;
            if (victim is null || !Beats(candidateFrequency, _sketch.Frequency(victim.Hash)))
            {
                candidate.Region = Region.Removed;
                _map.TryRemove(new KeyValuePair<string, CacheNode>(candidate.Key, candidate));
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

    private void EvictNode(CacheNode node)
    {
        _map.TryRemove(new KeyValuePair<string, CacheNode>(node.Key, node));
        Unlink(node);
        _evictions++;
    }

    private void RemoveExpired(CacheNode node)
    {
        lock (_policyLock)
        {
            if (node.Region == Region.Removed) return;
            if (_map.TryRemove(new KeyValuePair<string, CacheNode>(node.Key, node))) _expirations++;
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

    private void SweepExpired(AccessOrderQueue queue, long now)
    {
        for (var node = queue.Head; node is not null;)
        {
            var next = node.Next;
            if (node.IsExpired(now))
            {
                _map.TryRemove(new KeyValuePair<string, CacheNode>(node.Key, node));
                Unlink(node);
                _expirations++;
            }
            node = next;
        }
    }

    private void Unlink(CacheNode node)
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
