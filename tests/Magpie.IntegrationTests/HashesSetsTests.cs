using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>The hash and set families through real clients: redis-py, redis-cli and raw RESP3.</summary>
public class HashesSetsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private int Port => fixture.Node.Port;

    [Fact]
    public async Task Redis_py_drives_every_hash_and_set_command()
    {
        var output = await Tools.PythonScriptAsync("hashes_sets.py", Port);
        Assert.Contains("ALL OK", output);
    }

    [Fact]
    public async Task Redis_cli_hashes()
    {
        string[] db = ["-n", "6"];
        Assert.Equal("2", await Tools.RedisCliAsync(Port, [.. db, "HSET", "cli:h", "name", "magpie", "kind", "bird"]));
        Assert.Equal("magpie", await Tools.RedisCliAsync(Port, [.. db, "HGET", "cli:h", "name"]));
        Assert.Equal("name\nmagpie\nkind\nbird", await Tools.RedisCliAsync(Port, [.. db, "HGETALL", "cli:h"]));
        Assert.Equal("3", await Tools.RedisCliAsync(Port, [.. db, "HINCRBY", "cli:h", "count", "3"]));
        Assert.Equal("3.5", await Tools.RedisCliAsync(Port, [.. db, "HINCRBYFLOAT", "cli:h", "count", "0.5"]));
        Assert.Equal("listpack", await Tools.RedisCliAsync(Port, [.. db, "OBJECT", "ENCODING", "cli:h"]));
        Assert.Equal("hash", await Tools.RedisCliAsync(Port, [.. db, "TYPE", "cli:h"]));
        Assert.StartsWith("WRONGTYPE", await Tools.RedisCliAsync(Port, [.. db, "SADD", "cli:h", "x"]));
    }

    [Fact]
    public async Task Redis_cli_sets()
    {
        string[] db = ["-n", "7"];
        Assert.Equal("3", await Tools.RedisCliAsync(Port, [.. db, "SADD", "cli:s", "3", "1", "2"]));
        Assert.Equal("1\n2\n3", await Tools.RedisCliAsync(Port, [.. db, "SMEMBERS", "cli:s"]));
        Assert.Equal("intset", await Tools.RedisCliAsync(Port, [.. db, "OBJECT", "ENCODING", "cli:s"]));
        Assert.Equal("2", await Tools.RedisCliAsync(Port, [.. db, "SADD", "cli:t", "2", "3"]));
        Assert.Equal("2", await Tools.RedisCliAsync(Port, [.. db, "SINTERCARD", "2", "cli:s", "cli:t"]));
        Assert.Equal("1", await Tools.RedisCliAsync(Port, [.. db, "SDIFFSTORE", "cli:d", "cli:s", "cli:t"]));
        Assert.Equal("1", await Tools.RedisCliAsync(Port, [.. db, "SMEMBERS", "cli:d"]));
        Assert.Equal("ERR numkeys should be greater than 0", await Tools.RedisCliAsync(Port, [.. db, "SINTERCARD", "0", "cli:s"]));
    }

    [Fact]
    public async Task Resp3_reply_types()
    {
        using var conn = await RawConnection.OpenAsync(Port);
        Assert.StartsWith("%", await conn.RequestAsync("HELLO", "3"));
        await conn.RequestAsync("SELECT", "8");
        Assert.Equal(":1\r\n", await conn.RequestAsync("HSET", "r3:h", "f", "v"));
        Assert.Equal("%1\r\n$1\r\nf\r\n$1\r\nv\r\n", await conn.RequestAsync("HGETALL", "r3:h"));
        Assert.Equal("*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", await conn.RequestAsync("HRANDFIELD", "r3:h", "-1", "WITHVALUES"));
        Assert.Equal(":1\r\n", await conn.RequestAsync("SADD", "r3:s", "m"));
        Assert.Equal("~1\r\n$1\r\nm\r\n", await conn.RequestAsync("SMEMBERS", "r3:s"));
        Assert.Equal("~0\r\n", await conn.RequestAsync("SUNION", "r3:none"));
    }
}
