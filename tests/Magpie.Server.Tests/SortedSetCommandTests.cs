using Magpie.Protocol;
using Magpie.Storage;
using Magpie.Storage.Values;

namespace Magpie.Server.Tests;

public class SortedSetCommandTests
{
    private const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private readonly TestClient c = new();

    private void Resp3() => c.Session.Protocol = RespVersion.Resp3;

    private static string Dbl(string s) => $",{s}\r\n";

    private static string Pair(string member, string score) => Array(Bulk(member), Dbl(score));

    private void Seed(string key = "z") => c.Run("ZADD", key, "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");

    [Fact]
    public void Zadd_adds_updates_and_counts()
    {
        Assert.Equal(Int(3), c.Run("ZADD", "z", "1", "a", "2", "b", "3", "c"));
        Assert.Equal(Int(0), c.Run("ZADD", "z", "10", "a"));
        Assert.Equal(Int(1), c.Run("ZADD", "z", "CH", "11", "a", "2", "b"));
        Assert.Equal(Int(2), c.Run("ZADD", "z", "ch", "12", "a", "1", "new"));
        Assert.Equal(Bulk("12"), c.Run("ZSCORE", "z", "a"));
        Assert.Equal(Int(4), c.Run("ZCARD", "z"));
        Assert.Equal("+zset\r\n", c.Run("TYPE", "z"));
        Assert.Equal(Bulk("listpack"), c.Run("OBJECT", "ENCODING", "z"));
        Assert.Equal(Int(1), c.Run("ZADD", "z", "1.5", "x"));
        Assert.Equal(Bulk("1.5"), c.Run("ZSCORE", "z", "x"));
        Assert.Equal(Int(1), c.Run("ZADD", "z", "-inf", "lo"));
        Assert.Equal(Bulk("-inf"), c.Run("ZSCORE", "z", "lo"));
    }

    [Fact]
    public void Zadd_nx_xx_gt_lt()
    {
        c.Run("ZADD", "z", "5", "a");
        Assert.Equal(Int(0), c.Run("ZADD", "z", "NX", "1", "a"));
        Assert.Equal(Bulk("5"), c.Run("ZSCORE", "z", "a"));
        Assert.Equal(Int(1), c.Run("ZADD", "z", "NX", "1", "b"));
        Assert.Equal(Int(0), c.Run("ZADD", "z", "XX", "1", "c"));
        Assert.Equal(Nil, c.Run("ZSCORE", "z", "c"));
        Assert.Equal(Int(0), c.Run("ZADD", "z", "XX", "6", "a"));
        Assert.Equal(Bulk("6"), c.Run("ZSCORE", "z", "a"));
        Assert.Equal(Int(0), c.Run("ZADD", "z", "GT", "CH", "3", "a"));
        Assert.Equal(Int(1), c.Run("ZADD", "z", "GT", "CH", "7", "a"));
        Assert.Equal(Int(0), c.Run("ZADD", "z", "LT", "CH", "8", "a"));
        Assert.Equal(Int(1), c.Run("ZADD", "z", "LT", "CH", "2", "a"));
        Assert.Equal(Bulk("2"), c.Run("ZSCORE", "z", "a"));
        // GT/LT still add new members; XX with a missing key creates nothing.
        Assert.Equal(Int(1), c.Run("ZADD", "z", "GT", "100", "n"));
        Assert.Equal(Int(0), c.Run("ZADD", "nokey", "XX", "1", "a"));
        Assert.Equal(Int(0), c.Run("EXISTS", "nokey"));
    }

    [Fact]
    public void Zadd_errors()
    {
        Assert.Equal(Err("ERR XX and NX options at the same time are not compatible"), c.Run("ZADD", "z", "NX", "XX", "1", "a"));
        Assert.Equal(Err("ERR GT, LT, and/or NX options at the same time are not compatible"), c.Run("ZADD", "z", "GT", "LT", "1", "a"));
        Assert.Equal(Err("ERR GT, LT, and/or NX options at the same time are not compatible"), c.Run("ZADD", "z", "NX", "GT", "1", "a"));
        Assert.Equal(Err("ERR INCR option supports a single increment-element pair"), c.Run("ZADD", "z", "INCR", "1", "a", "2", "b"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZADD", "z", "1", "a", "2"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZADD", "z", "NX", "CH"));
        Assert.Equal(Err("ERR value is not a valid float"), c.Run("ZADD", "z", "1", "a", "x", "b"));
        Assert.Equal(Err("ERR value is not a valid float"), c.Run("ZADD", "z", "nan", "a"));
        // Nothing was added by the failed calls.
        Assert.Equal(Int(0), c.Run("EXISTS", "z"));
        Assert.Equal(Err("ERR wrong number of arguments for 'zadd' command"), c.Run("ZADD", "z", "1"));
    }

