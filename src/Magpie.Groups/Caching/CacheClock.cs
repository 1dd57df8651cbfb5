namespace Magpie.Groups.Caching;

/// <summary>
/// Monotonic milliseconds for expiry. The system clock path is <see cref="Environment.TickCount64"/>
/// (cheap enough for every hit); any other <see cref="TimeProvider"/> (tests) is honoured exactly.
/// </summary>
internal sealed class CacheClock
{
    private readonly TimeProvider? _custom;
    private readonly long _origin;

    public CacheClock(TimeProvider? timeProvider)
    {
        if (timeProvider is null || ReferenceEquals(timeProvider, TimeProvider.System)) return;
        _custom = timeProvider;
        _origin = timeProvider.GetTimestamp();
    }

    public long NowMs() => _custom is null ? Environment.TickCount64 : (long)_custom.GetElapsedTime(_origin).TotalMilliseconds;

    /// <summary>
    /// Absolute expiry for a time-to-live: <see cref="CacheNode.NoExpiry"/> for null or
    /// <see cref="Timeout.InfiniteTimeSpan"/>. Call only for positive or infinite TTLs (see <see cref="IsStorable"/>).
    /// </summary>
    public long ExpiryFor(TimeSpan? ttl) =>
        ttl is { } t && t != Timeout.InfiniteTimeSpan ? NowMs() + (long)Math.Ceiling(t.TotalMilliseconds) : CacheNode.NoExpiry;

    /// <summary>A TTL of zero or less (other than infinite) means the value is already stale: do not store it.</summary>
    public static bool IsStorable(TimeSpan? ttl) => ttl is not { } t || t == Timeout.InfiniteTimeSpan || t > TimeSpan.Zero;
}
