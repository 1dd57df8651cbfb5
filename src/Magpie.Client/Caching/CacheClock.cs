namespace Magpie.Client.Caching;

/// <summary>
/// "Now" for expiry checks on the hit path. Reading the wall clock can cost ~90 ns on some VMs and
/// sandboxes (no vDSO), more than the rest of an L1 hit; Environment.TickCount64 costs ~9 ns. So the
/// system clock is read once a second and TickCount64 (millisecond-ish resolution, plenty for cache
/// expiry) advances it in between. A custom <see cref="TimeProvider"/> (tests) is always asked directly.
/// </summary>
internal sealed class CacheClock
{
    private const long RebaseAfterMs = 1_000;

    private readonly TimeProvider? _custom;
    private DateTimeOffset _baseUtc;
    private long _baseTick;

    private CacheClock(TimeProvider? custom)
    {
        _custom = custom;
        _baseUtc = DateTimeOffset.UtcNow;
        _baseTick = Environment.TickCount64;
    }

    public static CacheClock For(TimeProvider? time) =>
        new(time is null || ReferenceEquals(time, TimeProvider.System) ? null : time);

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
}
