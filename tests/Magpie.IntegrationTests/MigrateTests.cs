using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>MIGRATE from a Magpie node into a real redis-server: DUMP payloads, KEYS, COPY, REPLACE, a dead host.</summary>
[Collection("Persistence")]
public class MigrateTests
{
    [Fact]
    public async Task Migrate_moves_keys_into_redis_server_and_keeps_them_when_the_target_is_dead()
    {
        await using var magpie = await MagpieNode.StartAsync();
        await using var redis = await RedisServerProcess.StartAsync();
        using var m = await RespClient.ConnectAsync(magpie.Port);
        using var r = await RespClient.ConnectAsync(redis.Port);
        m.Call("SET", "s", "hello");
        m.Call("RPUSH", "l", "a", "b", "c");
        m.Call("HSET", "h", "f", "v");

        Assert.Equal("OK", m.CallString("MIGRATE", "127.0.0.1", redis.Port, "s", "0", "5000"));
        Assert.Equal("(nil)", m.CallString("GET", "s"));
        Assert.Equal("hello", r.CallString("GET", "s"));

        Assert.Equal("OK", m.CallString("MIGRATE", "127.0.0.1", redis.Port, "", "0", "5000", "COPY", "KEYS", "l", "h"));
        Assert.Equal(3L, m.Call("LLEN", "l"));
        Assert.Equal(3L, r.Call("LLEN", "l"));
        Assert.Equal("v", r.CallString("HGET", "h", "f"));

        // Without REPLACE the target refuses an existing key, and the source keeps it.
        Assert.StartsWith("ERR Target instance replied with error: BUSYKEY", m.CallString("MIGRATE", "127.0.0.1", redis.Port, "l", "0", "5000"));
        Assert.Equal(3L, m.Call("LLEN", "l"));
        Assert.Equal("OK", m.CallString("MIGRATE", "127.0.0.1", redis.Port, "l", "0", "5000", "REPLACE"));
        Assert.Equal(0L, m.Call("EXISTS", "l"));

        Assert.Equal("NOKEY", m.CallString("MIGRATE", "127.0.0.1", redis.Port, "missing", "0", "5000"));

        int dead = MagpieNode.FreePort();
        Assert.StartsWith("IOERR", m.CallString("MIGRATE", "127.0.0.1", dead, "h", "0", "500"));
        Assert.Equal("v", m.CallString("HGET", "h", "f"));
    }
}
