using StackExchange.Redis;

namespace Magpie.Ecosystem.Tests.Infrastructure;

public static class Connections
{
    /// <summary>The options a .NET service would use against one endpoint: admin on (FLUSHDB), short timeouts.</summary>
    public static ConfigurationOptions Options(int port, RedisProtocol protocol = RedisProtocol.Resp2) => new()
    {
        EndPoints = { { "127.0.0.1", port } },
        Protocol = protocol,
        AllowAdmin = true,
        AbortOnConnectFail = true,
        ConnectTimeout = 5000,
        SyncTimeout = 5000,
        AsyncTimeout = 5000,
    };

    public static async Task<ConnectionMultiplexer> ConnectAsync(int port, RedisProtocol protocol = RedisProtocol.Resp2)
    {
        var writer = new StringWriter();
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(Options(port, protocol), writer).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"StackExchange.Redis could not connect to {port}: {e.Message}\n{writer}", e);
        }
    }
}
