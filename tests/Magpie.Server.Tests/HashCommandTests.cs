using Magpie.Protocol;
using Magpie.Storage.Values;

namespace Magpie.Server.Tests;

public class HashCommandTests
{
    private const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private readonly TestClient c = new();

    private void Resp3() => c.Session.Protocol = RespVersion.Resp3;

    [Fact]
    public void Hset_hget_and_counts_of_new_fields()
    {
        Assert.Equal(Int(2), c.Run("HSET", "h", "a", "1", "b", "2"));
        Assert.Equal(Int(1), c.Run("HSET", "h", "a", "10", "c", "3"));
        Assert.Equal(Bulk("10"), c.Run("HGET", "h", "a"));
        Assert.Equal(Nil, c.Run("HGET", "h", "zz"));
        Assert.Equal(Nil, c.Run("HGET", "missing", "a"));
        Assert.Equal(Int(3), c.Run("HLEN", "h"));
        Assert.Equal(Int(0), c.Run("HLEN", "missing"));
        Assert.Equal("+hash\r\n", c.Run("TYPE", "h"));
        Assert.Equal(Err("ERR wrong number of arguments for 'hset' command"), c.Run("HSET", "h", "a", "1", "b"));
        Assert.Equal(Err("ERR wrong number of arguments for 'hset' command"), c.Run("HSET", "h", "a"));
    }

    [Fact]
    public void Hmset_replies_ok_and_checks_pairs()
    {
        Assert.Equal(Ok, c.Run("HMSET", "h", "a", "1", "b", "2"));
        Assert.Equal(Array(Bulk("1"), Nil, Bulk("2")), c.Run("HMGET", "h", "a", "x", "b"));
        Assert.Equal(Array(Nil, Nil), c.Run("HMGET", "missing", "a", "b"));
        Assert.Equal(Err("ERR wrong number of arguments for 'hmset' command"), c.Run("HMSET", "h", "a", "1", "b"));
    }

    [Fact]
    public void Hsetnx_only_sets_absent_fields()
    {
        Assert.Equal(Int(1), c.Run("HSETNX", "h", "f", "v1"));
        Assert.Equal(Int(0), c.Run("HSETNX", "h", "f", "v2"));
        Assert.Equal(Bulk("v1"), c.Run("HGET", "h", "f"));
        Assert.Equal(Int(1), c.Run("HSETNX", "h", "g", "v3"));
        Assert.Equal(Int(2), c.Run("HLEN", "h"));
    }

    [Fact]
    public void Hgetall_hkeys_hvals_keep_insertion_order_while_small()
    {
        c.Run("HSET", "h", "b", "2", "a", "1", "c", "3");
        Assert.Equal(Bulks("b", "2", "a", "1", "c", "3"), c.Run("HGETALL", "h"));
        Assert.Equal(Bulks("b", "a", "c"), c.Run("HKEYS", "h"));
        Assert.Equal(Bulks("2", "1", "3"), c.Run("HVALS", "h"));
        c.Run("HDEL", "h", "b");
        Assert.Equal(Bulks("a", "c"), c.Run("HKEYS", "h"));
        Assert.Equal("*0\r\n", c.Run("HGETALL", "missing"));
        Assert.Equal("*0\r\n", c.Run("HKEYS", "missing"));
        Assert.Equal("*0\r\n", c.Run("HVALS", "missing"));
    }

    [Fact]
    public void Hgetall_is_a_map_on_resp3()
    {
        c.Run("HSET", "h", "a", "1", "b", "2");
        Resp3();
        Assert.Equal("%2\r\n" + Bulk("a") + Bulk("1") + Bulk("b") + Bulk("2"), c.Run("HGETALL", "h"));
        Assert.Equal("%0\r\n", c.Run("HGETALL", "missing"));
        Assert.Equal("_\r\n", c.Run("HGET", "h", "zz"));
    }

    [Fact]
    public void Hdel_counts_and_deletes_the_emptied_key()
    {
        c.Run("HSET", "h", "a", "1", "b", "2", "c", "3");
        Assert.Equal(Int(2), c.Run("HDEL", "h", "a", "b", "nope", "a"));
        Assert.Equal(Int(0), c.Run("HDEL", "missing", "a"));
        Assert.Equal(Int(1), c.Run("HDEL", "h", "c"));
        Assert.Equal(Int(0), c.Run("EXISTS", "h"));
        Assert.Equal(0L, c.Server.Keyspace[0].Count);
    }

