using System.Diagnostics;
using Magpie.Caching;

namespace Magpie.Groups.Benchmarks;

/// <summary>
/// Replays a Zipf(0.86) trace of 50,000 keys (1,000,000 requests, seed 42) against a cache of 625
/// entries (1.25% of the keys) and prints W-TinyLFU's hit ratio beside a plain LRU's. Keys have one
/// length and values one size, so the byte budget of 625 entries is exactly a count bound.
/// </summary>
internal static class HitRatioSimulation
{
    private const int DistinctKeys = 50_000;
    private const double Exponent = 0.86;
    private const int Requests = 1_000_000;
    private const int Capacity = 625;
    private const int Seed = 42;

    public static void Run(TextWriter output)
    {
        int[] trace = ZipfTrace.Generate(DistinctKeys, Exponent, Requests, Seed);
        string[] names = Enumerable.Range(0, DistinctKeys).Select(rank => $"key:{rank:00000}").ToArray();
        var value = new byte[16];

        var tinyLfu = new WTinyLfuCache<byte[]>(Capacity * CacheWeigher.Weigh(names[0], value.Length), Capacity, new CacheClock(null), CacheWeigher.Weigh);
        var lru = new LruCache(Capacity);
        long tinyLfuHits = 0, lruHits = 0;
        var watch = Stopwatch.StartNew();
        foreach (int rank in trace)
        {
            string key = names[rank];
            if (tinyLfu.TryGet(key, out _)) tinyLfuHits++;
            else tinyLfu.Set(key, value, null);
            if (lru.TryGet(key)) lruHits++;
            else lru.Add(key);
        }
        watch.Stop();

        output.WriteLine($"Zipf({Exponent}) trace: {Requests:N0} requests over {DistinctKeys:N0} keys, seed {Seed}; cache of {Capacity} entries (1.25%)");
        output.WriteLine($"  W-TinyLFU hit ratio: {100.0 * tinyLfuHits / Requests:F2}%  ({tinyLfu.Count} entries held, {tinyLfu.Evictions:N0} evictions)");
        output.WriteLine($"  LRU hit ratio:       {100.0 * lruHits / Requests:F2}%");
        output.WriteLine($"  optimal static:      {100.0 * ZipfTrace.OptimalHitRatio(DistinctKeys, Exponent, Capacity):F2}%  (top {Capacity} keys always cached)");
        output.WriteLine($"  replay took {watch.ElapsedMilliseconds} ms for both caches");
    }
}
