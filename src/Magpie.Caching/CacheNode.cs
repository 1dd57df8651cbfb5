namespace Magpie.Caching;

/// <summary>Which W-TinyLFU queue an entry is in.</summary>
internal enum Region : byte
{
    Window,
    Probation,
    Protected,
    Removed,
}

/// <summary>
/// One cache entry. Key, value, weight and expiry never change (an update makes a new node), so a
/// reader that got a node from the map sees a consistent entry without a lock. The queue links and
/// region belong to the policy and are touched only under the policy lock.
/// </summary>
internal sealed class CacheNode<TValue>(string key, int hash, TValue value, long weight, long expiresAtMs)
{
    
    public readonly string Key = key;
    public readonly int Hash = hash;
    public readonly TValue Value = value;
    public readonly long Weight = weight;
    public readonly long ExpiresAtMs = expiresAtMs;

    public Region Region;
    public CacheNode<TValue>? Previous;
    public CacheNode<TValue>? Next;

    public bool IsExpired(long nowMs) => ExpiresAtMs != CacheClock.NoExpiry && ExpiresAtMs <= nowMs;

    /// <summary>Reads the clock only for entries that can expire (the hit path).</summary>
    public bool IsLive(CacheClock clock) => ExpiresAtMs == CacheClock.NoExpiry || ExpiresAtMs > clock.NowMs();
}
