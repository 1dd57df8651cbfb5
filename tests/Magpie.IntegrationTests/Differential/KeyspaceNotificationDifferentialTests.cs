using System.Text;

namespace Magpie.IntegrationTests.Differential;

/// <summary>
/// Keyspace and keyevent notifications against redis-server 7.0: a subscriber to <c>__key*__:*</c> on
/// each server sees the same messages, in the same order, for the same scripted commands.
/// </summary>
public sealed class KeyspaceNotificationDifferentialTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    private static readonly string[][] Script =
    [
        ["SET", "k", "v"], ["SET", "k", "v", "EX", "100"], ["SETEX", "k2", "10", "v"], ["SETNX", "k", "v"], ["SETNX", "k3", "v"],
        ["MSET", "a", "1", "b", "2"], ["INCR", "a"], ["DECRBY", "a", "3"], ["INCRBYFLOAT", "a", "1.5"], ["APPEND", "k", "x"],
        ["SETRANGE", "k", "1", "yy"], ["GETDEL", "k3"], ["GETEX", "k2", "PERSIST"], ["GETEX", "k2", "EX", "50"], ["GET", "nokey"],
        ["DEL", "a", "b", "nokey"], ["EXPIRE", "k", "100"], ["PERSIST", "k"], ["EXPIRE", "k", "0"], ["RENAME", "k2", "k4"],
        ["LPUSH", "l", "a", "b", "c"], ["RPUSH", "l", "d"], ["LPOP", "l"], ["RPOP", "l", "2"], ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
        ["RPOPLPUSH", "l2", "l3"], ["LINSERT", "l3", "BEFORE", "b", "x"], ["LSET", "l3", "0", "z"], ["LREM", "l3", "0", "z"],
        ["LTRIM", "l3", "0", "0"], ["HSET", "h", "f", "v", "g", "w"], ["HINCRBY", "h", "n", "1"], ["HINCRBYFLOAT", "h", "n", "1.5"],
        ["HDEL", "h", "f", "g", "n"], ["SADD", "s", "a", "b", "c"], ["SREM", "s", "a"], ["SMOVE", "s", "s2", "b"], ["SPOP", "s"],
        ["SADD", "s", "x", "y"], ["SINTERSTORE", "s3", "s", "s2"], ["SUNIONSTORE", "s3", "s", "s2"], ["ZADD", "z", "1", "a", "2", "b"],
        ["ZADD", "z", "INCR", "1", "a"], ["ZINCRBY", "z", "1", "b"], ["ZREM", "z", "a"], ["ZPOPMIN", "z"], ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
        ["ZREMRANGEBYSCORE", "z", "1", "1"], ["ZUNIONSTORE", "z2", "1", "z"], ["XADD", "st", "1-1", "f", "v"], ["XDEL", "st", "1-1"],
        ["XGROUP", "CREATE", "st", "g", "$", "MKSTREAM"], ["XGROUP", "CREATECONSUMER", "st", "g", "c"], ["XGROUP", "DELCONSUMER", "st", "g", "c"],
        ["XGROUP", "DESTROY", "st", "g"], ["COPY", "z2", "z3"], ["MOVE", "z3", "1"], ["MULTI"], ["SET", "m", "1"], ["INCR", "m"], ["EXEC"],
        ["SET", "kx", "v", "PX", "1"],
    ];

    [Fact]
    public async Task Subscribers_see_the_same_messages_as_on_redis()
    {
        pair.Same("FLUSHALL");
        pair.Same("CONFIG", "SET", "notify-keyspace-events", "KEA");
        using var mSub = await RespPipe.OpenAsync(pair.Magpie.Port, 3);
        using var rSub = await RespPipe.OpenAsync(pair.Redis.Port, 3);
        Assert.Equal(rSub.Call("PSUBSCRIBE", "__key*__:*"), mSub.Call("PSUBSCRIBE", "__key*__:*"));
        foreach (var cmd in Script) pair.Same(cmd);
        await Task.Delay(30);
        pair.Same("GET", "kx"); // expired lazily: "expired"
        // New keys and misses (n, m), then everything off.
        pair.Same("CONFIG", "SET", "notify-keyspace-events", "KEAnm");
        pair.Same("CONFIG", "GET", "notify-keyspace-events");
        pair.Same("GET", "missing");
        pair.Same("SET", "fresh", "1");
        pair.Same("CONFIG", "SET", "notify-keyspace-events", "Kl");
        pair.Same("SET", "ignored", "1");
        pair.Same("RPUSH", "onlylists", "1");
        pair.Same("CONFIG", "SET", "notify-keyspace-events", "");
        pair.Same("SET", "silent", "1");
        // A PING on the subscriber marks the end of its messages.
        var expected = Drain(rSub);
        var actual = Drain(mSub);
        Assert.True(expected.Count > 100, $"only {expected.Count} messages from redis");
        for (int i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            string e = i < expected.Count ? expected[i] : "(none)", a = i < actual.Count ? actual[i] : "(none)";
            Assert.True(e == a, $"message {i} differs:\nredis:  {e}\nmagpie: {a}\nredis before: {string.Join(" | ", expected.Skip(Math.Max(0, i - 3)).Take(3))}");
        }
    }

    [Fact]
    public void Config_values_and_errors_match()
    {
        foreach (var value in new[] { "KEA", "Kg$", "Elshzxetd", "KEAmn", "xK", "nE", "", "Kz Q", "A" })
        {
            pair.Same("CONFIG", "SET", "notify-keyspace-events", value);
            pair.Same("CONFIG", "GET", "notify-keyspace-events");
        }
        pair.Same("CONFIG", "SET", "notify-keyspace-events", "");
    }

    [Fact]
    public async Task Evicted_keys_are_notified()
    {
        using var m = await RespPipe.OpenAsync(pair.Magpie.Port, 3);
        using var sub = await RespPipe.OpenAsync(pair.Magpie.Port, 3);
        m.Call("FLUSHALL");
        m.Call("CONFIG", "SET", "notify-keyspace-events", "Ee");
        sub.Call("SUBSCRIBE", "__keyevent@0__:evicted");
        m.Call("SET", "victim", "v");
        m.Call("CONFIG", "SET", "maxmemory-policy", "allkeys-random", "maxmemory", "1");
        m.Call("GET", "victim");
        m.Call("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction", "notify-keyspace-events", "");
        var messages = Drain(sub);
        Assert.Contains(messages, x => x.Contains("__keyevent@0__:evicted") && x.Contains("victim"));
    }

    private static List<string> Drain(RespPipe sub)
    {
        var text = Encoding.Latin1.GetString(sub.CallBytes("PING"u8.ToArray()));
        var messages = new List<string>();
        while (!text.StartsWith("+PONG") && !text.Contains("pong"))
        {
            messages.Add(text.Replace("\r\n", " "));
            text = Encoding.Latin1.GetString(sub.ReadReply());
        }
        return messages;
    }
}
