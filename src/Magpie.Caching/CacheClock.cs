namespace Magpie.Caching;

/// <summary>
/// "Now" for expiry checks on a cache's hit path, shared by Magpie.Client's L1 and Magpie.Groups.
/// <see cref="NowMs"/> is monotonic milliseconds from <see cref="Environment.TickCount64"/> (~9 ns;
/// the wall clock can cost ~90 ns on VMs without a vDSO, more than the rest of a hit).
/// <see cref="UtcNow"/> is wall-clock time, read from the system once a second and advanced by
/// TickCount64 in between. Any other <see cref="TimeProvider"/> (tests) is honoured exactly.
/// </summary>
public sealed class CacheClock
{
    /// <summary>The expiry of an entry that never expires.</summary>
    public const long NoExpiry = long.MaxValue;

    private const long RebaseAfterMs = 1_000;

    private readonly TimeProvider? _custom;
    private readonly long _origin;
    private DateTimeOffset _baseUtc;
    private long _baseTick;

    public CacheClock(TimeProvider? timeProvider)
    {
        _baseUtc = DateTimeOffset.UtcNow;
        _baseTick = Environment.TickCount64;
        if (timeProvider is null || ReferenceEquals(timeProvider, TimeProvider.System)) return;
        _custom = timeProvider;
        _origin = timeProvider.GetTimestamp();
    }

    /// <summary>The system clock, or <paramref name="time"/> when it is another provider.</summary>
    public static CacheClock For(TimeProvider? time) => new(time);

    public long NowMs() => _custom is null ? Environment.TickCount64 : (long)_custom.GetElapsedTime(_origin).TotalMilliseconds;

    public DateTimeOffset UtcNow
    {
        get
        {
            if (_custom is not null) return _custom.GetUtcNow();
            long elapsed = Environment.TickCount64 - Volatile.Read(ref _baseTick);
            if (elapsed < RebaseAfterMs) return _baseUtc.AddMilliseconds(elapsed);
            // Re-anchor to the wall clock so NTP adjustments are followed. Racing threads may both do it; either result is right.
            var now = DateTimeOffset.UtcNow;
            _baseUtc = now;
            Volatile.Write(ref _baseTick, Environment.TickCount64);
            return now;
        }
    }

    /// <summary>
    /// Absolute expiry (in <see cref="NowMs"/> terms) for a time-to-live: <see cref="NoExpiry"/> for null or
    /// <see cref="Timeout.InfiniteTimeSpan"/>. Call only for positive or infinite TTLs (see <see cref="IsStorable"/>).
    /// </summary>
    public long ExpiryFor(TimeSpan? ttl) =>
        ttl is { } t && t != Timeout.InfiniteTimeSpan ? NowMs() + (long)Math.Ceiling(t.TotalMilliseconds) : NoExpiry;

    /// <summary>A TTL of zero or less (other than infinite) means the value is already stale: do not store it.</summary>
    public static bool IsStorable(TimeSpan? ttl) => ttl is not { } t || t == Timeout.InfiniteTimeSpan || t > TimeSpan.Zero;
}
