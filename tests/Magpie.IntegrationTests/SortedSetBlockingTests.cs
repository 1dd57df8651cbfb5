using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

public class SortedSetBlockingTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Bzpopmin_in_one_client_is_woken_by_zadd_from_another()
    {
        int port = fixture.Node.Port;
        var blocked = Tools.RunAsync("redis-cli", ["-p", port.ToString(), "BZPOPMIN", "bz:queue", "10"], timeoutSeconds: 20);
        // Wait until the node reports the client as blocked, then add from a second client.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await Tools.RedisCliAsync(port, "INFO", "clients")).Contains("blocked_clients:1") && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal("1", await Tools.RedisCliAsync(port, "ZADD", "bz:queue", "3", "job"));
        var result = await blocked;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("bz:queue\njob\n3", result.StdOut.Trim());
        Assert.Equal("0", await Tools.RedisCliAsync(port, "EXISTS", "bz:queue"));
    }
}
