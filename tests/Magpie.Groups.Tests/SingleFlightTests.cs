using Magpie.Caching;
namespace Magpie.Groups.Tests;

[Collection(TimingSensitive.Name)]
public class SingleFlightTests
{
    private static CacheGroup Group(Func<string, LoaderContext, CancellationToken, ValueTask<LoadResult>> loader, TimeSpan? loaderTimeout = null)
    {
        var timeout = loaderTimeout ?? TimeSpan.FromSeconds(5);
        return new(new GroupOptions { Name = "g", LoaderTimeout = timeout, PeerTimeout = timeout * 2 }, loader);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_thousand_concurrent_gets_of_a_cold_key_call_the_loader_once()
    {
        int calls = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var group = Group(async (key, _, ct) =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task.WaitAsync(ct);
            return LoadResult.Found(Bytes.Of("v:" + key));
        });

        var gets = new Task<byte[]>[1000];
        Parallel.For(0, gets.Length, i => gets[i] = group.GetAsync("cold").AsTask());
        gate.SetResult();
        var values = await Task.WhenAll(gets);

        Assert.Equal(1, calls);
        Assert.All(values, v => Assert.Equal("v:cold", Bytes.Text(v)));
        Assert.Same(values[0], values[999]); // one load, one shared array
        Assert.Equal(1, group.Stats.Loads);
        Assert.Equal(1000, group.Stats.Misses);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_loader_error_reaches_every_waiter_and_is_not_cached()
    {
        int calls = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var group = Group(async (_, _, ct) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await gate.Task.WaitAsync(ct);
                throw new InvalidOperationException("database is down");
            }
            return LoadResult.Found(Bytes.Of("recovered"));
        });

        var gets = Enumerable.Range(0, 50).Select(_ => group.GetAsync("k").AsTask()).ToArray();
        gate.SetResult();
        foreach (var get in gets)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => get);
            Assert.Equal("database is down", error.Message);
        }
        Assert.Equal(1, calls);
        Assert.Equal(1, group.Stats.LoadErrors);

        Assert.Equal("recovered", Bytes.Text(await group.GetAsync("k")));
        Assert.Equal(2, calls);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_slow_loader_times_out_for_every_waiter_and_the_next_get_retries()
    {
        int calls = 0;
        var group = Group(async (_, _, ct) =>
        {
            if (Interlocked.Increment(ref calls) == 1) await Task.Delay(Timeout.Infinite, ct);
            return LoadResult.Found(Bytes.Of("fast"));
        }, loaderTimeout: TimeSpan.FromMilliseconds(200));

        var started = DateTime.UtcNow;
        var gets = Enumerable.Range(0, 10).Select(_ => group.GetAsync("k").AsTask()).ToArray();
        foreach (var get in gets) await Assert.ThrowsAsync<TimeoutException>(() => get);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(3));
        Assert.Equal(1, calls);

        Assert.Equal("fast", Bytes.Text(await group.GetAsync("k")));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_loader_that_ignores_its_token_still_times_out()
    {
        var never = new TaskCompletionSource<LoadResult>();
        var group = Group((_, _, _) => new ValueTask<LoadResult>(never.Task), loaderTimeout: TimeSpan.FromMilliseconds(100));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => group.GetAsync("k").AsTask());
        Assert.Contains("'g'", error.Message);
    }

    [Fact(Timeout = 15_000)]
    public async Task One_caller_cancelling_does_not_cancel_the_shared_load()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var group = Group(async (_, _, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return LoadResult.Found(Bytes.Of("v"));
        });
        using var impatient = new CancellationTokenSource();
        var cancelled = group.GetAsync("k", impatient.Token).AsTask();
        var patient = group.GetAsync("k").AsTask();
        impatient.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.SetResult();
        Assert.Equal("v", Bytes.Text(await patient));
        Assert.Equal(1, group.Stats.Loads);
    }

    [Fact(Timeout = 15_000)]
    public async Task Different_keys_load_independently()
    {
        await Task.Yield();
        var flight = new SingleFlight<int>();
        var gateA = new TaskCompletionSource<int>();
        var a = flight.RunAsync("a", gateA, static (g, _) => g.Task);
        var b = flight.RunAsync("b", 0, static (_, _) => Task.FromResult(2));
        Assert.Equal(2, await b);
        Assert.False(a.IsCompleted);
        Assert.Same(a, flight.RunAsync("a", gateA, static (g, _) => g.Task));
        gateA.SetResult(1);
        Assert.Equal(1, await a);
        Assert.Equal(0, flight.InFlight);
    }
}
