namespace Magpie.Storage;

/// <summary>Counters INFO stats reports, with Redis's field names in comments.</summary>
public sealed class KeyspaceStats
{
    public long KeyspaceHits;     // keyspace_hits
    public long KeyspaceMisses;   // keyspace_misses
    public long ExpiredKeys;      // expired_keys
    public long EvictedKeys;      // evicted_keys
    public long ExpireCycles;     // (active expiry runs)

    public void Reset()
    {
        KeyspaceHits = KeyspaceMisses = ExpiredKeys = EvictedKeys = ExpireCycles = 0;
    }
}
