using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// DUMP and RESTORE against redis-server 7.0.15: the same commands build the same values on both,
/// DUMP payloads are byte-identical where Redis's encoding is deterministic, and payloads restore
/// both ways with identical contents.
/// </summary>
[Collection("Persistence")]
public class DumpRestoreTests
{
    /// <summary>Keys and the commands that build them; true when Redis's DUMP of it is deterministic.</summary>
    internal static List<(string Key, bool Deterministic, List<object[]> Build)> DataSet()
    {
        var set = new List<(string, bool, List<object[]>)>();
        void Add(string key, bool det, params object[][] cmds) => set.Add((key, det, cmds.ToList()));
        Add("str:raw", true, ["SET", "str:raw", "hello world"]);
        Add("str:int", true, ["SET", "str:int", "12345"]);
        Add("str:bigint", true, ["SET", "str:bigint", "-9223372036854775808"]);
        Add("str:lzf", true, ["SET", "str:lzf", new string('a', 500) + "tail"]);
        Add("str:incompressible", true, ["SET", "str:incompressible", RandomBytes(300, 1)]);
        Add("str:empty", true, ["SET", "str:empty", ""]);
        Add("list:small", true, ["RPUSH", "list:small", "a", "1", "-5000", "70000", "3000000000", new string('c', 70), "-1"]);
        Add("list:large", true, ["RPUSH", "list:large", .. Enumerable.Range(0, 3000).Select(i => (object)(i % 5 == 0 ? i.ToString() : $"element-{i}"))]);
        Add("list:bigitems", true, ["RPUSH", "list:bigitems", .. Enumerable.Range(0, 5).Select(i => (object)RandomBytes(5000, i))]);
        Add("set:intset", true, ["SADD", "set:intset", "1", "2", "3", "-70000", "100"]);
        Add("set:intset64", true, ["SADD", "set:intset64", "5", "1099511627776", "-1099511627776"]);
        Add("set:plain", false, ["SADD", "set:plain", "a", "b", "c", "12"]);
        Add("set:large", false, ["SADD", "set:large", .. Enumerable.Range(0, 600).Select(i => (object)i.ToString())]);
        Add("zset:listpack", true, ["ZADD", "zset:listpack", "1", "a", "2.5", "b", "-3", "c", "1e20", "d", "0.1", "e", "inf", "f", "-inf", "g", "3.0000000001", "h"]);
        Add("zset:skiplist", true, ["ZADD", "zset:skiplist", .. Enumerable.Range(0, 300).SelectMany(i => new object[] { (i * 0.37).ToString("R"), $"member-{i}" })]);
        Add("zset:longmember", true, ["ZADD", "zset:longmember", "1", new string('m', 100), "2", "x"]);
        Add("hash:listpack", true, ["HSET", "hash:listpack", "f1", "v1", "f2", "123", "f3", "-70000", "f4", ""]);
        Add("hash:large", false, ["HSET", "hash:large", .. Enumerable.Range(0, 300).SelectMany(i => new object[] { $"field{i}", $"value{i}" })]);
        Add("hash:longvalue", false, ["HSET", "hash:longvalue", "f", new string('v', 100)]);
        Add("bin:\0\xff\r\n", true, ["SET", Encoding.Latin1.GetBytes("bin:\0\xff\r\n"), new byte[] { 0, 1, 2, 255, 13, 10 }]);
        return set;
    }

    internal static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    internal static byte[] KeyBytes(string key) => Encoding.Latin1.GetBytes(key);

    /// <summary>A canonical description of a key's value and whether it has a TTL.</summary>
    internal static string Describe(RespClient c, byte[] key)
    {
        string type = c.CallString("TYPE", key);
        string body = type switch
        {
            "string" => Hex(c.Call("GET", key)),
            "list" => string.Join(",", ((object?[])c.Call("LRANGE", key, "0", "-1")!).Select(Hex)),
            "set" => string.Join(",", ((object?[])c.Call("SMEMBERS", key)!).Select(Hex).Order(StringComparer.Ordinal)),
            // Scores compared as numbers: redis-server 7.0 prints %.17g, Magpie the shortest round-trip form.
            "zset" => string.Join(",", ((object?[])c.Call("ZRANGE", key, "0", "-1", "WITHSCORES")!).Select((o, i) => i % 2 == 0 ? Hex(o) : Score(o))),
            "hash" => string.Join(",", Pairs((object?[])c.Call("HGETALL", key)!).Order(StringComparer.Ordinal)),
            _ => "",
        };
        long pttl = (long)c.Call("PTTL", key)!;
        return $"{type}:{body}:ttl={(pttl > 0 ? "yes" : pttl.ToString())}";
    }

