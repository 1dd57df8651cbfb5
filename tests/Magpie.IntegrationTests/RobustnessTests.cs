using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>Bad input gets a clear error and loses nothing: the connection, the node and the data survive.</summary>
public class RobustnessTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private int Port => fixture.Node.Port;

    [Theory]
    [InlineData("*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n+x\r\n", "-ERR Protocol error: expected '$', got '+'\r\n")]
    [InlineData("SET \"unbalanced\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public async Task Protocol_error_closes_only_that_connection(string garbage, string expected)
    {
        using var bystander = await RawConnection.OpenAsync(Port);
        Assert.Equal("+OK\r\n", await bystander.RequestAsync("SET", "robust:key", "kept"));

        using var bad = await RawConnection.OpenAsync(Port);
        await bad.SendAsync(garbage);
        Assert.Equal(expected, await bad.ReadAvailableAsync());
        Assert.True(await bad.IsClosedByServerAsync(), "the server should close a connection after a protocol error");

        Assert.Equal("$4\r\nkept\r\n", await bystander.RequestAsync("GET", "robust:key"));
        Assert.Equal("PONG", await Tools.RedisCliAsync(Port, "PING"));
    }

    [Fact]
    public async Task Oversized_bulk_is_refused_before_it_is_read()
    {
        using var conn = await RawConnection.OpenAsync(Port);
        // 600 MB declared, above proto-max-bulk-len (512 MB); nothing of it is sent.
        await conn.SendAsync("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$629145600\r\n");
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", await conn.ReadAvailableAsync());
        Assert.Equal("PONG", await Tools.RedisCliAsync(Port, "PING"));
    }

    [Fact]
    public async Task Large_value_arriving_in_pieces_is_stored_intact()
    {
        using var conn = await RawConnection.OpenAsync(Port);
        var value = new string('x', 3 * 1024 * 1024);
        var command = $"*3\r\n$3\r\nSET\r\n$9\r\nrobust:lg\r\n${value.Length}\r\n{value}\r\n";
        var bytes = Encoding.ASCII.GetBytes(command);
        for (int offset = 0; offset < bytes.Length; offset += 100_000)
            await conn.SendAsync(bytes[offset..Math.Min(bytes.Length, offset + 100_000)]);
        Assert.Equal("+OK\r\n", await conn.ReadAvailableAsync());
        Assert.Equal(value.Length.ToString(), await Tools.RedisCliAsync(Port, "STRLEN", "robust:lg"));
    }

    [Fact]
    public async Task Wrong_type_and_unknown_commands_keep_the_connection()
    {
        using var conn = await RawConnection.OpenAsync(Port);
        Assert.StartsWith("-ERR unknown command 'NOT_A_COMMAND'", await conn.RequestAsync("NOT_A_COMMAND"));
        Assert.Equal("+OK\r\n", await conn.RequestAsync("SET", "robust:s", "1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await conn.RequestAsync("INCRBY", "robust:s", "x"));
        Assert.Equal("+PONG\r\n", await conn.RequestAsync("PING"));
    }

    [Fact]
    public async Task Inline_commands_work_like_telnet()
    {
        using var conn = await RawConnection.OpenAsync(Port);
        await conn.SendAsync("SET robust:inline \"hello world\"\r\n");
        Assert.Equal("+OK\r\n", await conn.ReadAvailableAsync());
        await conn.SendAsync("GET robust:inline\r\n");
        Assert.Equal("$11\r\nhello world\r\n", await conn.ReadAvailableAsync());
    }

    [Fact]
    public async Task Watch_conflict_between_two_real_clients()
    {
        var output = await Tools.PythonScriptAsync("watch_conflict.py", Port);
        Assert.Contains("conflict detected", output);
        Assert.Contains("retry committed 2", output);
    }
}
