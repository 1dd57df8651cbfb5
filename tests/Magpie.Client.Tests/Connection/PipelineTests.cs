using System.Diagnostics;
using Magpie.Client.Tests.Fixtures;

namespace Magpie.Client.Tests.Connection;

/// <summary>Multiplexing: many callers on one socket, every reply matched to its caller.</summary>
public abstract class PipelineTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact(Timeout = 60_000)]
    public async Task Ten_thousand_concurrent_commands_from_100_tasks_get_their_own_replies()
    {
        await using var conn = await server.ConnectAsync();
        var db = conn.GetDatabase();
        string prefix = TestTimeouts.UniqueKey("pipe");
        const int Tasks = 100, PerTask = 100;

        var workers = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            // Each task keeps its 100 commands in flight at once: SETs then GETs, awaited together.
            var sets = Enumerable.Range(0, PerTask).Select(i => db.StringSetAsync($"{prefix}:{t}:{i}", $"{t}/{i}")).ToArray();
            await Task.WhenAll(sets);
            var gets = Enumerable.Range(0, PerTask).Select(i => db.StringGetAsync($"{prefix}:{t}:{i}")).ToArray();
            var values = await Task.WhenAll(gets);
            for (int i = 0; i < PerTask; i++) Assert.Equal($"{t}/{i}", values[i].ToString());
            return values.Length;
        })).ToArray();

        var counts = await Task.WhenAll(workers).Within(TimeSpan.FromSeconds(30));
        Assert.Equal(Tasks * PerTask, counts.Sum());
    }

    [Fact(Timeout = 30_000)]
    public async Task Timeout_names_command_endpoint_wait_and_queue_depth()
    {
        await using var conn = await server.ConnectAsync(o => o.SyncTimeout = TimeSpan.FromMilliseconds(200));
        var db = conn.GetDatabase();
        var blockedKey = TestTimeouts.UniqueKey();
        // BLPOP blocks the socket server-side for 2 s, so the GETs behind it wait too.
        var blocker = db.ExecuteAsync("BLPOP", blockedKey, 2);
        var behind = Enumerable.Range(0, 5).Select(_ => db.StringGetAsync(blockedKey)).ToArray();

        var ex = await Assert.ThrowsAsync<MagpieTimeoutException>(() => blocker.Within());
        Assert.Matches(@"^Timeout after \d+ ms waiting for reply to BLPOP on 127\.0\.0\.1:\d+ \(\d+ commands queued, \d+ in flight\)$", ex.Message);
        Assert.Equal("BLPOP", ex.Command);
        Assert.Equal(server.EndPoint, ex.EndPoint);
        Assert.InRange(ex.ElapsedMilliseconds, 200, 5_000);
        Assert.Equal(6, ex.Queued + ex.InFlight);
        foreach (var task in behind) await Assert.ThrowsAsync<MagpieTimeoutException>(() => task.Within());

        // Once the BLPOP reply arrives the late replies are matched and dropped; the connection still works.
        await Task.Delay(2_100);
        Assert.True(await db.StringSetAsync(blockedKey, "ok").Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Commands_issued_before_connect_wait_in_the_backlog()
    {
        await using var conn = MagpieConnection.Create(server.CreateOptions());
        var key = TestTimeouts.UniqueKey();
        var set = conn.GetDatabase().StringSetAsync(key, "early");
        Assert.True(await set.Within());
        Assert.Equal("early", (string?)await conn.GetDatabase().StringGetAsync(key).Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Connecting_to_a_closed_port_fails_clearly()
    {
        var options = server.CreateOptions(o => { o.Port = 1; o.ConnectTimeout = TimeSpan.FromSeconds(2); });
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<MagpieConnectionException>(() => MagpieConnection.ConnectAsync(options).Within());
        Assert.Contains("127.0.0.1:1", ex.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }
}
