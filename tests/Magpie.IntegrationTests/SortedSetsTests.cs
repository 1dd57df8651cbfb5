using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>The sorted set family through real clients: redis-py for every command, redis-cli and raw RESP3 for a few.</summary>
public class SortedSetsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private int Port => fixture.Node.Port;

    [Fact]
    public async Task Redis_py_drives_every_sorted_set_command()
    {
        var output = await Tools.PythonScriptAsync("sorted_sets.py", Port);
        Assert.Contains("ALL OK", output);
    }

    [Fact]
    public async Task Redis_cli_session()
    {
        Assert.Equal("3", await Tools.RedisCliAsync(Port, "-n", "6", "ZADD", "cli:z", "1", "one", "2.5", "two", "inf", "top"));
        Assert.Equal("one\n1\ntwo\n2.5\ntop\ninf", await Tools.RedisCliAsync(Port, "-n", "6", "ZRANGE", "cli:z", "0", "-1", "WITHSCORES"));
        Assert.Equal("top\ntwo", await Tools.RedisCliAsync(Port, "-n", "6", "ZRANGE", "cli:z", "+inf", "(1", "BYSCORE", "REV"));
        Assert.Equal("3.5", await Tools.RedisCliAsync(Port, "-n", "6", "ZINCRBY", "cli:z", "1", "two"));
        Assert.Equal("zset", await Tools.RedisCliAsync(Port, "-n", "6", "TYPE", "cli:z"));
        Assert.Equal("ERR min or max is not a float", await Tools.RedisCliAsync(Port, "-n", "6", "ZCOUNT", "cli:z", "abc", "1"));
        Assert.Equal("one\n1", await Tools.RedisCliAsync(Port, "-n", "6", "ZPOPMIN", "cli:z"));
        Assert.Equal("OK", await Tools.RedisCliAsync(Port, "-n", "6", "SET", "cli:s", "x"));
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", await Tools.RedisCliAsync(Port, "-n", "6", "ZADD", "cli:s", "1", "x"));
    }

    [Fact]
    public async Task Resp3_replies_are_doubles_and_pairs()
    {
        using var conn = await RawConnection.OpenAsync(Port);
        Assert.StartsWith("%", await conn.RequestAsync("HELLO", "3"));
        await conn.RequestAsync("SELECT", "7");
        Assert.Equal(":2\r\n", await conn.RequestAsync("ZADD", "r3:z", "1.5", "a", "2", "b"));
        Assert.Equal(",1.5\r\n", await conn.RequestAsync("ZSCORE", "r3:z", "a"));
        Assert.Equal("*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n", await conn.RequestAsync("ZRANGE", "r3:z", "0", "-1", "WITHSCORES"));
        Assert.Equal("*1\r\n*2\r\n$1\r\nb\r\n,2\r\n", await conn.RequestAsync("ZPOPMAX", "r3:z", "1"));
        Assert.Equal("_\r\n", await conn.RequestAsync("ZSCORE", "r3:z", "missing"));
    }
}
