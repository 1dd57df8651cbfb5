using System.Diagnostics;
using Magpie.Client.Caching;
using Magpie.Caching;

namespace Magpie.Groups.Benchmarks;

/// <summary>
/// The measurement behind "one cache core": the same Zipf trace and a hot-key read loop replayed
/// against the core as Magpie.Groups uses it (bytes) and as Magpie.Client's L1 uses it
/// (MemoryCacheLevel), one thread and two. Before the merge the client's L1 had a policy of its own;
/// the figures of that run are in docs/performance.md ("One cache core").
/// </summary>
internal static class CoreComparison
{
    public static void Run(TextWriter output)
    {
        int[] trace = ZipfTrace.Generate(50_000, 0.86, 1_000_000, 42);
        string[] names = Enumerable.Range(0, 50_000).Select(rank => $"key:{rank:00000}").ToArray();
        var value = new byte[16];
        const int capacity = 625;

        var groups = new WTinyLfuCache<byte[]>(capacity * CacheWeigher.Weigh(names[0], value.Length), capacity, new CacheClock(null), CacheWeigher.Weigh);
        var item = new CacheItem(value, value, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, 16);
        var client = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = capacity });

        var watch = Stopwatch.StartNew();
        long gHits = 0;
        foreach (int rank in trace) { if (groups.TryGet(names[rank], out _)) gHits++; else groups.Set(names[rank], value, null); }
        double gMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        long cHits = 0;
        foreach (int rank in trace) { if (client.TryGet(names[rank], out _)) cHits++; else client.Set(names[rank], item); }
        double cMs = watch.Elapsed.TotalMilliseconds;
        output.WriteLine($"Zipf(0.86), 1M requests, 50k keys, 625 entries:");
        output.WriteLine($"  Groups (WTinyLfuCache):   hit ratio {100.0 * gHits / trace.Length:F2}%  replay {trace.Length / gMs / 1000:F2} M ops/s");
        output.WriteLine($"  Client MemoryCacheLevel:  hit ratio {100.0 * cHits / trace.Length:F2}%  replay {trace.Length / cMs / 1000:F2} M ops/s");

        // Hit path: 1024 cached keys read in a loop on 1 and 2 threads.
        string[] hot = names[..1024];
        var g2 = new WTinyLfuCache<byte[]>(64L << 20, 2048, new CacheClock(null), CacheWeigher.Weigh);
        var c2 = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = 4096 });
        foreach (var k in hot) { g2.Set(k, value, TimeSpan.FromHours(1)); c2.Set(k, item); }
        for (int threads = 1; threads <= Math.Min(2, Environment.ProcessorCount); threads++)
        {
            double g = Hits(threads, i => g2.TryGet(hot[i & 1023], out _));
            double c = Hits(threads, i => c2.TryGet(hot[i & 1023], out _));
            output.WriteLine($"  hits, {threads} thread(s): Groups {g / 1e6:F1} M/s, Client {c / 1e6:F1} M/s");
        }
    }

    private static double Hits(int threads, Func<int, bool> get)
    {
        long total = 0;
        var duration = TimeSpan.FromMilliseconds(700);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            long n = 0;
            int i = t * 97;
            var w = Stopwatch.StartNew();
            while (w.Elapsed < duration)
                for (int k = 0; k < 4096; k++, i++) if (get(i)) n++;
            Interlocked.Add(ref total, n);
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        return total / duration.TotalSeconds;
    }
}
