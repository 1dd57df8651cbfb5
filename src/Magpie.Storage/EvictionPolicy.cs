namespace Magpie.Storage;

/// <summary>maxmemory-policy, with Redis's names.</summary>
public enum EvictionPolicy
{
    NoEviction,
    AllKeysLru,
    AllKeysLfu,
    AllKeysRandom,
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
}

public static class EvictionPolicyNames
{
    // In Redis's order, which its CONFIG SET error lists them in.
    private static readonly (string Name, EvictionPolicy Policy)[] Names =
    [
        ("volatile-lru", EvictionPolicy.VolatileLru),
        ("volatile-lfu", EvictionPolicy.VolatileLfu),
        ("volatile-random", EvictionPolicy.VolatileRandom),
        ("volatile-ttl", EvictionPolicy.VolatileTtl),
        ("allkeys-lru", EvictionPolicy.AllKeysLru),
        ("allkeys-lfu", EvictionPolicy.AllKeysLfu),
        ("allkeys-random", EvictionPolicy.AllKeysRandom),
        ("noeviction", EvictionPolicy.NoEviction),
    ];

    public static IEnumerable<string> All => Names.Select(n => n.Name);

    public static string Name(this EvictionPolicy policy) => Names.First(n => n.Policy == policy).Name;

    public static bool TryParse(string name, out EvictionPolicy policy)
    {
        foreach (var (n, p) in Names)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                policy = p;
                return true;
            }
        }
        policy = EvictionPolicy.NoEviction;
        return false;
    }

    public static bool IsLfu(this EvictionPolicy p) => p is EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu;

    public static bool IsVolatileOnly(this EvictionPolicy p) =>
        p is EvictionPolicy.VolatileLru or EvictionPolicy.VolatileLfu or EvictionPolicy.VolatileRandom or EvictionPolicy.VolatileTtl;
}
