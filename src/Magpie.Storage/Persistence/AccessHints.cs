namespace Magpie.Storage.Persistence;

/// <summary>Sets a key's LRU/LFU state from a saved hint (RESTORE IDLETIME/FREQ, RDB IDLE/FREQ), as objectSetLRUOrLFU.</summary>
public static class AccessHints
{
    /// <summary>
    /// Under an LFU policy a frequency (0-255) sets the counter; otherwise an idle time in seconds
    /// back-dates the LRU clock. A negative value means "not given". Returns true when applied.
    /// </summary>
    public static bool Apply(Entry entry, Keyspace keyspace, long frequency, long idleSeconds)
    {
        long now = keyspace.Now;
        if (keyspace.Policy.IsLfu())
        {
            if (frequency < 0) return false;
            entry.Access = (AccessClock.LfuNew(now) & ~0xffu) | (uint)Math.Min(frequency, 255);
            return true;
        }
        if (idleSeconds < 0) return false;
        entry.Access = AccessClock.LruNow(now - Math.Min(idleSeconds, long.MaxValue / 2000) * 1000);
        return true;
    }
}
