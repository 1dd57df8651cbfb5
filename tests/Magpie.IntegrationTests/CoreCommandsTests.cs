using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>The foundation command families through real clients: redis-py and redis-cli.</summary>
public class CoreCommandsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private int Port => fixture.Node.Port;

    [Fact]
    public async Task Redis_py_drives_every_foundation_family()
    {
        var output = await Tools.PythonScriptAsync("core_commands.py", Port);
        Assert.Contains("ALL OK", output);
    }

    [Fact]
    public async Task Redis_cli_session()
    {
        Assert.Equal("PONG", await Tools.RedisCliAsync(Port, "PING"));
        Assert.Equal("OK", await Tools.RedisCliAsync(Port, "SET", "cli:greeting", "hello world"));
        Assert.Equal("hello world", await Tools.RedisCliAsync(Port, "GET", "cli:greeting"));
        Assert.Equal("11", await Tools.RedisCliAsync(Port, "STRLEN", "cli:greeting"));
        Assert.Equal("ERR wrong number of arguments for 'get' command", await Tools.RedisCliAsync(Port, "GET"));
        Assert.StartsWith("ERR unknown command 'FOO'", await Tools.RedisCliAsync(Port, "FOO", "bar"));
        Assert.Equal("string", await Tools.RedisCliAsync(Port, "TYPE", "cli:greeting"));
        var info = await Tools.RedisCliAsync(Port, "INFO", "server");
        Assert.Contains("redis_version:", info);
        Assert.Contains($"tcp_port:{Port}", info);
    }

    [Fact]
    public async Task Redis_cli_reads_commands_from_stdin_pipeline()
    {
        var script = string.Concat(Enumerable.Range(0, 100).Select(i => $"SET pipe:{i} {i}\n")) + "DBSIZE\nGET pipe:99\n";
        var result = await Tools.RunAsync("redis-cli", ["-p", Port.ToString(), "-n", "3"], stdin: script);
        var lines = result.StdOut.Trim().Split('\n');
        Assert.Equal("100", lines[^2]);
        Assert.Equal("99", lines[^1]);
    }

    [Fact]
    public async Task Resp3_through_hello_3()
    {
        var hello = await Tools.RedisCliAsync(Port, "-3", "HELLO", "3");
        Assert.Contains("proto", hello);
        Assert.Contains("3", hello);
        await Tools.RedisCliAsync(Port, "SET", "r3:k", "v");
        // RESP3 replies arrive as native types: a map for CONFIG GET, a double for INCRBYFLOAT stays a bulk.
        using var conn = await RawConnection.OpenAsync(Port);
        Assert.StartsWith("%7", await conn.RequestAsync("HELLO", "3"));
        Assert.Equal("%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", await conn.RequestAsync("CONFIG", "GET", "maxmemory"));
        Assert.Equal("_\r\n", await conn.RequestAsync("GET", "r3:missing"));
        Assert.Equal("$1\r\nv\r\n", await conn.RequestAsync("GET", "r3:k"));
        Assert.StartsWith("=", await conn.RequestAsync("INFO", "server"));
        Assert.StartsWith("*14", await conn.RequestAsync("HELLO", "2"));
        Assert.Equal("$-1\r\n", await conn.RequestAsync("GET", "r3:missing"));
    }

    [Fact]
    public async Task Command_introspection_is_generated_from_the_table()
    {
        var count = int.Parse(await Tools.RedisCliAsync(Port, "COMMAND", "COUNT"));
        Assert.True(count >= 60, $"only {count} commands");
        var info = await Tools.RedisCliAsync(Port, "COMMAND", "INFO", "get");
        Assert.Contains("readonly", info);
        Assert.Equal("a\nc", await Tools.RedisCliAsync(Port, "COMMAND", "GETKEYS", "MSET", "a", "b", "c", "d"));
        var docs = await Tools.RedisCliAsync(Port, "COMMAND", "DOCS", "set");
        Assert.Contains("summary", docs);
    }
}
