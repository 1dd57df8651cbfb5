using System.Net;
using System.Net.Sockets;
using System.Text;
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

    /// <summary>
    /// A target that takes the RESTORE and drops the connection without answering leaves the key's fate
    /// unknown: MIGRATE settles it with one REPLACE retry on a fresh connection, so the key ends on exactly
    /// one node. A target that never answers gives IOERR after the timeout and the key stays here.
    /// </summary>
    [Fact]
    public async Task Migrate_retries_once_when_the_reply_is_lost_and_keeps_the_key_when_the_target_hangs()
    {
        await using var magpie = await MagpieNode.StartAsync();
        using var m = await RespClient.ConnectAsync(magpie.Port);
        m.Call("SET", "k", "v");

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requests = new List<string>();
        var fake = Task.Run(async () =>
        {
            for (int i = 0; i < 2; i++)
            {
                using var peer = await listener.AcceptSocketAsync();
                string request = await ReadBatchAsync(peer);
                lock (requests) requests.Add(request);
                // First connection: drop it unanswered. Second: +OK for SELECT and RESTORE.
                if (i == 1) await peer.SendAsync("+OK\r\n+OK\r\n"u8.ToArray());
            }
        });
        Assert.Equal("OK", m.CallString("MIGRATE", "127.0.0.1", port, "k", "0", "5000", "REPLACE"));
        await fake.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0L, m.Call("EXISTS", "k"));
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Contains("RESTORE", r));
        Assert.Contains("REPLACE", requests[1]);

        // A target that accepts and never answers: IOERR after the timeout (twice, with the retry), key kept.
        m.Call("SET", "k2", "v2");
        var silent = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true) silent.Add(await listener.AcceptSocketAsync());
        });
        Assert.Equal("IOERR error or timeout reading to target instance", m.CallString("MIGRATE", "127.0.0.1", port, "k2", "0", "300", "REPLACE"));
        Assert.Equal("v2", m.CallString("GET", "k2"));
        listener.Stop();
        foreach (var s in silent.ToArray()) s.Dispose();
    }

    private static async Task<string> ReadBatchAsync(Socket peer)
    {
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var quiet = new CancellationTokenSource(text.Length == 0 ? 5000 : 200);
            int n;
            try
            {
                n = await peer.ReceiveAsync(buffer, SocketFlags.None, quiet.Token);
            }
            catch (OperationCanceledException)
            {
                return text.ToString();
            }
            if (n == 0) return text.ToString();
            text.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
    }
}