    private static IEnumerable<string> Pairs(object?[] flat)
    {
        for (int i = 0; i < flat.Length; i += 2) yield return Hex(flat[i]) + "=" + Hex(flat[i + 1]);
    }

    private static string DiffMessage(string key, byte[] expected, byte[] actual)
    {
        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        int from = Math.Max(0, i - 16);
        return $"DUMP of {key} differs at byte {i} (lengths {expected.Length} and {actual.Length}):\nredis  {Convert.ToHexString(expected.AsSpan(from, Math.Min(48, expected.Length - from)))}\nmagpie {Convert.ToHexString(actual.AsSpan(from, Math.Min(48, actual.Length - from)))}";
    }

    private static string Score(object? o) =>
        double.Parse(Encoding.ASCII.GetString((byte[])o!).Replace("inf", "Infinity"), System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Hex(object? o) => o is byte[] b ? Convert.ToHexString(b) : o?.ToString() ?? "nil";

    [Fact]
    public async Task Dump_payloads_match_redis_server_and_restore_both_ways()
    {
        await using var magpie = await MagpieNode.StartAsync();
        await using var redis = await RedisServerProcess.StartAsync();
        using var m = await RespClient.ConnectAsync(magpie.Port);
        using var r = await RespClient.ConnectAsync(redis.Port);
        foreach (var (key, deterministic, build) in DataSet())
        {
            foreach (var cmd in build)
            {
                Assert.Equal(Hex(r.Call(cmd)), Hex(m.Call(cmd)));
            }
            var k = KeyBytes(key);
            var fromRedis = (byte[])r.Call("DUMP", k)!;
            var fromMagpie = (byte[])m.Call("DUMP", k)!;
            if (deterministic) Assert.True(fromRedis.AsSpan().SequenceEqual(fromMagpie), DiffMessage(key, fromRedis, fromMagpie));
            string expected = Describe(r, k);
            Assert.Equal(expected, Describe(m, k));

            // Redis's payload into Magpie, Magpie's into Redis.
            var copy = KeyBytes(key + ":copy");
            Assert.Equal("OK", m.Call("RESTORE", copy, "0", fromRedis));
            Assert.Equal("OK", r.Call("RESTORE", copy, "0", fromMagpie));
            Assert.Equal(Describe(r, copy), Describe(m, copy));
            Assert.Equal(expected, Describe(m, copy));
        }
    }

    [Fact]
    public async Task Restore_options_and_errors_match_redis_server()
    {
        await using var magpie = await MagpieNode.StartAsync("--maxmemory-policy", "allkeys-lru");
        await using var redis = await RedisServerProcess.StartAsync(null, "--maxmemory-policy", "allkeys-lru");
        using var m = await RespClient.ConnectAsync(magpie.Port);
        using var r = await RespClient.ConnectAsync(redis.Port);
        m.Call("SET", "src", "value");
        var payload = (byte[])m.Call("DUMP", "src")!;
        var corrupt = (byte[])payload.Clone();
        corrupt[2] ^= 0x40;
        long future = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 100_000;
        object[][] cases =
        [
            ["RESTORE", "k1", "0", payload],
            ["RESTORE", "k1", "0", payload],
            ["RESTORE", "k1", "0", payload, "REPLACE"],
            ["RESTORE", "k2", "-1", payload],
            ["RESTORE", "k2", "abc", payload],
            ["RESTORE", "k2", "0", corrupt],
            ["RESTORE", "k2", "0", "short"],
            ["RESTORE", "k2", "0", payload, "BOGUS"],
            ["RESTORE", "k2", "0", payload, "IDLETIME", "-1"],
            ["RESTORE", "k2", "0", payload, "FREQ", "1"],
            ["RESTORE", "k2", "0", payload, "IDLETIME", "1000", "FREQ", "3"],
            ["RESTORE", "k3", "0", payload, "IDLETIME", "1000"],
            ["OBJECT", "IDLETIME", "k3"],
            ["RESTORE", "k4", future.ToString(), payload, "ABSTTL"],
            ["RESTORE", "k5", "1", payload, "ABSTTL"],
            ["EXISTS", "k5"],
            ["RESTORE", "k1", "1", payload, "ABSTTL", "REPLACE"],
            ["EXISTS", "k1"],
            ["RESTORE", "k6", "5000", payload],
            ["DUMP", "missing"],
            ["DUMP"],
            ["RESTORE", "k7"],
        ];
        foreach (var cmd in cases)
        {
            Assert.Equal(Hex(r.Call(cmd)), Hex(m.Call(cmd)));
        }
        Assert.InRange((long)m.Call("PTTL", "k4")!, 90_000, 100_000);
        Assert.InRange((long)m.Call("PTTL", "k6")!, 1, 5000);
    }
}
