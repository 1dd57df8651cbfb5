using BenchmarkDotNet.Attributes;
using Magpie.Caching;

namespace Magpie.Groups.Benchmarks;

/// <summary>
/// The group hit path on one thread: every key is cached, so each call is a dictionary lookup plus a
/// buffered access record. [MemoryDiagnoser] must show 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class HitPathBenchmarks
{
    private const int Keys = 1024;
    private string[] _keys = [];
    private CacheGroup _group = null!;
    private WTinyLfuCache<byte[]> _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = Enumerable.Range(0, Keys).Select(i => $"user:{i:0000}").ToArray();
        _group = new CacheGroup(
            new GroupOptions { Name = "bench", MaxBytes = 64L << 20, DefaultTtl = TimeSpan.FromHours(1) },
            (key, _, _) => ValueTask.FromResult(LoadResult.Found(new byte[64])));
        foreach (var key in _keys) _group.GetAsync(key).AsTask().GetAwaiter().GetResult();
        _cache = new WTinyLfuCache<byte[]>(64L << 20, 4096, new CacheClock(null), CacheWeigher.Weigh);
        foreach (var key in _keys) _cache.Set(key, new byte[64], TimeSpan.FromHours(1));
    }

    [Benchmark(OperationsPerInvoke = Keys, Baseline = true)]
    public int GroupGetAsync()
    {
        int total = 0;
        foreach (var key in _keys)
        {
            var pending = _group.GetAsync(key);
            total += pending.Result.Length; // completed synchronously on a hit
        }
        return total;
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public int CacheTryGet()
    {
        int total = 0;
        foreach (var key in _keys)
            if (_cache.TryGet(key, out var value)) total += value.Length;
        return total;
    }
}
