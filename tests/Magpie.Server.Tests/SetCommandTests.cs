using Magpie.Protocol;
using Magpie.Storage.Values;
using static Magpie.Server.Tests.HashCommandTests;

namespace Magpie.Server.Tests;

public class SetCommandTests
{
    private const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private readonly TestClient c = new();

    private void Resp3() => c.Session.Protocol = RespVersion.Resp3;

    private List<string> Members(string key) => Parse(c.Run("SMEMBERS", key)).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Sadd_srem_scard_sismember()
    {
        Assert.Equal(Int(3), c.Run("SADD", "s", "a", "b", "c", "a"));
        Assert.Equal(Int(1), c.Run("SADD", "s", "a", "d"));
        Assert.Equal(Int(4), c.Run("SCARD", "s"));
        Assert.Equal(Int(0), c.Run("SCARD", "missing"));
        Assert.Equal(Int(1), c.Run("SISMEMBER", "s", "a"));
        Assert.Equal(Int(0), c.Run("SISMEMBER", "s", "z"));
        Assert.Equal(Int(0), c.Run("SISMEMBER", "missing", "a"));
        Assert.Equal(Int(2), c.Run("SREM", "s", "a", "b", "zz"));
        Assert.Equal(Int(0), c.Run("SREM", "missing", "a"));
        Assert.Equal(new[] { "c", "d" }, Members("s"));
        Assert.Equal("+set\r\n", c.Run("TYPE", "s"));
    }

    [Fact]
    public void Srem_of_the_last_member_deletes_the_key()
    {
        c.Run("SADD", "s", "a", "1");
        Assert.Equal(Int(2), c.Run("SREM", "s", "a", "1"));
        Assert.Equal(Int(0), c.Run("EXISTS", "s"));
        Assert.Equal(0L, c.Server.Keyspace[0].Count);
    }

    [Fact]
    public void Smismember_answers_per_member()
    {
        c.Run("SADD", "s", "a", "1");
        Assert.Equal(Array(Int(1), Int(0), Int(1)), c.Run("SMISMEMBER", "s", "a", "b", "1"));
        Assert.Equal(Array(Int(0), Int(0)), c.Run("SMISMEMBER", "missing", "a", "b"));
    }

    [Fact]
    public void Smembers_of_an_intset_is_sorted_and_a_set_on_resp3()
    {
        c.Run("SADD", "s", "3", "-1", "2");
        Assert.Equal(Bulks("-1", "2", "3"), c.Run("SMEMBERS", "s"));
        Assert.Equal("*0\r\n", c.Run("SMEMBERS", "missing"));
        Resp3();
        Assert.Equal("~3\r\n" + Bulk("-1") + Bulk("2") + Bulk("3"), c.Run("SMEMBERS", "s"));
        Assert.Equal("~0\r\n", c.Run("SMEMBERS", "missing"));
    }

