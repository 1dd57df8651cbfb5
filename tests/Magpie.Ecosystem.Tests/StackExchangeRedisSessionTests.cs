using Magpie.Ecosystem.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Magpie.Ecosystem.Tests;

/// <summary>
/// One StackExchange.Redis session, as a .NET service would run it, played against a Magpie node
/// and against redis-server 7.0; every result is written down and the two transcripts must be equal.
/// Lua scripts (ScriptEvaluate, FCALL) are in StackExchangeRedisScriptTests; cluster mode is not covered here.
/// </summary>
public sealed class StackExchangeRedisSessionTests(ServersFixture servers, ITestOutputHelper output) : IClassFixture<ServersFixture>
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task Session_gives_the_same_results_on_magpie_and_redis(RedisProtocol protocol)
    {
        var magpie = await RunSessionAsync(servers.Magpie.Port, protocol);
        var redis = await RunSessionAsync(servers.Redis.Port, protocol);
        foreach (var line in magpie) output.WriteLine(line);
        Assert.True(redis.Count > 100, $"the session recorded only {redis.Count} results");
        for (int i = 0; i < Math.Min(magpie.Count, redis.Count); i++)
            Assert.True(redis[i] == magpie[i], $"step {i}: redis-server said\n  {redis[i]}\nmagpie said\n  {magpie[i]}");
        Assert.Equal(redis.Count, magpie.Count);
    }

    [Fact]
    public async Task Pub_sub_delivers_to_channel_and_pattern_subscribers()
    {
        await using var mux = await Connections.ConnectAsync(servers.Magpie.Port);
        var sub = mux.GetSubscriber();
        var received = new List<string>();
        var all = new TaskCompletionSource();
        void Add(string what)
        {
            lock (received)
            {
                received.Add(what);
                if (received.Count == 3) all.TrySetResult();
            }
        }
        await sub.SubscribeAsync(RedisChannel.Literal("news"), (ch, msg) => Add($"{ch}:{msg}"));
        await sub.SubscribeAsync(RedisChannel.Pattern("n*"), (ch, msg) => Add($"p {ch}:{msg}"));
        var queue = await sub.SubscribeAsync(RedisChannel.Literal("queue"));

        Assert.Equal(2, await sub.PublishAsync(RedisChannel.Literal("news"), "hello"));
        Assert.Equal(1, await sub.PublishAsync(RedisChannel.Literal("nope"), "x"));
        Assert.Equal(1, await sub.PublishAsync(RedisChannel.Literal("queue"), "q1"));
        var fromQueue = await queue.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("q1", (string?)fromQueue.Message);
        lock (received) Assert.Equal(["news:hello", "p news:hello", "p nope:x"], received.Order());

        await sub.UnsubscribeAsync(RedisChannel.Literal("news"));
        Assert.Equal(1, await sub.PublishAsync(RedisChannel.Literal("news"), "only the pattern"));
    }

    private static async Task<List<string>> RunSessionAsync(int port, RedisProtocol protocol)
    {
        await using var mux = await Connections.ConnectAsync(port, protocol);
        Assert.Equal(protocol, mux.GetServer(mux.GetEndPoints()[0]).Protocol);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        await server.FlushDatabaseAsync();
        var db = mux.GetDatabase();
        var log = new List<string>();

        async Task Step(string name, Func<Task<object?>> action)
        {
            try
            {
                log.Add($"{name} = {Show(await action())}");
            }
            catch (RedisServerException e)
            {
                log.Add($"{name} ! {e.Message}");
            }
        }

        // Strings.
        await Step("set", async () => await db.StringSetAsync("s", "hello"));
        await Step("get", async () => await db.StringGetAsync("s"));
        await Step("get missing", async () => await db.StringGetAsync("nothing"));
        await Step("set nx existing", async () => await db.StringSetAsync("s", "x", when: When.NotExists));
        await Step("set xx missing", async () => await db.StringSetAsync("s2", "x", when: When.Exists));
        await Step("set with expiry", async () => await db.StringSetAsync("ttl", "v", TimeSpan.FromSeconds(100)));
        await Step("ttl", async () => (await db.KeyTimeToLiveAsync("ttl"))?.TotalSeconds > 90);
        await Step("persist", async () => await db.KeyPersistAsync("ttl"));
        await Step("ttl after persist", async () => await db.KeyTimeToLiveAsync("ttl"));
        await Step("append", async () => await db.StringAppendAsync("s", " world"));
        await Step("strlen", async () => await db.StringLengthAsync("s"));
        await Step("getrange", async () => await db.StringGetRangeAsync("s", 0, 4));
        await Step("setrange", async () => await db.StringSetRangeAsync("s", 6, "WORLD"));
        await Step("getset", async () => await db.StringGetSetAsync("s", "new"));
        await Step("getdel", async () => await db.StringGetDeleteAsync("s"));
        await Step("exists after getdel", async () => await db.KeyExistsAsync("s"));
        await Step("incr", async () => await db.StringIncrementAsync("n"));
        await Step("incrby", async () => await db.StringIncrementAsync("n", 41));
        await Step("decrby", async () => await db.StringDecrementAsync("n", 2));
        await Step("incrbyfloat", async () => await db.StringIncrementAsync("f", 1.5));
        await Step("incrbyfloat again", async () => await db.StringIncrementAsync("f", 0.25));
        await Step("incr not a number", async () => { await db.StringSetAsync("word", "abc"); return await db.StringIncrementAsync("word"); });
        await Step("mset", async () => await db.StringSetAsync([new("m1", "a"), new("m2", "b"), new("m3", "c")]));
        await Step("msetnx", async () => await db.StringSetAsync([new("m1", "z"), new("m9", "z")], When.NotExists));
        await Step("mget", async () => await db.StringGetAsync(["m1", "m2", "missing", "m3"]));
        await Step("getex", async () => await db.StringGetSetExpiryAsync("m1", TimeSpan.FromSeconds(50)));
        await Step("getex ttl", async () => (await db.KeyTimeToLiveAsync("m1"))?.TotalSeconds > 40);
        await Step("binary value", async () => { await db.StringSetAsync("bin", new byte[] { 0, 1, 255, 13, 10 }); return (byte[]?)await db.StringGetAsync("bin"); });

        // Keys.
        await Step("type string", async () => await db.KeyTypeAsync("n"));
        await Step("rename", async () => await db.KeyRenameAsync("n", "n2"));
        await Step("renamenx", async () => await db.KeyRenameAsync("n2", "m2", When.NotExists));
        await Step("expire", async () => await db.KeyExpireAsync("n2", TimeSpan.FromSeconds(30)));
        await Step("expire nx", async () => await db.KeyExpireAsync("n2", TimeSpan.FromSeconds(60), ExpireWhen.HasNoExpiry));
        await Step("pexpire", async () => await db.KeyExpireAsync("m3", TimeSpan.FromMilliseconds(80_000)));
        await Step("pttl", async () => (await db.KeyTimeToLiveAsync("m3"))?.TotalMilliseconds > 70_000);
        await Step("expiretime", async () => (await db.KeyExpireTimeAsync("m3")) > DateTime.UtcNow);
        await Step("del two", async () => await db.KeyDeleteAsync(["m2", "m3", "missing"]));
        await Step("unlink", async () => await db.KeyDeleteAsync("m9", CommandFlags.None));
        await Step("touch", async () => await db.KeyTouchAsync("m1"));
        await Step("copy", async () => await db.KeyCopyAsync("f", "f-copy"));
        await Step("get copy", async () => await db.StringGetAsync("f-copy"));
        await Step("dbsize", async () => await server.DatabaseSizeAsync());
        await Step("wrongtype", async () => await db.ListLeftPushAsync("f", "x"));

        // Hashes.
        await Step("hset", async () => await db.HashSetAsync("h", "a", "1"));
        await Step("hset many", async () => { await db.HashSetAsync("h", [new("b", "2"), new("c", "3")]); return true; });
        await Step("hget", async () => await db.HashGetAsync("h", "b"));
        await Step("hmget", async () => await db.HashGetAsync("h", ["a", "zz", "c"]));
        await Step("hgetall", async () => (await db.HashGetAllAsync("h")).Select(e => $"{e.Name}={e.Value}").Order().ToArray());
        await Step("hincrby", async () => await db.HashIncrementAsync("h", "a", 10));
        await Step("hincrbyfloat", async () => await db.HashIncrementAsync("h", "fl", 2.5));
        await Step("hexists", async () => await db.HashExistsAsync("h", "c"));
        await Step("hdel", async () => await db.HashDeleteAsync("h", ["c", "nope"]));
        await Step("hlen", async () => await db.HashLengthAsync("h"));
        await Step("hkeys", async () => (await db.HashKeysAsync("h")).Select(k => (string?)k).Order().ToArray());
        await Step("hvals", async () => (await db.HashValuesAsync("h")).Select(k => (string?)k).Order().ToArray());
        await Step("hsetnx", async () => await db.HashSetAsync("h", "a", "x", When.NotExists));
        await Step("hstrlen", async () => await db.HashStringLengthAsync("h", "a"));
        await Step("hrandfield", async () => (string?)await db.HashRandomFieldAsync("h") is "a" or "b" or "fl");
        await Step("hscan", async () => (await ToListAsync(db.HashScanAsync("h", "*", pageSize: 2))).Select(e => $"{e.Name}={e.Value}").Order().ToArray());

        // Lists.
        await Step("rpush", async () => await db.ListRightPushAsync("l", ["a", "b", "c", "d"]));
        await Step("lpush", async () => await db.ListLeftPushAsync("l", "z"));
        await Step("lrange", async () => await db.ListRangeAsync("l", 0, -1));
        await Step("lindex", async () => await db.ListGetByIndexAsync("l", -1));
        await Step("lset", async () => { await db.ListSetByIndexAsync("l", 1, "A"); return true; });
        await Step("linsert", async () => await db.ListInsertAfterAsync("l", "b", "b2"));
        await Step("lrem", async () => await db.ListRemoveAsync("l", "c"));
        await Step("ltrim", async () => { await db.ListTrimAsync("l", 0, 3); return true; });
        await Step("llen", async () => await db.ListLengthAsync("l"));
        await Step("lpos", async () => await db.ListPositionAsync("l", "b2"));
        await Step("lpop", async () => await db.ListLeftPopAsync("l"));
        await Step("rpop count", async () => await db.ListRightPopAsync("l", 2));
        await Step("lmove", async () => await db.ListMoveAsync("l", "l2", ListSide.Left, ListSide.Right));
        await Step("lrange l2", async () => await db.ListRangeAsync("l2"));
        await Step("lpushx missing", async () => await db.ListLeftPushAsync("nolist", "x", When.Exists));
        await Step("blpop ready", async () => { await db.ListRightPushAsync("bl", "one"); return (await db.ExecuteAsync("BLPOP", "bl", "1")).ToString(); });

        // Sets.
        await Step("sadd", async () => await db.SetAddAsync("set1", ["a", "b", "c", "d"]));
        await Step("sadd again", async () => await db.SetAddAsync("set2", ["c", "d", "e"]));
        await Step("smembers", async () => (await db.SetMembersAsync("set1")).Select(v => (string?)v).Order().ToArray());
        await Step("sismember", async () => await db.SetContainsAsync("set1", "b"));
        await Step("smismember", async () => await db.SetContainsAsync("set1", ["b", "x"]));
        await Step("scard", async () => await db.SetLengthAsync("set1"));
        await Step("srem", async () => await db.SetRemoveAsync("set1", "a"));
        await Step("sinter", async () => (await db.SetCombineAsync(SetOperation.Intersect, "set1", "set2")).Select(v => (string?)v).Order().ToArray());
        await Step("sunion", async () => (await db.SetCombineAsync(SetOperation.Union, "set1", "set2")).Select(v => (string?)v).Order().ToArray());
        await Step("sdiff", async () => (await db.SetCombineAsync(SetOperation.Difference, "set1", "set2")).Select(v => (string?)v).Order().ToArray());
        await Step("sinterstore", async () => await db.SetCombineAndStoreAsync(SetOperation.Intersect, "set3", "set1", "set2"));
        await Step("sintercard", async () => await db.SetIntersectionLengthAsync(["set1", "set2"]));
        await Step("smove", async () => await db.SetMoveAsync("set1", "set2", "b"));
        await Step("spop", async () => (string?)await db.SetPopAsync("set3") is "c" or "d");
        await Step("srandmember", async () => (await db.SetRandomMembersAsync("set2", 2)).Length);
        await Step("sscan", async () => (await ToListAsync(db.SetScanAsync("set2", pageSize: 2))).Select(v => (string?)v).Order().ToArray());
        await Step("intset members", async () => { await db.SetAddAsync("ints", ["3", "1", "2"]); return await db.SetMembersAsync("ints"); });

        // Sorted sets.
        await Step("zadd", async () => await db.SortedSetAddAsync("z", [new("a", 1), new("b", 2), new("c", 3), new("d", 4)]));
        await Step("zadd nx", async () => await db.SortedSetAddAsync("z", "a", 100, SortedSetWhen.NotExists));
        await Step("zadd gt", async () => await db.SortedSetAddAsync("z", "b", 20, SortedSetWhen.GreaterThan));
        await Step("zscore", async () => await db.SortedSetScoreAsync("z", "b"));
        await Step("zmscore", async () => await db.SortedSetScoresAsync("z", ["a", "zz", "c"]));
        await Step("zincrby", async () => await db.SortedSetIncrementAsync("z", "a", 0.5));
        await Step("zrange", async () => await db.SortedSetRangeByRankAsync("z"));
        await Step("zrange withscores desc", async () => (await db.SortedSetRangeByRankWithScoresAsync("z", 0, 2, Order.Descending)).Select(e => $"{e.Element}:{e.Score}").ToArray());
        await Step("zrangebyscore", async () => await db.SortedSetRangeByScoreAsync("z", 1, 3.5, Exclude.Start));
        await Step("zrangebyscore limit", async () => await db.SortedSetRangeByScoreAsync("z", double.NegativeInfinity, double.PositiveInfinity, skip: 1, take: 2));
        await Step("zrank", async () => await db.SortedSetRankAsync("z", "c"));
        await Step("zrevrank", async () => await db.SortedSetRankAsync("z", "c", Order.Descending));
        await Step("zcard", async () => await db.SortedSetLengthAsync("z"));
        await Step("zcount", async () => await db.SortedSetLengthAsync("z", 2, 10));
        await Step("zrem", async () => await db.SortedSetRemoveAsync("z", "d"));
        await Step("zpopmin", async () => (await db.SortedSetPopAsync("z", 1)).Select(e => $"{e.Element}:{e.Score}").ToArray());
        await Step("zlex", async () => { await db.SortedSetAddAsync("lex", [new("a", 0), new("b", 0), new("c", 0), new("d", 0)]); return await db.SortedSetRangeByValueAsync("lex", "b", "d", Exclude.Stop); });
        await Step("zlexcount", async () => await db.SortedSetLengthByValueAsync("lex", "a", "c"));
        await Step("zunionstore", async () => await db.SortedSetCombineAndStoreAsync(SetOperation.Union, "zu", "z", "lex"));
        await Step("zinterstore weights", async () => await db.SortedSetCombineAndStoreAsync(SetOperation.Intersect, "zi", ["z", "zu"], [2, 3], Aggregate.Max));
        await Step("zrange zi", async () => (await db.SortedSetRangeByRankWithScoresAsync("zi")).Select(e => $"{e.Element}:{e.Score}").ToArray());
        await Step("zremrangebyscore", async () => await db.SortedSetRemoveRangeByScoreAsync("zu", 0, 0));
        await Step("zscan", async () => (await ToListAsync(db.SortedSetScanAsync("z", pageSize: 1))).Select(e => $"{e.Element}:{e.Score}").Order().ToArray());
        await Step("zrangestore", async () => await db.SortedSetRangeAndStoreAsync("z", "zcopy", 0, -1));

        // Batches: commands pipelined together, results in order.
        await Step("batch", async () =>
        {
            var batch = db.CreateBatch();
            var a = batch.StringSetAsync("b1", "1");
            var b = batch.StringIncrementAsync("b1");
            var c = batch.ListRightPushAsync("bl2", ["x", "y"]);
            var d = batch.HashSetAsync("bh", "f", "v");
            var e = batch.StringGetAsync("b1");
            batch.Execute();
            return new object?[] { await a, await b, await c, await d, await e };
        });

        // Transactions with conditions (WATCH + MULTI/EXEC underneath).
        await Step("tran ok", async () =>
        {
            var tran = db.CreateTransaction();
            tran.AddCondition(Condition.KeyNotExists("t1"));
            tran.AddCondition(Condition.StringEqual("b1", "2"));
            var set = tran.StringSetAsync("t1", "made");
            var incr = tran.StringIncrementAsync("b1");
            bool committed = await tran.ExecuteAsync();
            return new object?[] { committed, await set, await incr };
        });
#pragma warning disable SER300 // the point is to exercise WATCH + condition, not the shortcut
        await Step("tran condition fails", async () =>
        {
            var tran = db.CreateTransaction();
            tran.AddCondition(Condition.KeyNotExists("t1"));
            _ = tran.StringSetAsync("t1", "again");
            return await tran.ExecuteAsync();
        });
#pragma warning restore SER300
        await Step("t1 kept", async () => await db.StringGetAsync("t1"));
        await Step("tran hash conditions", async () =>
        {
            var tran = db.CreateTransaction();
            tran.AddCondition(Condition.HashEqual("h", "b", "2"));
            tran.AddCondition(Condition.HashNotExists("h", "nothere"));
            tran.AddCondition(Condition.ListLengthEqual("l2", 1));
            tran.AddCondition(Condition.SetContains("set2", "e"));
            tran.AddCondition(Condition.SortedSetLengthGreaterThan("z", 1));
            var hs = tran.HashSetAsync("h", "nothere", "now");
            return new object?[] { await tran.ExecuteAsync(), await hs };
        });
        await Step("tran hash condition fails", async () =>
        {
            var tran = db.CreateTransaction();
            tran.AddCondition(Condition.HashEqual("h", "b", "999"));
            _ = tran.HashSetAsync("h", "never", "x");
            return await tran.ExecuteAsync();
        });
        await Step("tran changed under watch", async () =>
        {
            var tran = db.CreateTransaction();
            tran.AddCondition(Condition.StringEqual("t1", "made"));
            var get = tran.StringGetAsync("t1");
            var exec = tran.ExecuteAsync();
            return new object?[] { await exec, await get };
        });
        await Step("tran runtime error inside", async () =>
        {
            var tran = db.CreateTransaction();
            var bad = tran.ListLeftPushAsync("t1", "x");
            var good = tran.StringGetAsync("t1");
            bool ok = await tran.ExecuteAsync();
            string badResult;
            try { badResult = (await bad).ToString(); } catch (RedisServerException e) { badResult = e.Message; }
            return new object?[] { ok, badResult, await good };
        });

        // Keyspace SCAN through IServer.KeysAsync, paged small so the cursor goes round.
        await Step("scan all", async () => (await ToListAsync(server.KeysAsync(pageSize: 3))).Select(k => (string?)k).Order().ToArray());
        await Step("scan pattern", async () => (await ToListAsync(server.KeysAsync(pattern: "set*", pageSize: 2))).Select(k => (string?)k).Order().ToArray());
        await Step("keys type", async () => (await db.ExecuteAsync("SCAN", "0", "TYPE", "zset", "COUNT", "1000")).ToDictionary().Count);
        await Step("randomkey exists", async () => await db.KeyExistsAsync(await db.KeyRandomAsync()));

        // Server bits SE.Redis surfaces.
        await Step("ping", async () => (await db.PingAsync()) >= TimeSpan.Zero);
        await Step("echo", async () => await db.ExecuteAsync("ECHO", "hi"));
        await Step("time", async () => (await server.TimeAsync()).Year >= 2024);
        await Step("info has redis_version", async () => (await server.InfoAsync("server")).SelectMany(g => g).Any(p => p.Key == "redis_version"));
        await Step("config get maxmemory", async () => (await server.ConfigGetAsync("maxmemory")).Length);
        await Step("client name", async () => { await db.ExecuteAsync("CLIENT", "SETNAME", "session"); return await db.ExecuteAsync("CLIENT", "GETNAME"); });
        await Step("unknown command", async () => await db.ExecuteAsync("NOSUCHCOMMAND", "x"));
        await Step("flushdb then dbsize", async () => { await server.FlushDatabaseAsync(); return await server.DatabaseSizeAsync(); });
        return log;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }

    private static string Show(object? value) => value switch
    {
        null => "(null)",
        byte[] bytes => Convert.ToHexString(bytes),
        string s => $"\"{s}\"",
        RedisValue v => v.IsNull ? "(nil)" : $"'{v}'",
        RedisResult r => r.IsNull ? "(nil result)" : r.ToString() ?? "",
        TimeSpan t => t.ToString(),
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Show)) + "]",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
