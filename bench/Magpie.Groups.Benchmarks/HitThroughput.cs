using System.Diagnostics;

namespace Magpie.Groups.Benchmarks;

/// <summary>
/// Hits per second on 1..N threads against one group where every key is cached: shows whether the
/// hit path (striped read buffer, striped counters) scales across cores instead of contending.
/// </summary>
internal static class HitThroughput
{
    private const int Keys = 1024;

    public static void Run(TextWriter output, int maxThreads, TimeSpan duration)
    {
        string[] keys = Enumerable.Range(0, Keys).Select(i => $"user:{i:0000}").ToArray();
        var group = new CacheGroup(
            new GroupOptions { Name = "bench", MaxBytes = 64L << 20, DefaultTtl = TimeSpan.FromHours(1) },
            (_, _, _) => ValueTask.FromResult(LoadResult.Found(new byte[64])));
        foreach (var key in keys) group.GetAsync(key).AsTask().GetAwaiter().GetResult();

        output.WriteLine($"Group hit throughput, {Keys} cached keys, {duration.TotalSeconds:0.#} s per run, {Environment.ProcessorCount} cores");
        for (int threads = 1; threads <= maxThreads; threads++)
        {
            long total = Measure(group, keys, threads, TimeSpan.FromMilliseconds(300)); // warm-up
            total = Measure(group, keys, threads, duration);
            output.WriteLine($"  {threads} thread(s): {total / duration.TotalSeconds / 1e6:F1} M hits/s");
        }
        var stats = group.Stats;
        output.WriteLine($"  (group counted {stats.Hits:N0} hits, {stats.Misses} misses after warm-up loads)");
    }

    private static long Measure(CacheGroup group, string[] keys, int threads, TimeSpan duration)
    {
        long total = 0;
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            long hits = 0;
            int i = t * 97;
            start.SignalAndWait();
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < duration)
            {
                for (int n = 0; n < 4096; n++, i++)
                    if (group.GetAsync(keys[i & (Keys - 1)]).IsCompletedSuccessfully) hits++;
            }
            Interlocked.Add(ref total, hits);
        })).ToArray();
        foreach (var worker in workers) worker.Start();
        start.SignalAndWait();
        foreach (var worker in workers) worker.Join();
        return total;
    }
}