    [Fact]
    public void Zadd_incr_and_zincrby()
    {
        Assert.Equal(Bulk("2.5"), c.Run("ZADD", "z", "INCR", "2.5", "a"));
        Assert.Equal(Bulk("3"), c.Run("ZADD", "z", "INCR", "0.5", "a"));
        Assert.Equal(Nil, c.Run("ZADD", "z", "NX", "INCR", "1", "a"));
        Assert.Equal(Nil, c.Run("ZADD", "z", "XX", "INCR", "1", "missing"));
        Assert.Equal(Nil, c.Run("ZADD", "z", "GT", "INCR", "-1", "a"));
        Assert.Equal(Bulk("4"), c.Run("ZADD", "z", "GT", "INCR", "1", "a"));
        Assert.Equal(Bulk("14"), c.Run("ZINCRBY", "z", "10", "a"));
        Assert.Equal(Bulk("-1"), c.Run("ZINCRBY", "z", "-1", "b"));
        Assert.Equal(Bulk("inf"), c.Run("ZINCRBY", "z", "inf", "a"));
        Assert.Equal(Err("ERR resulting score is not a number (NaN)"), c.Run("ZINCRBY", "z", "-inf", "a"));
        Assert.Equal(Bulk("inf"), c.Run("ZSCORE", "z", "a"));
        Assert.Equal(Err("ERR value is not a valid float"), c.Run("ZINCRBY", "z", "abc", "a"));
        Resp3();
        Assert.Equal(Dbl("0"), c.Run("ZINCRBY", "z", "1", "b"));
        Assert.Equal("_\r\n", c.Run("ZADD", "z", "NX", "INCR", "1", "b"));
    }

    [Fact]
    public void Zrem_deletes_empty_key()
    {
        c.Run("ZADD", "z", "1", "a", "2", "b");
        Assert.Equal(Int(1), c.Run("ZREM", "z", "a", "nope"));
        Assert.Equal(Int(0), c.Run("ZREM", "missing", "a"));
        Assert.Equal(Int(1), c.Run("ZREM", "z", "b", "b"));
        Assert.Equal(Int(0), c.Run("EXISTS", "z"));
    }

    [Fact]
    public void Zscore_zmscore_zcard()
    {
        c.Run("ZADD", "z", "1.25", "a", "1e3", "b");
        Assert.Equal(Bulk("1.25"), c.Run("ZSCORE", "z", "a"));
        Assert.Equal(Bulk("1000"), c.Run("ZSCORE", "z", "b"));
        Assert.Equal(Nil, c.Run("ZSCORE", "z", "x"));
        Assert.Equal(Nil, c.Run("ZSCORE", "missing", "x"));
        Assert.Equal(Array(Bulk("1.25"), Nil, Bulk("1000")), c.Run("ZMSCORE", "z", "a", "x", "b"));
        Assert.Equal(Array(Nil, Nil), c.Run("ZMSCORE", "missing", "a", "b"));
        Assert.Equal(Int(2), c.Run("ZCARD", "z"));
        Assert.Equal(Int(0), c.Run("ZCARD", "missing"));
        Resp3();
        Assert.Equal(Dbl("1.25"), c.Run("ZSCORE", "z", "a"));
        Assert.Equal(Array(Dbl("1.25"), "_\r\n"), c.Run("ZMSCORE", "z", "a", "x"));
    }

