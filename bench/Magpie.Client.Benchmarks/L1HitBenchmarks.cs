using BenchmarkDotNet.Attributes;
using Magpie.Client.Caching;

namespace Magpie.Client.Benchmarks;

/// <summary>The in-process hit path: must be allocation-free and well over 10M ops/s on one core.</summary>
[MemoryDiagnoser]
public class L1HitBenchmarks
{
    private static readonly Func<CancellationToken, Task<string>> Factory = static _ => Task.FromResult("loaded");
    private TieredCache _cache = null!;
    private MemoryCacheLevel _level = null!;
    private string[] _keys = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _level = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = 10_000 });
        _cache = new TieredCache([_level]);
        _keys = Enumerable.Range(0, 1_024).Select(i => $"key:{i}").ToArray();
        foreach (var key in _keys) _cache.SetAsync(key, "value:" + key).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "TieredCache.GetOrSetAsync (L1 hit)")]
    public string GetOrSetHit()
    {
        var key = _keys[_next++ & 1023];
        var pending = _cache.GetOrSetAsync(key, Factory);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "MemoryCacheLevel.TryGet (hit)")]
    public object? LevelHit()
    {
        _level.TryGet(_keys[_next++ & 1023], out var item);
        return item;
    }
}
