using Magpie.Client.Tests.Fixtures;

namespace Magpie.Client.Tests.Commands;

public abstract class TransactionTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact(Timeout = 30_000)]
    public async Task Batch_sends_all_queued_commands_on_execute()
    {
        await using var conn = await server.ConnectAsync();
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        var batch = db.CreateBatch();
        var set = batch.StringSetAsync(key, "1");
        var incr = batch.StringIncrementAsync(key, 5);
        var get = batch.StringGetAsync(key);
        await Task.Delay(50);
        Assert.False(set.IsCompleted); // nothing goes out before Execute
        batch.Execute();
        Assert.True(await set.Within());
        Assert.Equal(6, await incr.Within());
        Assert.Equal("6", (string?)await get.Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Transaction_runs_commands_atomically()
    {
        await using var conn = await server.ConnectAsync();
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        var tx = db.CreateTransaction();
        var set = tx.StringSetAsync(key, "10");
        var incr = tx.StringIncrementAsync(key);
        var push = tx.ListLeftPushAsync(key + ":list", "x");
        Assert.True(await tx.ExecuteAsync().Within());
        Assert.True(await set.Within());
        Assert.Equal(11, await incr.Within());
        Assert.Equal(1, await push.Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Failed_condition_aborts_without_running_anything()
    {
        await using var conn = await server.ConnectAsync();
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        await db.StringSetAsync(key, "exists").Within();
        var tx = db.CreateTransaction();
        tx.AddCondition(Condition.KeyNotExists(key));
        var set = tx.StringSetAsync(key, "overwritten");
        Assert.False(await tx.ExecuteAsync().Within());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => set.Within());
        Assert.Equal("exists", (string?)await db.StringGetAsync(key).Within());

        var ok = db.CreateTransaction();
        ok.AddCondition(Condition.StringEqual(key, "exists"));
        var overwrite = ok.StringSetAsync(key, "new");
        Assert.True(await ok.ExecuteAsync().Within());
        Assert.True(await overwrite.Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Write_to_a_watched_key_before_exec_aborts_the_transaction()
    {
        await using var conn = await server.ConnectAsync();
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        await db.StringSetAsync(key, "original").Within();
        var tx = db.CreateTransaction();
        tx.Watch(key);
        tx.AddCondition(Condition.KeyExists(key));
        var set = tx.StringSetAsync(key, "from-tx");
        // A BLPOP that times out after 0.5 s holds the socket's replies back, so the WATCH reply cannot
        // arrive before the SET below is queued: the SET lands between WATCH and MULTI, a conflicting
        // write (Redis aborts EXEC on any client's write to a watched key, this one's included).
        var hold = db.ExecuteAsync("BLPOP", TestTimeouts.UniqueKey(), "0.5");
        var execute = tx.ExecuteAsync();
        var conflicting = db.StringSetAsync(key, "conflict");
        Assert.True((await hold.Within()).IsNull);
        Assert.False(await execute.Within());
        Assert.True(await conflicting.Within());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => set.Within());
        Assert.Equal("conflict", (string?)await db.StringGetAsync(key).Within());
    }

    [Fact(Timeout = 60_000)]
    public async Task Optimistic_increments_from_two_connections_never_lose_an_update()
    {
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        var key = TestTimeouts.UniqueKey();
        await a.GetDatabase().StringSetAsync(key, 0).Within();
        int committed = 0;

        async Task Worker(IMagpieDatabase db)
        {
            for (int i = 0; i < 50; i++)
            {
                var current = await db.StringGetAsync(key);
                var tx = db.CreateTransaction();
                tx.AddCondition(Condition.StringEqual(key, current));
                _ = tx.StringSetAsync(key, (long)current + 1).ContinueWith(static t => t.Exception, TaskScheduler.Default);
                if (await tx.ExecuteAsync()) Interlocked.Increment(ref committed);
            }
        }

        await Task.WhenAll(Worker(a.GetDatabase()), Worker(b.GetDatabase()), Worker(a.GetDatabase())).Within(TimeSpan.FromSeconds(30));
        Assert.Equal(committed, (long)await a.GetDatabase().StringGetAsync(key).Within());
        Assert.InRange(committed, 1, 150);
    }

    [Fact(Timeout = 30_000)]
    public async Task Error_inside_exec_fails_only_that_command()
    {
        await using var conn = await server.ConnectAsync();
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        var tx = db.CreateTransaction();
        var set = tx.StringSetAsync(key, "text");
        var incr = tx.StringIncrementAsync(key); // WRONG: not an integer, fails at EXEC time
        var get = tx.StringGetAsync(key);
        Assert.True(await tx.ExecuteAsync().Within());
        Assert.True(await set.Within());
        await Assert.ThrowsAsync<MagpieServerException>(() => incr.Within());
        Assert.Equal("text", (string?)await get.Within());
    }
}