    [Fact]
    public void Hexists_and_hstrlen()
    {
        c.Run("HSET", "h", "f", "hello", "n", "12345");
        Assert.Equal(Int(1), c.Run("HEXISTS", "h", "f"));
        Assert.Equal(Int(0), c.Run("HEXISTS", "h", "g"));
        Assert.Equal(Int(0), c.Run("HEXISTS", "missing", "f"));
        Assert.Equal(Int(5), c.Run("HSTRLEN", "h", "f"));
        Assert.Equal(Int(5), c.Run("HSTRLEN", "h", "n"));
        Assert.Equal(Int(0), c.Run("HSTRLEN", "h", "g"));
        Assert.Equal(Int(0), c.Run("HSTRLEN", "missing", "g"));
    }

    [Fact]
    public void Hincrby_arithmetic_and_errors()
    {
        Assert.Equal(Int(5), c.Run("HINCRBY", "h", "n", "5"));
        Assert.Equal(Int(-5), c.Run("HINCRBY", "h", "n", "-10"));
        Assert.Equal(Bulk("-5"), c.Run("HGET", "h", "n"));
        c.Run("HSET", "h", "s", "abc", "big", "9223372036854775807", "sp", " 1");
        Assert.Equal(Err("ERR hash value is not an integer"), c.Run("HINCRBY", "h", "s", "1"));
        Assert.Equal(Err("ERR hash value is not an integer"), c.Run("HINCRBY", "h", "sp", "1"));
        Assert.Equal(Err("ERR increment or decrement would overflow"), c.Run("HINCRBY", "h", "big", "1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("HINCRBY", "h", "n", "1.5"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("HINCRBY", "missing", "n", "x"));
        Assert.Equal(Int(0), c.Run("EXISTS", "missing"));
    }

    [Fact]
    public void Hincrbyfloat_formats_like_incrbyfloat()
    {
        Assert.Equal(Bulk("10.5"), c.Run("HINCRBYFLOAT", "h", "f", "10.5"));
        Assert.Equal(Bulk("10.6"), c.Run("HINCRBYFLOAT", "h", "f", "0.1"));
        // Long double arithmetic, as redis-server 7.0.15 replies: 10.6L + 5000 printed with %.17Lf.
        Assert.Equal(Bulk("5010.60000000000000009"), c.Run("HINCRBYFLOAT", "h", "f", "5.0e3"));
        c.Run("HSET", "h", "p", "0.1");
        Assert.Equal(Bulk("0.3"), c.Run("HINCRBYFLOAT", "h", "p", "0.2"));
        c.Run("HSET", "h", "i", "3");
        Assert.Equal(Bulk("2"), c.Run("HINCRBYFLOAT", "h", "i", "-1"));
        c.Run("HSET", "h", "s", "abc");
        Assert.Equal(Err("ERR hash value is not a float"), c.Run("HINCRBYFLOAT", "h", "s", "1"));
        Assert.Equal(Err("ERR value is not a valid float"), c.Run("HINCRBYFLOAT", "h", "f", "x"));
        Assert.Equal(Err("ERR value is NaN or Infinity"), c.Run("HINCRBYFLOAT", "h", "f", "inf"));
        // Long doubles go to about 1.19e4932: 2 * 1.7e308 is fine (as in redis-server), 2 * 1e4932 is not.
        c.Run("HSET", "h", "huge", "1e4932");
        Assert.Equal(Err("ERR increment would produce NaN or Infinity"), c.Run("HINCRBYFLOAT", "h", "huge", "1e4932"));
        Assert.Equal(Bulk("1e4932"), c.Run("HGET", "h", "huge"));
    }

    [Fact]
    public void Hrandfield_without_count()
    {
        Assert.Equal(Nil, c.Run("HRANDFIELD", "missing"));
        c.Run("HSET", "h", "a", "1");
        Assert.Equal(Bulk("a"), c.Run("HRANDFIELD", "h"));
        Assert.Equal("*0\r\n", c.Run("HRANDFIELD", "missing", "5"));
        Assert.Equal("*0\r\n", c.Run("HRANDFIELD", "h", "0"));
    }

    [Fact]
    public void Hrandfield_positive_count_is_distinct_and_capped()
    {
        c.Run("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
        Assert.Equal(Bulks("a", "b", "c", "d", "e"), c.Run("HRANDFIELD", "h", "10"));
        for (int round = 0; round < 20; round++)
        {
            var fields = Parse(c.Run("HRANDFIELD", "h", "3"));
            Assert.Equal(3, fields.Count);
            Assert.Equal(3, fields.Distinct().Count());
            Assert.All(fields, f => Assert.Contains(f, new[] { "a", "b", "c", "d", "e" }));
        }
        var pairs = Parse(c.Run("HRANDFIELD", "h", "2", "WITHVALUES"));
        Assert.Equal(4, pairs.Count);
        Assert.Equal(((char)(pairs[0][0] - 'a' + '1')).ToString(), pairs[1]);
    }

    [Fact]
    public void Hrandfield_negative_count_repeats()
    {
        c.Run("HSET", "h", "only", "v");
        Assert.Equal(Bulks("only", "only", "only"), c.Run("HRANDFIELD", "h", "-3"));
        Assert.Equal(Bulks("only", "v", "only", "v"), c.Run("HRANDFIELD", "h", "-2", "WITHVALUES"));
        Resp3();
        Assert.Equal(Array(Bulks("only", "v"), Bulks("only", "v")), c.Run("HRANDFIELD", "h", "-2", "WITHVALUES"));
        Assert.Equal(Array(Bulks("only", "v")), c.Run("HRANDFIELD", "h", "5", "WITHVALUES"));
        Assert.Equal(Bulks("only"), c.Run("HRANDFIELD", "h", "5"));
    }

    [Fact]
    public void Hrandfield_errors()
    {
        c.Run("HSET", "h", "a", "1");
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("HRANDFIELD", "h", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("HRANDFIELD", "h", "1", "WITHSCORES"));
        Assert.Equal(Err("ERR syntax error"), c.Run("HRANDFIELD", "h", "1", "WITHVALUES", "x"));
        Assert.Equal(Err("ERR value is out of range"), c.Run("HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"));
        Assert.Equal(Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
            c.Run("HRANDFIELD", "h", "-9223372036854775808"));
        // More picks than one RESP array can hold.
        Assert.Equal(Err("ERR value is out of range"), c.Run("HRANDFIELD", "h", "-3000000000"));
        Assert.Equal(Err("ERR value is out of range"), c.Run("HRANDFIELD", "h", "-1500000000", "WITHVALUES"));
    }

    [Fact]
    public void Hscan_small_hash_returns_everything_with_cursor_zero()
    {
        c.Run("HSET", "h", "a", "1", "b", "2", "ab", "3");
        Assert.Equal(Array(Bulk("0"), Bulks("a", "1", "b", "2", "ab", "3")), c.Run("HSCAN", "h", "0", "COUNT", "1"));
        Assert.Equal(Array(Bulk("0"), Bulks("a", "1", "ab", "3")), c.Run("HSCAN", "h", "0", "MATCH", "a*"));
        Assert.Equal(Array(Bulk("0"), "*0\r\n"), c.Run("HSCAN", "missing", "0"));
        Assert.Equal(Err("ERR invalid cursor"), c.Run("HSCAN", "h", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("HSCAN", "h", "0", "COUNT", "0"));
        Assert.Equal(Err("ERR syntax error"), c.Run("HSCAN", "h", "0", "TYPE", "hash"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("HSCAN", "h", "0", "COUNT", "x"));
    }

    [Fact]
    public void Hscan_large_hash_iterates_with_a_cursor_and_survives_deletes()
    {
        var args = new List<string> { "HSET", "big" };
        for (int i = 0; i < 600; i++) { args.Add("f" + i); args.Add("v" + i); }
        c.Run(args.ToArray());
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "big"));
        var seen = new HashSet<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            var reply = ParseScan(c.Run("HSCAN", "big", cursor, "COUNT", "25"), out cursor);
            for (int i = 0; i < reply.Count; i += 2)
            {
                seen.Add(reply[i]);
                Assert.Equal("v" + reply[i][1..], reply[i + 1]);
            }
            // Deleting fields mid-scan must not hide the ones that stay.
            if (calls == 2) c.Run("HDEL", "big", "f0", "f1", "f2", "f299");
            calls++;
        }
        while (cursor != "0");
        Assert.True(calls > 5);
        for (int i = 3; i < 299; i++) Assert.Contains("f" + i, seen);
    }

    [Fact]
    public void Encoding_follows_listpack_thresholds()
    {
        c.Run("HSET", "h", "f", "v");
        Assert.Equal(Bulk("listpack"), c.Run("OBJECT", "ENCODING", "h"));
        c.Run("HSET", "h", "f", new string('x', 64));
        Assert.Equal(Bulk("listpack"), c.Run("OBJECT", "ENCODING", "h"));
        c.Run("HSET", "h", "f", new string('x', 65));
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "h"));
        // Redis never converts back.
        c.Run("HSET", "h", "f", "short");
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "h"));

        c.Run("HSET", "longfield", new string('k', 65), "v");
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "longfield"));

        var args = new List<string> { "HSET", "many" };
        // hash-max-listpack-entries is 512 in Redis 7.0.
        for (int i = 0; i < 512; i++) { args.Add("f" + i); args.Add("v"); }
        c.Run(args.ToArray());
        Assert.Equal(Bulk("listpack"), c.Run("OBJECT", "ENCODING", "many"));
        c.Run("HSET", "many", "one-more", "v");
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "many"));
        Assert.Equal(Int(513), c.Run("HLEN", "many"));
        Assert.Equal(Bulk("v"), c.Run("HGET", "many", "f77"));
    }

    [Fact]
    public void Binary_safe_fields_and_values()
    {
        c.Run("HSET", "h", "a\0b", "x\r\ny");
        Assert.Equal(Bulk("x\r\ny"), c.Run("HGET", "h", "a\0b"));
        Assert.Equal(Nil, c.Run("HGET", "h", "a"));
    }

    [Fact]
    public void Every_hash_command_rejects_other_types()
    {
        c.Run("SET", "s", "v");
        string[][] calls =
        [
            ["HSET", "s", "f", "v"], ["HSETNX", "s", "f", "v"], ["HMSET", "s", "f", "v"], ["HGET", "s", "f"],
            ["HMGET", "s", "f"], ["HGETALL", "s"], ["HDEL", "s", "f"], ["HEXISTS", "s", "f"], ["HLEN", "s"],
            ["HKEYS", "s"], ["HVALS", "s"], ["HSTRLEN", "s", "f"], ["HINCRBY", "s", "f", "1"],
            ["HINCRBYFLOAT", "s", "f", "1"], ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "2"], ["HSCAN", "s", "0"],
        ];
        foreach (var call in calls) Assert.Equal(Err(WrongType), c.Run(call));
        Assert.Equal(Bulk("v"), c.Run("GET", "s"));
    }

    [Fact]
    public void Memory_estimate_tracks_changes()
    {
        var hash = new RedisHash();
        long empty = hash.EstimatedBytes;
        hash.Set("field"u8, new byte[60]);
        long one = hash.EstimatedBytes;
        Assert.True(one > empty + 60);
        hash.Set("field"u8, new byte[10]);
        Assert.True(hash.EstimatedBytes < one);
        hash.Remove("field"u8);
        Assert.Equal(empty, hash.EstimatedBytes);
        // Converting to the indexed form costs the index.
        hash.Set("field"u8, new byte[65]);
        Assert.True(hash.EstimatedBytes > empty + 65 + 28);
        c.Run("HSET", "h", "a", "1");
        long before = c.Server.Keyspace.UsedMemory;
        c.Run("HSET", "h", "b", new string('x', 1000));
        Assert.True(c.Server.Keyspace.UsedMemory >= before + 1000);
    }

    [Fact]
    public void Copy_clones_the_hash()
    {
        c.Run("HSET", "h", "a", "1");
        Assert.Equal(Int(1), c.Run("COPY", "h", "h2"));
        c.Run("HSET", "h2", "a", "2");
        Assert.Equal(Bulk("1"), c.Run("HGET", "h", "a"));
        Assert.Equal(Bulk("2"), c.Run("HGET", "h2", "a"));
    }

    [Fact]
    public void Wrong_arity_is_reported()
    {
        Assert.Equal(Err("ERR wrong number of arguments for 'hget' command"), c.Run("HGET", "h"));
        Assert.Equal(Err("ERR wrong number of arguments for 'hsetnx' command"), c.Run("HSETNX", "h", "f"));
        Assert.Equal(Err("ERR wrong number of arguments for 'hscan' command"), c.Run("HSCAN", "h"));
    }

    /// <summary>The bulk strings of a flat RESP array reply.</summary>
    internal static List<string> Parse(string reply)
    {
        var lines = reply.Split("\r\n");
        if (reply.StartsWith('$')) return [lines[1]];
        var items = new List<string>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('$')) items.Add(lines[++i]);
            else if (lines[i].StartsWith(':')) items.Add(lines[i][1..]);
        }
        return items;
    }

    /// <summary>The items of a SCAN-style reply, and its next cursor.</summary>
    internal static List<string> ParseScan(string reply, out string cursor)
    {
        var items = Parse(reply);
        cursor = items[0];
        items.RemoveAt(0);
        return items;
    }
}
