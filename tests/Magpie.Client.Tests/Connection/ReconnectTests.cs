using System.Collections.Concurrent;
using Magpie.Client.Caching;
using Magpie.Client.Tests.Fixtures;
using Magpie.Protocol;

namespace Magpie.Client.Tests.Connection;

/// <summary>Server crashes and restarts. Each test owns its server, since it kills it.</summary>
public abstract class ReconnectTests<TFixture> where TFixture : ServerFixture, new()
{
    [Fact(Timeout = 60_000)]
    public async Task In_flight_command_fails_clearly_when_the_server_dies()
    {
        var server = new TFixture();
        await server.InitializeAsync();
        try
        {
            await using var conn = await server.ConnectAsync();
            var db = conn.GetDatabase();
            var blocked = db.ExecuteAsync("BLPOP", TestTimeouts.UniqueKey(), 0); // blocks until the socket dies
            await Task.Delay(100);
            await server.StopAsync();
            var ex = await Assert.ThrowsAsync<MagpieConnectionException>(() => blocked.Within(TimeSpan.FromSeconds(3)));
            Assert.Contains("BLPOP", ex.Message);
            Assert.Contains(server.EndPoint, ex.Message);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Client_recovers_after_the_server_is_killed_and_restarted_mid_run()
    {
        var server = new TFixture();
        await server.InitializeAsync();
        try
        {
            await using var conn = await server.ConnectAsync(o => o.SyncTimeout = TimeSpan.FromSeconds(3));
            var db = conn.GetDatabase();
            var errors = new ConcurrentBag<Exception>();
            long ok = 0, okAfterRestart = 0;
            bool restarted = false;
            using var stop = new CancellationTokenSource();

            var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"reconnect:{w}:{i % 50}";
                    try
                    {
                        await db.StringSetAsync(key, i);
                        var read = await db.StringGetAsync(key);
                        // Null is fine: the SET may have hit the old server just before the kill (no persistence).
                        if (!read.IsNull) Assert.Equal(i, (long)read);
                        Interlocked.Increment(ref ok);
                        if (Volatile.Read(ref restarted)) Interlocked.Increment(ref okAfterRestart);
                    }
                    catch (MagpieException ex)
                    {
                        errors.Add(ex);
                        await Task.Delay(5);
                    }
                }
            })).ToArray();

            Assert.True(await TestTimeouts.EventuallyAsync(() => Interlocked.Read(ref ok) > 200, TimeSpan.FromSeconds(10)));
            await server.StopAsync();
            await Task.Delay(300);
            await server.StartAsync();
            Volatile.Write(ref restarted, true);
            Assert.True(await TestTimeouts.EventuallyAsync(() => Interlocked.Read(ref okAfterRestart) > 200, TimeSpan.FromSeconds(20)),
                "the client did not recover after the restart: " + string.Join(" | ", workers.Where(w => w.IsFaulted).Select(w => w.Exception!.GetBaseException().Message).Distinct())
                + " errors: " + string.Join(" | ", errors.Select(e => e.Message).Distinct().Take(5)) + $" connected={conn.IsConnected}");
            stop.Cancel();
            await Task.WhenAll(workers).Within(TimeSpan.FromSeconds(10)); // nothing hangs

            // Every failure is a clear client error that names the endpoint; commands queued while down may succeed late.
            Assert.All(errors, e =>
            {
                Assert.True(e is MagpieConnectionException or MagpieTimeoutException, e.ToString());
                Assert.Contains(server.EndPoint, e.Message);
            });
            Assert.True(conn.IsConnected);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Subscriptions_come_back_after_a_restart()
    {
        var server = new TFixture();
        await server.InitializeAsync();
        try
        {
            await using var conn = await server.ConnectAsync();
            await using var publisher = await server.ConnectAsync();
            var received = new ConcurrentQueue<string>();
            await conn.GetSubscriber().SubscribeAsync("restart-channel", (_, v) => received.Enqueue(v.ToString())).Within();

            await server.StopAsync();
            await server.StartAsync();
            // Publish until the resubscribed handler sees it (both sides reconnect on their own schedule).
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!received.Contains("after") && DateTime.UtcNow < deadline)
            {
                try { await publisher.GetDatabase().PublishAsync("restart-channel", "after").Within(TimeSpan.FromSeconds(5)); }
                catch (MagpieException) { /* the publisher is still reconnecting */ }
                await Task.Delay(50);
            }
            Assert.Contains("after", received);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Tiered_cache_keeps_serving_from_the_factory_while_the_server_is_down()
    {
        var server = new TFixture();
        await server.InitializeAsync();
        try
        {
            await using var conn = await server.ConnectAsync();
            await using var cache = await TieredCache.CreateAsync(conn, new TieredCacheOptions { Invalidation = InvalidationMode.PubSub }).Within();
            await server.StopAsync();
            Assert.True(await TestTimeouts.EventuallyAsync(() => !conn.IsConnected, TimeSpan.FromSeconds(5)));

            // L2 is skipped at once rather than waited on for the sync timeout.
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal("from-source", await cache.GetOrSetAsync("down", _ => Task.FromResult("from-source")).AsTask().Within());
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed.TotalMilliseconds:F0} ms");
            Assert.Equal("from-source", (await cache.TryGetAsync<string>("down").AsTask().Within()).Value);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData(RespVersion.Resp2, InvalidationMode.PubSub)]
    [InlineData(RespVersion.Resp3, InvalidationMode.Auto)]
    public async Task Local_copies_are_dropped_after_a_reconnect_since_invalidations_may_have_been_missed(RespVersion protocol, InvalidationMode mode)
    {
        var server = new TFixture();
        await server.InitializeAsync();
        try
        {
            await using var conn = await server.ConnectAsync(o => o.Protocol = protocol);
            await using var cache = await TieredCache.CreateAsync(conn, new TieredCacheOptions { Invalidation = mode }).Within();
            await cache.SetAsync("k", "v").AsTask().Within();
            var local = (MemoryCacheLevel)cache.Levels[0];
            Assert.True(local.TryGet("k", out _));
            var cleared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cache.Invalidated += key => { if (key is null) cleared.TrySetResult(); };

            await server.StopAsync();
            await server.StartAsync();
            await cleared.Task.Within(TimeSpan.FromSeconds(15));
            Assert.False(local.TryGet("k", out _));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
