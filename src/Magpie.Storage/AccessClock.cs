namespace Magpie.Storage;

/// <summary>
/// Redis's per-key access tracking in 32 bits: under LRU policies a seconds clock; under LFU
/// policies 16 bits of minutes (last decrement time) and an 8-bit logarithmic counter.
/// </summary>
public static class AccessClock
{
    public const int LfuInitialValue = 5;
    private const uint LruMax = (1 << 24) - 1;

    public static uint LruNow(long nowMs) => (uint)(nowMs / 1000) & LruMax;

    public static long IdleMilliseconds(uint access, long nowMs)
    {
        uint now = LruNow(nowMs);
        uint idle = now >= access ? now - access : LruMax - access + now;
        return idle * 1000L;
    }

    public static uint LfuNew(long nowMs) => (Minutes(nowMs) << 8) | LfuInitialValue;

    /// <summary>Decays the counter by elapsed periods, then increments it with probability 1/(base*factor+1).</summary>
    public static uint LfuTouch(uint access, long nowMs, int logFactor, int decayMinutes, Random rng)
    {
        uint counter = LfuDecayed(access, nowMs, decayMinutes);
        if (counter < 255)
        {
            double baseValue = Math.Max(0, (int)counter - LfuInitialValue);
            double p = 1.0 / (baseValue * logFactor + 1);
            if (rng.NextDouble() < p) counter++;
        }
        return (Minutes(nowMs) << 8) | counter;
    }

    /// <summary>The counter after decay, as OBJECT FREQ and eviction read it.</summary>
    public static uint LfuDecayed(uint access, long nowMs, int decayMinutes)
    {
        uint counter = access & 0xff;
        if (decayMinutes <= 0) return counter;
        uint last = access >> 8;
        uint now = Minutes(nowMs);
        uint elapsed = now >= last ? now - last : 65535 - last + now;
        uint periods = elapsed / (uint)decayMinutes;
        return periods > counter ? 0 : counter - periods;
    }

    private static uint Minutes(long nowMs) => (uint)(nowMs / 60000) & 0xffff;
}
