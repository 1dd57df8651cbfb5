using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// Streams against the real node: a differential run against redis-server 7.0.15 (fixed cases
/// with every error text, random XADD/XDEL/XTRIM/XREADGROUP/XACK/XCLAIM/XAUTOCLAIM/XPENDING
/// sequences over a stream with groups, and blocking XREAD/XREADGROUP with a second client, in
/// RESP2 and RESP3, replies compared byte for byte), and a redis-py consumer group.
/// </summary>
public class StreamsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Stream_replies_are_byte_identical_to_redis_server()
    {
        await using var redis = await ReferenceRedis.StartAsync();
        var output = await Tools.PythonScriptAsync("streams_differential.py", fixture.Node.Port, redis.Port.ToString(), "7");
        Assert.Contains("replies identical", output);
    }

    [Fact]
    public async Task Redis_py_consumer_group_with_two_consumers_and_xautoclaim()
    {
        var output = await Tools.PythonScriptAsync("streams_consumer_group.py", fixture.Node.Port);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public async Task Blocked_xread_in_redis_cli_is_woken_by_xadd_from_another_client()
    {
        int port = fixture.Node.Port;
        await Tools.RedisCliAsync(port, "DEL", "xs:wake");
        var blocked = Tools.RunAsync("redis-cli", ["-p", port.ToString(), "XREAD", "BLOCK", "10000", "STREAMS", "xs:wake", "$"], timeoutSeconds: 20);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await Tools.RedisCliAsync(port, "INFO", "clients")).Contains("blocked_clients:1") && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal("1-1", await Tools.RedisCliAsync(port, "XADD", "xs:wake", "1-1", "f", "v"));
        var result = await blocked;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("xs:wake\n1-1\nf\nv", result.StdOut.Trim());
        Assert.Equal("stream", await Tools.RedisCliAsync(port, "TYPE", "xs:wake"));
    }
}
