namespace Magpie.Storage;

/// <summary>
/// Chooses a key to evict by sampling, as Redis approximates LRU/LFU/TTL: look at
/// maxmemory-samples random candidates per database and take the best by the policy.
/// </summary>
internal static class Evictor
{
    public static (Database Db, Entry Entry)? PickVictim(Keyspace keyspace, Random rng)
    {
        var policy = keyspace.Policy;
        long now = keyspace.Now;
        (Database Db, Entry Entry)? best = null;
        long bestScore = long.MinValue;
        for (int d = 0; d < keyspace.DatabaseCount; d++)
        {
            var db = keyspace[d];
            bool volatileOnly = policy.IsVolatileOnly();
            if ((volatileOnly ? db.VolatileCount : db.Count) == 0) continue;
            for (int i = 0; i < keyspace.MaxMemorySamples; i++)
            {
                var e = volatileOnly ? db.RandomVolatile(rng) : db.RandomEntry(rng);
                if (e is null) break;
                long score = Score(policy, e, now, keyspace, rng);
                if (best is null || score > bestScore)
                {
                    best = (db, e);
                    bestScore = score;
                }
            }
        }
        return best;
    }

    /// <summary>Higher is a better victim.</summary>
    private static long Score(EvictionPolicy policy, Entry e, long now, Keyspace ks, Random rng) => policy switch
    {
        EvictionPolicy.AllKeysLru or EvictionPolicy.VolatileLru => AccessClock.IdleMilliseconds(e.Access, now),
        EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu => 255 - AccessClock.LfuDecayed(e.Access, now, ks.LfuDecayTime),
        EvictionPolicy.VolatileTtl => long.MaxValue - e.ExpireAt,
        _ => rng.NextInt64(),
    };
}
