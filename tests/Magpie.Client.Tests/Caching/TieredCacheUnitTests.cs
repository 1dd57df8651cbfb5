using Magpie.Client.Caching;

namespace Magpie.Client.Tests.Caching;

/// <summary>The tiered cache over an in-process level only: singleflight, expiry, fail-safe.</summary>
public sealed class TieredCacheUnitTests
{
    [Fact(Timeout = 30_000)]
    public async Task Thousand_concurrent_callers_for_one_key_make_exactly_one_factory_call()
    {
        var cache = new TieredCache([new MemoryCacheLevel()]);
        int calls = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<string> Factory(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            await gate.Task; // hold the load open until every caller is waiting
            return "loaded";
        }

        var callers = Enumerable.Range(0, 1_000)
            .Select(_ => Task.Run(() => cache.GetOrSetAsync("one-key", Factory).AsTask()))
            .ToArray();
        await Task.Delay(200);
        gate.SetResult();
        var results = await Task.WhenAll(callers).Within();
        Assert.All(results, r => Assert.Equal("loaded", r));
        Assert.Equal(1, calls);

        // Later callers hit L1 without calling the factory again.
        Assert.Equal("loaded", await cache.GetOrSetAsync("one-key", Factory).AsTask().Within());
        Assert.Equal(1, calls);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_waiter_can_stop_waiting_without_cancelling_the_load()
    {
        var cache = new TieredCache([new MemoryCacheLevel()]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<CancellationToken, Task<int>> factory = async _ => { await gate.Task; return 7; };
        using var cts = new CancellationTokenSource();
        var impatient = cache.GetOrSetAsync("k", factory, cancellationToken: cts.Token).AsTask();
        var patient = cache.GetOrSetAsync("k", factory).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.Within());
        gate.SetResult();
        Assert.Equal(7, await patient.Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Expired_value_is_reloaded_and_fail_safe_serves_stale_on_factory_error()
    {
        var time = new ManualTimeProvider();
        var cache = new TieredCache([new MemoryCacheLevel(time: time)], time: time);
        var options = new CacheEntryOptions
        {
            Duration = TimeSpan.FromSeconds(10),
            IsFailSafeEnabled = true,
            FailSafeMaxDuration = TimeSpan.FromMinutes(1),
            FailSafeThrottleDuration = TimeSpan.FromSeconds(5),
        };
        Assert.Equal("v1", await cache.GetOrSetAsync("k", _ => Task.FromResult("v1"), options).AsTask().Within());

        time.Advance(TimeSpan.FromSeconds(11));
        int failures = 0;
        Func<CancellationToken, Task<string>> failing = _ => { failures++; throw new InvalidOperationException("source down"); };
        Assert.Equal("v1", await cache.GetOrSetAsync("k", failing, options).AsTask().Within());
        // Throttled: the stale value counts as fresh for 5 s, so the failing source isn't called again.
        Assert.Equal("v1", await cache.GetOrSetAsync("k", failing, options).AsTask().Within());
        Assert.Equal(1, failures);

        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("v2", await cache.GetOrSetAsync("k", _ => Task.FromResult("v2"), options).AsTask().Within());

        // Past the fail-safe window the error surfaces.
        time.Advance(TimeSpan.FromMinutes(5));
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrSetAsync("k", failing, options).AsTask().Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_fail_safe_factory_errors_surface_and_are_not_cached()
    {
        var cache = new TieredCache([new MemoryCacheLevel()]);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            cache.GetOrSetAsync<string>("k", _ => throw new InvalidOperationException("boom")).AsTask().Within());
        Assert.Equal("ok", await cache.GetOrSetAsync("k", _ => Task.FromResult("ok")).AsTask().Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Set_remove_and_try_get()
    {
        var cache = new TieredCache([new MemoryCacheLevel()]);
        Assert.False((await cache.TryGetAsync<int>("n")).HasValue);
        await cache.SetAsync("n", 42);
        Assert.Equal(42, (await cache.TryGetAsync<int>("n")).Value);
        await cache.RemoveAsync("n");
        Assert.False((await cache.TryGetAsync<int>("n")).HasValue);

        await cache.SetAsync("tagged", "x", tags: ["group"]);
        await cache.RemoveByTagAsync("group");
        Assert.False((await cache.TryGetAsync<string>("tagged")).HasValue);
    }
}