    [Fact]
    public void Encodings_follow_redis_7_0()
    {
        c.Run("SADD", "ints", "1", "2", "3");
        Assert.Equal(Bulk("intset"), c.Run("OBJECT", "ENCODING", "ints"));
        // Not canonical integers: stored as strings.
        c.Run("SADD", "lead", "01");
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "lead"));
        c.Run("SADD", "ints", "x");
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "ints"));
        Assert.Equal(Int(1), c.Run("SISMEMBER", "ints", "2"));
        // Redis 7.0 has no listpack sets: a small string set is a hashtable.
        c.Run("SADD", "small", "a");
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "small"));

        var args = new List<string> { "SADD", "many" };
        for (int i = 0; i < 512; i++) args.Add(i.ToString());
        c.Run(args.ToArray());
        Assert.Equal(Bulk("intset"), c.Run("OBJECT", "ENCODING", "many"));
        c.Run("SADD", "many", "512");
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "many"));
        Assert.Equal(Int(513), c.Run("SCARD", "many"));
        Assert.Equal(Int(1), c.Run("SISMEMBER", "many", "300"));
        Assert.Equal(Int(0), c.Run("SISMEMBER", "many", "513"));
    }

    [Fact]
    public void Set_value_stays_correct_across_its_shapes()
    {
        var set = new RedisSet();
        var expected = new HashSet<string>();
        var rng = new Random(7);
        for (int step = 0; step < 5000; step++)
        {
            string member = rng.Next(4) switch
            {
                0 => rng.Next(-50, 700).ToString(),
                1 => "m" + rng.Next(300),
                2 => new string('L', 60 + rng.Next(10)),
                _ => rng.Next(1000).ToString(),
            };
            var bytes = System.Text.Encoding.ASCII.GetBytes(member);
            if (rng.Next(3) == 0) Assert.Equal(expected.Remove(member), set.Remove(bytes));
            else Assert.Equal(expected.Add(member), set.Add(bytes));
            Assert.Equal(expected.Count, set.Count);
        }
        for (int i = 0; i < set.Count; i++) Assert.Contains(System.Text.Encoding.ASCII.GetString(set.BytesAt(i)), expected);
        foreach (var m in expected) Assert.True(set.Contains(System.Text.Encoding.ASCII.GetBytes(m)));
    }

    [Fact]
    public void Spop_single_and_counted()
    {
        Assert.Equal(Nil, c.Run("SPOP", "missing"));
        Assert.Equal("*0\r\n", c.Run("SPOP", "missing", "3"));
        c.Run("SADD", "s", "a", "b", "c", "d", "e");
        var one = Parse(c.Run("SPOP", "s"));
        Assert.Single(one);
        Assert.Equal(Int(4), c.Run("SCARD", "s"));
        var two = Parse(c.Run("SPOP", "s", "2"));
        Assert.Equal(2, two.Distinct().Count());
        Assert.DoesNotContain(one[0], two);
        Assert.Equal(Int(2), c.Run("SCARD", "s"));
        Assert.Equal("*0\r\n", c.Run("SPOP", "s", "0"));
        var rest = Parse(c.Run("SPOP", "s", "10"));
        Assert.Equal(2, rest.Count);
        Assert.Equal(Int(0), c.Run("EXISTS", "s"));
        Assert.Equal(new[] { "a", "b", "c", "d", "e" }, one.Concat(two).Concat(rest).Order(StringComparer.Ordinal));
        c.Run("SADD", "one", "x");
        Assert.Equal(Bulk("x"), c.Run("SPOP", "one"));
        Assert.Equal(Int(0), c.Run("EXISTS", "one"));
    }

    [Fact]
    public void Spop_errors_and_resp3_set_reply()
    {
        c.Run("SADD", "s", "1", "2", "3");
        Assert.Equal(Err("ERR value is out of range, must be positive"), c.Run("SPOP", "s", "-1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("SPOP", "s", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SPOP", "s", "1", "2"));
        Resp3();
        Assert.StartsWith("~2\r\n", c.Run("SPOP", "s", "2"));
        Assert.Equal("~0\r\n", c.Run("SPOP", "missing", "2"));
        Assert.Equal("_\r\n", c.Run("SPOP", "missing"));
    }

    [Fact]
    public void Srandmember_counts()
    {
        Assert.Equal(Nil, c.Run("SRANDMEMBER", "missing"));
        Assert.Equal("*0\r\n", c.Run("SRANDMEMBER", "missing", "3"));
        Assert.Equal("*0\r\n", c.Run("SRANDMEMBER", "missing", "-3"));
        c.Run("SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        Assert.Single(Parse(c.Run("SRANDMEMBER", "s")));
        Assert.Equal("*0\r\n", c.Run("SRANDMEMBER", "s", "0"));
        for (int round = 0; round < 20; round++)
        {
            foreach (var n in new[] { 1, 2, 5, 9 })
            {
                var picks = Parse(c.Run("SRANDMEMBER", "s", n.ToString()));
                Assert.Equal(n, picks.Count);
                Assert.Equal(n, picks.Distinct().Count());
            }
        }
        Assert.Equal(10, Parse(c.Run("SRANDMEMBER", "s", "100")).Distinct().Count());
        var repeats = Parse(c.Run("SRANDMEMBER", "s", "-50"));
        Assert.Equal(50, repeats.Count);
        Assert.True(repeats.Distinct().Count() < 50);
        Assert.Equal(Int(10), c.Run("SCARD", "s"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("SRANDMEMBER", "s", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SRANDMEMBER", "s", "1", "2"));
        Assert.Equal(Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
            c.Run("SRANDMEMBER", "s", "-9223372036854775808"));
        Assert.Equal(Err("ERR value is out of range"), c.Run("SRANDMEMBER", "s", "-3000000000"));
        c.Run("SADD", "one", "x");
        Assert.Equal(Bulks("x", "x", "x"), c.Run("SRANDMEMBER", "one", "-3"));
        Resp3();
        Assert.Equal("*3\r\n" + Bulk("x") + Bulk("x") + Bulk("x"), c.Run("SRANDMEMBER", "one", "-3"));
    }

    [Fact]
    public void Smove_moves_and_deletes_the_emptied_source()
    {
        c.Run("SADD", "src", "a", "b");
        c.Run("SADD", "dst", "c");
        Assert.Equal(Int(1), c.Run("SMOVE", "src", "dst", "a"));
        Assert.Equal(Int(0), c.Run("SMOVE", "src", "dst", "zz"));
        Assert.Equal(Int(0), c.Run("SMOVE", "missing", "dst", "a"));
        Assert.Equal(new[] { "a", "c" }, Members("dst"));
        Assert.Equal(Int(1), c.Run("SMOVE", "src", "new", "b"));
        Assert.Equal(Int(0), c.Run("EXISTS", "src"));
        Assert.Equal(new[] { "b" }, Members("new"));
        // Same key: a member check, no change.
        Assert.Equal(Int(1), c.Run("SMOVE", "dst", "dst", "a"));
        Assert.Equal(Int(0), c.Run("SMOVE", "dst", "dst", "zz"));
        // Already in the destination: removed from the source only.
        c.Run("SADD", "src2", "c", "q");
        Assert.Equal(Int(1), c.Run("SMOVE", "src2", "dst", "c"));
        Assert.Equal(new[] { "q" }, Members("src2"));
        Assert.Equal(new[] { "a", "c" }, Members("dst"));
    }

    [Fact]
    public void Smove_type_checks()
    {
        c.Run("SET", "str", "v");
        c.Run("SADD", "s", "a");
        Assert.Equal(Err(WrongType), c.Run("SMOVE", "str", "s", "a"));
        Assert.Equal(Err(WrongType), c.Run("SMOVE", "s", "str", "a"));
        Assert.Equal(Int(0), c.Run("SMOVE", "missing", "str", "a"));
        Assert.Equal(Int(1), c.Run("SISMEMBER", "s", "a"));
    }

    [Fact]
    public void Sinter_sunion_sdiff()
    {
        c.Run("SADD", "a", "1", "2", "3", "x");
        c.Run("SADD", "b", "2", "3", "4", "x");
        c.Run("SADD", "c", "3", "x", "y");
        Assert.Equal(new[] { "3", "x" }, Parse(c.Run("SINTER", "a", "b", "c")).Order(StringComparer.Ordinal));
        Assert.Equal("*0\r\n", c.Run("SINTER", "a", "missing"));
        Assert.Equal(new[] { "1", "2", "3", "4", "x", "y" }, Parse(c.Run("SUNION", "a", "b", "c", "missing")).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "1" }, Parse(c.Run("SDIFF", "a", "b", "c")));
        Assert.Equal(new[] { "1", "2", "3", "x" }, Parse(c.Run("SDIFF", "a", "missing")).Order(StringComparer.Ordinal));
        Assert.Equal("*0\r\n", c.Run("SDIFF", "missing", "a"));
        Assert.Equal("*0\r\n", c.Run("SDIFF", "a", "a"));
        Assert.Equal(new[] { "1", "2", "3", "x" }, Parse(c.Run("SINTER", "a", "a")).Order(StringComparer.Ordinal));
        Resp3();
        Assert.StartsWith("~2\r\n", c.Run("SINTER", "a", "b", "c"));
        Assert.StartsWith("~6\r\n", c.Run("SUNION", "a", "b", "c"));
        Assert.StartsWith("~1\r\n", c.Run("SDIFF", "a", "b", "c"));
        Assert.Equal("~0\r\n", c.Run("SINTER", "a", "missing"));
    }

    [Fact]
    public void Store_variants_replace_the_destination_and_delete_it_when_empty()
    {
        c.Run("SADD", "a", "1", "2", "3");
        c.Run("SADD", "b", "2", "3", "4");
        c.Run("SET", "dst", "string");
        c.Run("EXPIRE", "dst", "100");
        Assert.Equal(Int(2), c.Run("SINTERSTORE", "dst", "a", "b"));
        Assert.Equal(new[] { "2", "3" }, Members("dst"));
        Assert.Equal(Int(-1), c.Run("TTL", "dst"));
        Assert.Equal(Bulk("intset"), c.Run("OBJECT", "ENCODING", "dst"));
        Assert.Equal(Int(4), c.Run("SUNIONSTORE", "dst", "a", "b"));
        Assert.Equal(new[] { "1", "2", "3", "4" }, Members("dst"));
        Assert.Equal(Int(1), c.Run("SDIFFSTORE", "dst", "a", "b"));
        Assert.Equal(new[] { "1" }, Members("dst"));
        // A source may also be the destination.
        Assert.Equal(Int(4), c.Run("SUNIONSTORE", "a", "a", "dst", "b"));
        Assert.Equal(Int(0), c.Run("SINTERSTORE", "dst", "a", "missing"));
        Assert.Equal(Int(0), c.Run("EXISTS", "dst"));
        c.Run("SADD", "dst", "z");
        Assert.Equal(Int(0), c.Run("SDIFFSTORE", "dst", "b", "b"));
        Assert.Equal(Int(0), c.Run("EXISTS", "dst"));
        c.Run("SADD", "dst", "z");
        Assert.Equal(Int(0), c.Run("SUNIONSTORE", "dst", "nothing", "nada"));
        Assert.Equal(Int(0), c.Run("EXISTS", "dst"));
        c.Run("SADD", "words", "x", "y");
        Assert.Equal(Int(2), c.Run("SUNIONSTORE", "dst", "words"));
        Assert.Equal(Bulk("hashtable"), c.Run("OBJECT", "ENCODING", "dst"));
    }

    [Fact]
    public void Sintercard_limit_and_errors()
    {
        c.Run("SADD", "a", "1", "2", "3", "4");
        c.Run("SADD", "b", "2", "3", "4", "5");
        Assert.Equal(Int(3), c.Run("SINTERCARD", "2", "a", "b"));
        Assert.Equal(Int(2), c.Run("SINTERCARD", "2", "a", "b", "LIMIT", "2"));
        Assert.Equal(Int(3), c.Run("SINTERCARD", "2", "a", "b", "limit", "0"));
        Assert.Equal(Int(4), c.Run("SINTERCARD", "1", "a"));
        Assert.Equal(Int(0), c.Run("SINTERCARD", "2", "a", "missing"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("SINTERCARD", "0", "a"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("SINTERCARD", "x", "a"));
        Assert.Equal(Err("ERR Number of keys can't be greater than number of args"), c.Run("SINTERCARD", "3", "a", "b"));
        Assert.Equal(Err("ERR LIMIT can't be negative"), c.Run("SINTERCARD", "2", "a", "b", "LIMIT", "-1"));
        Assert.Equal(Err("ERR LIMIT can't be negative"), c.Run("SINTERCARD", "2", "a", "b", "LIMIT", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SINTERCARD", "2", "a", "b", "LIMIT"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SINTERCARD", "1", "a", "b"));
    }

    [Fact]
    public void Sscan_small_and_large_sets()
    {
        c.Run("SADD", "ints", "3", "1", "2");
        Assert.Equal(Array(Bulk("0"), Bulks("1", "2", "3")), c.Run("SSCAN", "ints", "0", "COUNT", "1"));
        c.Run("SADD", "words", "apple", "avocado", "banana");
        Assert.Equal(Array(Bulk("0"), Bulks("apple", "avocado")), c.Run("SSCAN", "words", "0", "MATCH", "a*"));
        Assert.Equal(Array(Bulk("0"), "*0\r\n"), c.Run("SSCAN", "missing", "0"));
        Assert.Equal(Err("ERR invalid cursor"), c.Run("SSCAN", "ints", "-1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SSCAN", "ints", "0", "MATCH"));

        var args = new List<string> { "SADD", "big" };
        for (int i = 0; i < 1000; i++) args.Add("m" + i);
        c.Run(args.ToArray());
        var seen = new HashSet<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            foreach (var m in ParseScan(c.Run("SSCAN", "big", cursor, "COUNT", "100"), out cursor)) seen.Add(m);
            if (calls == 3) c.Run("SREM", "big", "m0", "m999");
            calls++;
        }
        while (cursor != "0");
        Assert.True(calls >= 10);
        for (int i = 1; i < 999; i++) Assert.Contains("m" + i, seen);
        var matched = ParseScan(c.Run("SSCAN", "big", "0", "MATCH", "m5?", "COUNT", "2000"), out cursor);
        Assert.Equal("0", cursor);
        Assert.Equal(10, matched.Count);
    }

    [Fact]
    public void Every_set_command_rejects_other_types()
    {
        c.Run("SET", "str", "v");
        c.Run("SADD", "s", "a");
        string[][] calls =
        [
            ["SADD", "str", "a"], ["SREM", "str", "a"], ["SMEMBERS", "str"], ["SISMEMBER", "str", "a"],
            ["SMISMEMBER", "str", "a"], ["SCARD", "str"], ["SPOP", "str"], ["SPOP", "str", "2"],
            ["SRANDMEMBER", "str"], ["SRANDMEMBER", "str", "2"], ["SMOVE", "str", "s", "a"],
            ["SINTER", "s", "str"], ["SINTER", "missing", "str"], ["SINTERCARD", "2", "s", "str"],
            ["SINTERSTORE", "d", "s", "str"], ["SUNION", "s", "str"], ["SUNIONSTORE", "d", "s", "str"],
            ["SDIFF", "s", "str"], ["SDIFF", "missing", "str"], ["SDIFFSTORE", "d", "s", "str"], ["SSCAN", "str", "0"],
        ];
        foreach (var call in calls) Assert.Equal(Err(WrongType), c.Run(call));
        Assert.Equal(Int(0), c.Run("EXISTS", "d"));
        Assert.Equal(Bulk("v"), c.Run("GET", "str"));
    }

    [Fact]
    public void Memory_estimate_tracks_changes()
    {
        var set = new RedisSet();
        long empty = set.EstimatedBytes;
        set.Add("a-long-member-name-for-memory"u8);
        Assert.True(set.EstimatedBytes > empty);
        c.Run("SADD", "s", "x");
        long before = c.Server.Keyspace.UsedMemory;
        c.Run("SADD", "s", new string('y', 2000));
        Assert.True(c.Server.Keyspace.UsedMemory >= before + 2000);
        c.Run("SREM", "s", new string('y', 2000));
        Assert.True(c.Server.Keyspace.UsedMemory < before + 2000);
    }

    [Fact]
    public void Copy_clones_every_shape()
    {
        c.Run("SADD", "ints", "1", "2");
        c.Run("SADD", "words", "a", "b");
        Assert.Equal(Int(1), c.Run("COPY", "ints", "ints2"));
        Assert.Equal(Int(1), c.Run("COPY", "words", "words2"));
        c.Run("SADD", "ints2", "3");
        c.Run("SREM", "words2", "a");
        Assert.Equal(new[] { "1", "2" }, Members("ints"));
        Assert.Equal(new[] { "a", "b" }, Members("words"));
        Assert.Equal(new[] { "1", "2", "3" }, Members("ints2"));
        Assert.Equal(new[] { "b" }, Members("words2"));
    }
}