    [Fact]
    public void Zcount_and_zlexcount()
    {
        Seed();
        Assert.Equal(Int(5), c.Run("ZCOUNT", "z", "-inf", "+inf"));
        Assert.Equal(Int(3), c.Run("ZCOUNT", "z", "2", "4"));
        Assert.Equal(Int(1), c.Run("ZCOUNT", "z", "(2", "(4"));
        Assert.Equal(Int(0), c.Run("ZCOUNT", "z", "(3", "(3"));
        Assert.Equal(Int(1), c.Run("ZCOUNT", "z", "3", "3"));
        Assert.Equal(Int(0), c.Run("ZCOUNT", "z", "5", "1"));
        Assert.Equal(Int(0), c.Run("ZCOUNT", "missing", "0", "1"));
        Assert.Equal(Err("ERR min or max is not a float"), c.Run("ZCOUNT", "z", "x", "1"));
        Assert.Equal(Err("ERR min or max is not a float"), c.Run("ZCOUNT", "z", "1", "(nan"));
        c.Run("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
        Assert.Equal(Int(4), c.Run("ZLEXCOUNT", "l", "-", "+"));
        Assert.Equal(Int(3), c.Run("ZLEXCOUNT", "l", "[b", "+"));
        Assert.Equal(Int(2), c.Run("ZLEXCOUNT", "l", "(a", "[c"));
        Assert.Equal(Int(1), c.Run("ZLEXCOUNT", "l", "(a", "(c"));
        Assert.Equal(Int(0), c.Run("ZLEXCOUNT", "l", "+", "-"));
        Assert.Equal(Int(0), c.Run("ZLEXCOUNT", "l", "[d", "[a"));
        Assert.Equal(Err("ERR min or max not valid string range item"), c.Run("ZLEXCOUNT", "l", "a", "+"));
        Assert.Equal(Err("ERR min or max not valid string range item"), c.Run("ZLEXCOUNT", "l", "-", "+x"));
    }

    [Fact]
    public void Zrange_by_rank_with_negative_indices()
    {
        Seed();
        Assert.Equal(Bulks("a", "b", "c", "d", "e"), c.Run("ZRANGE", "z", "0", "-1"));
        Assert.Equal(Bulks("d", "e"), c.Run("ZRANGE", "z", "-2", "100"));
        Assert.Equal(Bulks("a"), c.Run("ZRANGE", "z", "-100", "0"));
        Assert.Equal(Array(), c.Run("ZRANGE", "z", "3", "1"));
        Assert.Equal(Array(), c.Run("ZRANGE", "z", "5", "10"));
        Assert.Equal(Bulks("e", "d"), c.Run("ZRANGE", "z", "0", "1", "REV"));
        Assert.Equal(Bulks("e", "d"), c.Run("ZREVRANGE", "z", "0", "1"));
        Assert.Equal(Bulks("b", "a"), c.Run("ZREVRANGE", "z", "-2", "-1"));
        Assert.Equal(Bulks("a", "1", "b", "2"), c.Run("ZRANGE", "z", "0", "1", "WITHSCORES"));
        Assert.Equal(Bulks("e", "5"), c.Run("ZREVRANGE", "z", "0", "0", "withscores"));
        Assert.Equal(Array(), c.Run("ZRANGE", "missing", "0", "-1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("ZRANGE", "z", "a", "1"));
        Assert.Equal(Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"), c.Run("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZRANGE", "z", "0", "1", "BOGUS"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZREVRANGE", "z", "0", "1", "REV"));
    }

    [Fact]
    public void Zrange_by_score_with_limit_and_rev()
    {
        Seed();
        Assert.Equal(Bulks("b", "c", "d"), c.Run("ZRANGE", "z", "2", "4", "BYSCORE"));
        Assert.Equal(Bulks("c"), c.Run("ZRANGE", "z", "(2", "(4", "BYSCORE"));
        Assert.Equal(Bulks("d", "c", "b"), c.Run("ZRANGE", "z", "4", "2", "BYSCORE", "REV"));
        Assert.Equal(Bulks("c", "d"), c.Run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "2"));
        Assert.Equal(Bulks("c", "d", "e"), c.Run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "-1"));
        Assert.Equal(Array(), c.Run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"));
        Assert.Equal(Array(), c.Run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "9", "2"));
        Assert.Equal(Array(), c.Run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"));
        Assert.Equal(Bulks("c", "b"), c.Run("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "2", "2"));
        Assert.Equal(Bulks("a", "1", "b", "2"), c.Run("ZRANGEBYSCORE", "z", "-inf", "2", "WITHSCORES"));
        Assert.Equal(Bulks("b", "c"), c.Run("ZRANGEBYSCORE", "z", "1", "5", "LIMIT", "1", "2"));
        Assert.Equal(Bulks("e", "d"), c.Run("ZREVRANGEBYSCORE", "z", "+inf", "(3"));
        Assert.Equal(Bulks("d", "4"), c.Run("ZREVRANGEBYSCORE", "z", "5", "1", "WITHSCORES", "LIMIT", "1", "1"));
        Assert.Equal(Array(), c.Run("ZRANGEBYSCORE", "z", "3", "(3"));
        Assert.Equal(Err("ERR min or max is not a float"), c.Run("ZRANGEBYSCORE", "z", "a", "1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZRANGEBYSCORE", "z", "1", "2", "BYSCORE"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "x", "1"));
    }

    [Fact]
    public void Zrange_by_lex()
    {
        c.Run("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e");
        Assert.Equal(Bulks("a", "b", "c"), c.Run("ZRANGE", "l", "-", "[c", "BYLEX"));
        Assert.Equal(Bulks("b"), c.Run("ZRANGE", "l", "(a", "(c", "BYLEX"));
        Assert.Equal(Bulks("e", "d"), c.Run("ZRANGE", "l", "+", "[d", "BYLEX", "REV"));
        Assert.Equal(Bulks("b", "c"), c.Run("ZRANGE", "l", "-", "+", "BYLEX", "LIMIT", "1", "2"));
        Assert.Equal(Bulks("c", "d", "e"), c.Run("ZRANGEBYLEX", "l", "[c", "+"));
        Assert.Equal(Bulks("c", "b"), c.Run("ZREVRANGEBYLEX", "l", "(d", "(a"));
        Assert.Equal(Bulks("d"), c.Run("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "1"));
        Assert.Equal(Array(), c.Run("ZRANGEBYLEX", "l", "+", "-"));
        Assert.Equal(Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"), c.Run("ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"));
        Assert.Equal(Err("ERR min or max not valid string range item"), c.Run("ZRANGEBYLEX", "l", "a", "[b"));
        Assert.Equal(Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"), c.Run("ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZRANGEBYLEX", "l", "-", "+", "BYSCORE"));
    }

    [Fact]
    public void Zrange_withscores_on_resp3_is_pairs_of_doubles()
    {
        Seed();
        Resp3();
        Assert.Equal(Array(Pair("a", "1"), Pair("b", "2")), c.Run("ZRANGE", "z", "0", "1", "WITHSCORES"));
        Assert.Equal(Array(Pair("e", "5")), c.Run("ZRANGEBYSCORE", "z", "5", "+inf", "WITHSCORES"));
        Assert.Equal(Bulks("a", "b"), c.Run("ZRANGE", "z", "0", "1"));
    }

    [Fact]
    public void Zrangestore_copies_range_and_replaces_destination()
    {
        Seed();
        c.Run("SET", "dst", "string");
        c.Run("EXPIRE", "dst", "100");
        Assert.Equal(Int(3), c.Run("ZRANGESTORE", "dst", "z", "1", "3"));
        Assert.Equal(Bulks("b", "2", "c", "3", "d", "4"), c.Run("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
        Assert.Equal(Int(-1), c.Run("TTL", "dst"));
        Assert.Equal(Int(2), c.Run("ZRANGESTORE", "dst", "z", "5", "0", "BYSCORE", "REV", "LIMIT", "0", "2"));
        Assert.Equal(Bulks("d", "e"), c.Run("ZRANGE", "dst", "0", "-1"));
        Assert.Equal(Int(0), c.Run("ZRANGESTORE", "dst", "z", "10", "20", "BYSCORE"));
        Assert.Equal(Int(0), c.Run("EXISTS", "dst"));
        c.Run("ZADD", "dst", "1", "x");
        Assert.Equal(Int(0), c.Run("ZRANGESTORE", "dst", "missing", "0", "-1"));
        Assert.Equal(Int(0), c.Run("EXISTS", "dst"));
        Assert.Equal(Int(2), c.Run("ZRANGESTORE", "z", "z", "0", "1"));
        Assert.Equal(Bulks("a", "b"), c.Run("ZRANGE", "z", "0", "-1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"));
        c.Run("ZADD", "l", "0", "a", "0", "b");
        Assert.Equal(Int(1), c.Run("ZRANGESTORE", "dst", "l", "[b", "+", "BYLEX"));
    }

    [Fact]
    public void Zrank_and_zrevrank()
    {
        Seed();
        Assert.Equal(Int(0), c.Run("ZRANK", "z", "a"));
        Assert.Equal(Int(4), c.Run("ZRANK", "z", "e"));
        Assert.Equal(Int(0), c.Run("ZREVRANK", "z", "e"));
        Assert.Equal(Int(3), c.Run("ZREVRANK", "z", "b"));
        Assert.Equal(Nil, c.Run("ZRANK", "z", "x"));
        Assert.Equal(Nil, c.Run("ZREVRANK", "missing", "x"));
    }

    [Fact]
    public void Zremrange_by_rank_score_lex()
    {
        Seed();
        Assert.Equal(Int(2), c.Run("ZREMRANGEBYRANK", "z", "0", "1"));
        Assert.Equal(Bulks("c", "d", "e"), c.Run("ZRANGE", "z", "0", "-1"));
        Assert.Equal(Int(1), c.Run("ZREMRANGEBYRANK", "z", "-1", "-1"));
        Assert.Equal(Int(0), c.Run("ZREMRANGEBYRANK", "z", "5", "10"));
        Assert.Equal(Int(1), c.Run("ZREMRANGEBYSCORE", "z", "(3", "+inf"));
        Assert.Equal(Int(0), c.Run("ZREMRANGEBYSCORE", "z", "10", "20"));
        Assert.Equal(Int(1), c.Run("ZREMRANGEBYSCORE", "z", "-inf", "+inf"));
        Assert.Equal(Int(0), c.Run("EXISTS", "z"));
        c.Run("ZADD", "l", "0", "a", "0", "b", "0", "c");
        Assert.Equal(Int(2), c.Run("ZREMRANGEBYLEX", "l", "(a", "+"));
        Assert.Equal(Bulks("a"), c.Run("ZRANGE", "l", "0", "-1"));
        Assert.Equal(Int(1), c.Run("ZREMRANGEBYLEX", "l", "-", "+"));
        Assert.Equal(Int(0), c.Run("EXISTS", "l"));
        Assert.Equal(Int(0), c.Run("ZREMRANGEBYRANK", "missing", "0", "-1"));
        Assert.Equal(Err("ERR min or max is not a float"), c.Run("ZREMRANGEBYSCORE", "missing", "x", "1"));
        Assert.Equal(Err("ERR min or max not valid string range item"), c.Run("ZREMRANGEBYLEX", "missing", "x", "+"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("ZREMRANGEBYRANK", "missing", "x", "1"));
    }

    [Fact]
    public void Zpopmin_zpopmax()
    {
        Seed();
        Assert.Equal(Bulks("a", "1"), c.Run("ZPOPMIN", "z"));
        Assert.Equal(Bulks("e", "5"), c.Run("ZPOPMAX", "z"));
        Assert.Equal(Bulks("b", "2", "c", "3"), c.Run("ZPOPMIN", "z", "2"));
        Assert.Equal(Array(), c.Run("ZPOPMIN", "z", "0"));
        Assert.Equal(Bulks("d", "4"), c.Run("ZPOPMAX", "z", "10"));
        Assert.Equal(Int(0), c.Run("EXISTS", "z"));
        Assert.Equal(Array(), c.Run("ZPOPMIN", "z"));
        Assert.Equal(Array(), c.Run("ZPOPMAX", "z", "3"));
        Assert.Equal(Err("ERR value is out of range, must be positive"), c.Run("ZPOPMIN", "z", "-1"));
        Assert.Equal(Err("ERR value is out of range, must be positive"), c.Run("ZPOPMIN", "z", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZPOPMIN", "z", "1", "2"));
        Seed();
        Resp3();
        Assert.Equal(Array(Bulk("a"), Dbl("1")), c.Run("ZPOPMIN", "z"));
        Assert.Equal(Array(Pair("e", "5"), Pair("d", "4")), c.Run("ZPOPMAX", "z", "2"));
    }

    [Fact]
    public void Zmpop()
    {
        c.Run("ZADD", "z2", "1", "a", "2", "b", "3", "c");
        Assert.Equal(NilArray, c.Run("ZMPOP", "2", "none", "none2", "MIN"));
        Assert.Equal(Array(Bulk("z2"), Array(Bulks("a", "1"))), c.Run("ZMPOP", "2", "none", "z2", "MIN"));
        Assert.Equal(Array(Bulk("z2"), Array(Bulks("c", "3"), Bulks("b", "2"))), c.Run("ZMPOP", "1", "z2", "max", "COUNT", "10"));
        Assert.Equal(Int(0), c.Run("EXISTS", "z2"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("ZMPOP", "0", "z", "MIN"));
        Assert.Equal(Err("ERR count should be greater than 0"), c.Run("ZMPOP", "1", "z", "MIN", "COUNT", "0"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZMPOP", "1", "z", "MIDDLE"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZMPOP", "3", "z", "MIN"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("ZMPOP", "x", "z", "MIN"));
        Assert.Equal(Err("ERR count should be greater than 0"), c.Run("ZMPOP", "1", "z", "MIN", "COUNT", "x"));
        c.Run("ZADD", "z3", "1", "a");
        Resp3();
        Assert.Equal(Array(Bulk("z3"), Array(Pair("a", "1"))), c.Run("ZMPOP", "1", "z3", "MIN"));
        Assert.Equal("_\r\n", c.Run("ZMPOP", "1", "z3", "MIN"));
    }

    [Fact]
    public void Zrandmember()
    {
        Assert.Equal(Nil, c.Run("ZRANDMEMBER", "z"));
        Assert.Equal(Array(), c.Run("ZRANDMEMBER", "z", "5"));
        Seed();
        Assert.Matches("^\\$1\r\n[a-e]\r\n$", c.Run("ZRANDMEMBER", "z"));
        Assert.Equal(Array(), c.Run("ZRANDMEMBER", "z", "0"));
        Assert.Equal(Bulks("a", "b", "c", "d", "e"), c.Run("ZRANDMEMBER", "z", "10"));
        var three = c.Run("ZRANDMEMBER", "z", "3");
        Assert.StartsWith("*3\r\n", three);
        Assert.Equal(3, three.Split("\r\n").Where(l => l.Length == 1).Distinct().Count());
        var repeated = c.Run("ZRANDMEMBER", "z", "-20");
        Assert.StartsWith("*20\r\n", repeated);
        var scored = c.Run("ZRANDMEMBER", "z", "-2", "WITHSCORES");
        Assert.Matches("^\\*4\r\n(\\$1\r\n([a-e])\r\n\\$1\r\n[1-5]\r\n){2}$", scored);
        Assert.Equal(Bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5"), c.Run("ZRANDMEMBER", "z", "5", "WITHSCORES"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZRANDMEMBER", "z", "1", "BOGUS"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZRANDMEMBER", "z", "1", "WITHSCORES", "x"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("ZRANDMEMBER", "z", "x"));
        Assert.Equal(Err("ERR value is out of range"), c.Run("ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"));
        Resp3();
        Assert.Matches("^\\*1\r\n\\*2\r\n\\$1\r\n[a-e]\r\n,[1-5]\r\n$", c.Run("ZRANDMEMBER", "z", "1", "WITHSCORES"));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(250)]
    public void Zrandmember_positive_count_is_distinct_on_large_sets(int count)
    {
        var args = new List<string> { "ZADD", "big" };
        for (int i = 0; i < 300; i++) { args.Add(i.ToString()); args.Add($"m{i}"); }
        c.Run(args.ToArray());
        var lines = c.Run("ZRANDMEMBER", "big", count.ToString()).Split("\r\n");
        Assert.Equal($"*{count}", lines[0]);
        var members = lines.Where(l => l.StartsWith('m')).ToList();
        Assert.Equal(count, members.Count);
        Assert.Equal(count, members.Distinct().Count());
    }

    [Fact]
    public void Zunion_zinter_zdiff_with_weights_and_aggregate()
    {
        c.Run("ZADD", "z1", "1", "a", "2", "b", "3", "c");
        c.Run("ZADD", "z2", "10", "b", "20", "c", "30", "d");
        Assert.Equal(Bulks("a", "1", "b", "12", "c", "23", "d", "30"), c.Run("ZUNION", "2", "z1", "z2", "WITHSCORES"));
        Assert.Equal(Bulks("a", "b", "c", "d"), c.Run("ZUNION", "3", "z1", "z2", "missing", "AGGREGATE", "MIN"));
        Assert.Equal(Bulks("a", "2", "b", "10", "c", "20", "d", "30"), c.Run("ZUNION", "2", "z1", "z2", "WEIGHTS", "2", "1", "AGGREGATE", "MAX", "WITHSCORES"));
        Assert.Equal(Bulks("b", "12", "c", "23"), c.Run("ZINTER", "2", "z1", "z2", "WITHSCORES"));
        Assert.Equal(Bulks("b", "2", "c", "3"), c.Run("ZINTER", "2", "z1", "z2", "AGGREGATE", "MIN", "WITHSCORES"));
        Assert.Equal(Bulks("c", "-17", "b", "-8"), c.Run("ZINTER", "2", "z1", "z2", "WEIGHTS", "1", "-1", "WITHSCORES"));
        Assert.Equal(Array(), c.Run("ZINTER", "2", "z1", "missing"));
        Assert.Equal(Bulks("a", "1"), c.Run("ZDIFF", "2", "z1", "z2", "WITHSCORES"));
        Assert.Equal(Bulks("a", "b", "c"), c.Run("ZDIFF", "2", "z1", "missing"));
        Assert.Equal(Array(), c.Run("ZDIFF", "2", "missing", "z1"));
        // inf * 0 and inf + -inf are 0, as in Redis.
        c.Run("ZADD", "i1", "inf", "x");
        c.Run("ZADD", "i2", "-inf", "x");
        Assert.Equal(Bulks("x", "0"), c.Run("ZUNION", "2", "i1", "i2", "WITHSCORES"));
        Assert.Equal(Bulks("x", "0"), c.Run("ZUNION", "1", "i1", "WEIGHTS", "0", "WITHSCORES"));
        // In ZINTER only the first weighted score is cleared of NaN; a later NaN never wins MIN.
        c.Run("ZADD", "i3", "5", "x");
        Assert.Equal(Bulks("x", "5"), c.Run("ZINTER", "2", "i3", "i1", "WEIGHTS", "1", "0", "AGGREGATE", "MIN", "WITHSCORES"));
        Assert.Equal(Bulks("x", "0"), c.Run("ZINTER", "2", "i3", "i1", "WEIGHTS", "1", "0", "WITHSCORES"));
        Assert.Equal(Bulks("x", "0"), c.Run("ZINTER", "2", "i1", "i3", "WEIGHTS", "0", "1", "AGGREGATE", "MIN", "WITHSCORES"));
        Resp3();
        Assert.Equal(Array(Pair("b", "12"), Pair("c", "23")), c.Run("ZINTER", "2", "z1", "z2", "WITHSCORES"));
    }

    [Fact]
    public void Set_operation_errors()
    {
        c.Run("ZADD", "z1", "1", "a");
        Assert.Equal(Err("ERR at least 1 input key is needed for 'zunion' command"), c.Run("ZUNION", "0", "z1"));
        Assert.Equal(Err("ERR at least 1 input key is needed for 'zinterstore' command"), c.Run("ZINTERSTORE", "d", "0", "z1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZUNION", "3", "z1", "z2"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("ZUNION", "x", "z1"));
        Assert.Equal(Err("ERR weight value is not a float"), c.Run("ZUNION", "1", "z1", "WEIGHTS", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZUNION", "1", "z1", "WEIGHTS", "1", "2"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZUNION", "1", "z1", "AGGREGATE", "AVG"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZDIFF", "1", "z1", "WEIGHTS", "1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZDIFF", "1", "z1", "AGGREGATE", "MIN"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZUNIONSTORE", "d", "1", "z1", "WITHSCORES"));
    }

    [Fact]
    public void Store_variants_replace_destination()
    {
        c.Run("ZADD", "z1", "1", "a", "2", "b");
        c.Run("ZADD", "z2", "3", "b", "4", "c");
        c.Run("SET", "d", "x");
        Assert.Equal(Int(3), c.Run("ZUNIONSTORE", "d", "2", "z1", "z2"));
        Assert.Equal(Bulks("a", "1", "c", "4", "b", "5"), c.Run("ZRANGE", "d", "0", "-1", "WITHSCORES"));
        Assert.Equal(Int(1), c.Run("ZINTERSTORE", "d", "2", "z1", "z2", "WEIGHTS", "10", "1"));
        Assert.Equal(Bulks("b", "23"), c.Run("ZRANGE", "d", "0", "-1", "WITHSCORES"));
        Assert.Equal(Int(1), c.Run("ZDIFFSTORE", "d", "2", "z1", "z2"));
        Assert.Equal(Bulks("a", "1"), c.Run("ZRANGE", "d", "0", "-1", "WITHSCORES"));
        Assert.Equal(Int(0), c.Run("ZINTERSTORE", "d", "2", "z1", "missing"));
        Assert.Equal(Int(0), c.Run("EXISTS", "d"));
        // The destination may be one of the inputs.
        Assert.Equal(Int(3), c.Run("ZUNIONSTORE", "z1", "2", "z1", "z2"));
        Assert.Equal(Int(3), c.Run("ZCARD", "z1"));
    }

    [Fact]
    public void Set_inputs_count_with_score_one()
    {
        c.Server.Keyspace[0].Add("s"u8, new TestSet("a", "b", "x"));
        c.Run("ZADD", "z", "5", "a", "6", "b", "7", "c");
        Assert.Equal(Bulks("x", "1", "a", "6", "b", "7", "c", "7"), c.Run("ZUNION", "2", "z", "s", "WITHSCORES"));
        Assert.Equal(Bulks("a", "6", "b", "7"), c.Run("ZINTER", "2", "s", "z", "WITHSCORES"));
        Assert.Equal(Bulks("x", "1"), c.Run("ZDIFF", "2", "s", "z", "WITHSCORES"));
        Assert.Equal(Int(2), c.Run("ZINTERCARD", "2", "s", "z"));
        Assert.Equal(Int(3), c.Run("ZUNIONSTORE", "d", "1", "s"));
        Assert.Equal(Err(WrongType), c.Run("ZRANGE", "s", "0", "-1"));
    }

    [Fact]
    public void Zintercard_with_limit()
    {
        c.Run("ZADD", "z1", "1", "a", "2", "b", "3", "c");
        c.Run("ZADD", "z2", "1", "a", "2", "b", "3", "c", "4", "d");
        Assert.Equal(Int(3), c.Run("ZINTERCARD", "2", "z1", "z2"));
        Assert.Equal(Int(2), c.Run("ZINTERCARD", "2", "z1", "z2", "LIMIT", "2"));
        Assert.Equal(Int(3), c.Run("ZINTERCARD", "2", "z1", "z2", "LIMIT", "0"));
        Assert.Equal(Int(0), c.Run("ZINTERCARD", "2", "z1", "missing"));
        Assert.Equal(Err("ERR at least 1 input key is needed for 'zintercard' command"), c.Run("ZINTERCARD", "0", "z1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZINTERCARD", "3", "z1", "z2"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("ZINTERCARD", "x", "z1"));
        Assert.Equal(Err("ERR LIMIT can't be negative"), c.Run("ZINTERCARD", "2", "z1", "z2", "LIMIT", "-1"));
        Assert.Equal(Err("ERR LIMIT can't be negative"), c.Run("ZINTERCARD", "2", "z1", "z2", "LIMIT", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZINTERCARD", "2", "z1", "z2", "BOGUS"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZINTERCARD", "2", "z1", "z2", "WITHSCORES"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZINTERCARD", "2", "z1", "z2", "WEIGHTS", "1", "2"));
    }

    [Fact]
    public void Zscan_small_returns_everything_and_large_walks_by_score()
    {
        Seed();
        Assert.Equal(Array(Bulk("0"), Bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5")), c.Run("ZSCAN", "z", "0"));
        Assert.Equal(Array(Bulk("0"), Bulks("b", "2")), c.Run("ZSCAN", "z", "0", "MATCH", "b*"));
        Assert.Equal(Array(Bulk("0"), Array()), c.Run("ZSCAN", "missing", "0"));
        Assert.Equal(Err("ERR invalid cursor"), c.Run("ZSCAN", "z", "abc"));
        Assert.Equal(Err("ERR syntax error"), c.Run("ZSCAN", "z", "0", "COUNT", "0"));

        var args = new List<string> { "ZADD", "big" };
        for (int i = 0; i < 1000; i++) { args.Add((i / 3).ToString()); args.Add($"m{i}"); }
        c.Run(args.ToArray());
        Assert.Equal(Bulk("skiplist"), c.Run("OBJECT", "ENCODING", "big"));
        var seen = new HashSet<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            var reply = c.Run("ZSCAN", "big", cursor, "COUNT", "50");
            var lines = reply.Split("\r\n");
            cursor = lines[2];
            for (int i = 5; i < lines.Length; i += 4) seen.Add(lines[i]);
            // Elements removed mid-scan don't make the scan skip the ones that stay.
            if (calls == 2) c.Run("ZREM", "big", "m0", "m1", "m2", "m3");
            calls++;
        } while (cursor != "0" && calls < 1000);
        Assert.Equal("0", cursor);
        Assert.InRange(calls, 15, 30);
        for (int i = 4; i < 1000; i++) Assert.Contains($"m{i}", seen);
    }

    [Fact]
    public void Large_sets_convert_to_skiplist_and_keep_working()
    {
        for (int i = 0; i < 300; i++) c.Run("ZADD", "z", i.ToString(), $"m{i:D3}");
        Assert.Equal(Bulk("skiplist"), c.Run("OBJECT", "ENCODING", "z"));
        Assert.Equal(Int(300), c.Run("ZCARD", "z"));
        Assert.Equal(Int(150), c.Run("ZRANK", "z", "m150"));
        Assert.Equal(Bulks("m298", "m299"), c.Run("ZRANGE", "z", "-2", "-1"));
        Assert.Equal(Int(11), c.Run("ZCOUNT", "z", "100", "110"));
        Assert.Equal(Int(100), c.Run("ZREMRANGEBYRANK", "z", "0", "99"));
        Assert.Equal(Bulks("m100", "100"), c.Run("ZPOPMIN", "z"));
        Assert.Equal(Bulk("skiplist"), c.Run("OBJECT", "ENCODING", "z"));
        c.Run("ZADD", "long", "1", new string('x', 65));
        Assert.Equal(Bulk("skiplist"), c.Run("OBJECT", "ENCODING", "long"));
        Assert.Equal(Int(1), c.Run("COPY", "z", "z2"));
        Assert.Equal(Int(199), c.Run("ZCARD", "z2"));
    }

    [Fact]
    public void Memory_is_accounted_as_the_set_grows_and_shrinks()
    {
        var db = c.Server.Keyspace[0];
        c.Run("ZADD", "z", "1", "a");
        long before = ((RedisSortedSet)db.Lookup("z"u8)!.Value).EstimatedBytes;
        for (int i = 0; i < 200; i++) c.Run("ZADD", "z", i.ToString(), $"member-{i}");
        long after = ((RedisSortedSet)db.Lookup("z"u8)!.Value).EstimatedBytes;
        Assert.True(after > before + 200 * 32, $"{before} -> {after}");
    }

    [Fact]
    public void Every_command_rejects_the_wrong_type()
    {
        c.Run("SET", "s", "x");
        c.Run("ZADD", "z", "1", "a");
        var calls = new[]
        {
            new[] { "ZADD", "s", "1", "a" }, ["ZINCRBY", "s", "1", "a"], ["ZREM", "s", "a"], ["ZSCORE", "s", "a"],
            ["ZMSCORE", "s", "a"], ["ZCARD", "s"], ["ZCOUNT", "s", "0", "1"], ["ZLEXCOUNT", "s", "-", "+"],
            ["ZRANGE", "s", "0", "-1"], ["ZRANGESTORE", "d", "s", "0", "-1"], ["ZRANGEBYSCORE", "s", "0", "1"],
            ["ZREVRANGEBYSCORE", "s", "1", "0"], ["ZRANGEBYLEX", "s", "-", "+"], ["ZREVRANGEBYLEX", "s", "+", "-"],
            ["ZREVRANGE", "s", "0", "-1"], ["ZRANK", "s", "a"], ["ZREVRANK", "s", "a"], ["ZREMRANGEBYRANK", "s", "0", "1"],
            ["ZREMRANGEBYSCORE", "s", "0", "1"], ["ZREMRANGEBYLEX", "s", "-", "+"], ["ZPOPMIN", "s"], ["ZPOPMAX", "s", "2"],
            ["ZMPOP", "2", "missing", "s", "MIN"], ["ZRANDMEMBER", "s"], ["ZRANDMEMBER", "s", "2"], ["ZUNION", "2", "z", "s"],
            ["ZINTER", "2", "z", "s"], ["ZDIFF", "2", "z", "s"], ["ZUNIONSTORE", "d", "2", "z", "s"], ["ZINTERSTORE", "d", "1", "s"],
            ["ZDIFFSTORE", "d", "1", "s"], ["ZINTERCARD", "2", "z", "s"], ["ZSCAN", "s", "0"],
        };
        foreach (var call in calls) Assert.True(Err(WrongType) == c.Run(call), string.Join(' ', call));
        // Another non-zset value type is rejected too.
        c.Server.Keyspace[0].Add("h"u8, new FakeValue());
        Assert.Equal(Err(WrongType), c.Run("ZADD", "h", "1", "a"));
        Assert.Equal(Err(WrongType), c.Run("ZUNION", "1", "h"));
        Assert.Equal(Bulk("x"), c.Run("GET", "s"));
    }

    [Fact]
    public void Commands_are_in_the_table_with_group_and_flags()
    {
        var info = c.Run("COMMAND", "INFO", "zadd");
        Assert.Contains("denyoom", info);
        Assert.Contains("@sortedset", info);
        Assert.Contains("movablekeys", c.Run("COMMAND", "INFO", "zunionstore"));
        Assert.Equal(Err("ERR wrong number of arguments for 'zrangestore' command"), c.Run("ZRANGESTORE", "d", "z", "0"));
    }

    private sealed class TestSet(params string[] members) : IRedisValue, IMemberEnumerable
    {
        private readonly List<byte[]> _members = members.Select(System.Text.Encoding.UTF8.GetBytes).ToList();
        public RedisType Type => RedisType.Set;
        public string Encoding => "listpack";
        public long EstimatedBytes => 64;
        public long Count => _members.Count;
        public IRedisValue Clone() => new TestSet(members);
        public bool ContainsMember(ReadOnlySpan<byte> member)
        {
            foreach (var m in _members) if (member.SequenceEqual(m)) return true;
            return false;
        }
        public IEnumerable<byte[]> EnumerateMembers() => _members;
    }
}
