using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Security;

/// <summary>
/// Hostile input against the real process: random and mutated RESP over many connections, then the
/// node must still answer quickly with its preloaded data intact; and a slow-loris crowd must not
/// stop other clients.
/// </summary>
[Collection(SecurityCollection.Name)]
public class FuzzTests
{
    private static readonly string[] Seeds =
    [
        "*3\r\n$3\r\nSET\r\n$3\r\nfz1\r\n$1\r\nx\r\n",
        "*2\r\n$3\r\nGET\r\n$3\r\nfz1\r\n",
        "*4\r\n$5\r\nRPUSH\r\n$3\r\nfzl\r\n$1\r\na\r\n$1\r\nb\r\n",
        "*3\r\n$4\r\nKEYS\r\n$1\r\n*\r\n",
        "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n",
        "*1\r\n$4\r\nPING\r\n",
        "*3\r\n$8\r\nSETRANGE\r\n$3\r\nfz2\r\n$3\r\n100\r\n",
        "PING\r\n",
        "SET fz3 \"quoted value\"\r\n",
        "*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nfz\r\n",
        "*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nEXEC\r\n",
        "*99999999999\r\n",
        "*2\r\n$999999999999\r\n",
        "*-1\r\n",
        "$5\r\nhello\r\n",
        "*1\r\n*1\r\n*1\r\n$4\r\nPING\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: x\r\n\r\nSET fz4 1\r\n",
        "*3\r\n$4\r\nHSET\r\n$3\r\nfzh\r\n$1\r\nf\r\n",
        "*3\r\n$5\r\nBLPOP\r\n$3\r\nfzb\r\n$4\r\n0.01\r\n",
    ];

    [Fact]
    public async Task Random_and_mutated_input_leaves_the_node_answering_with_its_data_intact()
    {
        await using var node = await MagpieNode.StartAsync();
        using (var loader = await RawConnection.OpenAsync(node.Port))
        {
            string[] mset = ["MSET", .. Enumerable.Range(0, 200).SelectMany(i => new[] { $"keep:{i}", $"value-{i}" })];
            Assert.Equal("+OK\r\n", await loader.RequestAsync(mset));
        }
        var before = await ChecksumAsync(node.Port);

        var clock = Stopwatch.StartNew();
        long frames = 0;
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker * 7919 + 1);
            while (clock.Elapsed < TimeSpan.FromSeconds(8))
            {
                using var client = new TcpClient { NoDelay = true };
                await client.ConnectAsync("127.0.0.1", node.Port);
                var stream = client.GetStream();
                var drain = DrainAsync(stream);
                for (int f = 0; f < 200 && clock.Elapsed < TimeSpan.FromSeconds(8); f++)
                {
                    var frame = Mutate(random, Seeds[random.Next(Seeds.Length)]);
                    try
                    {
                        // A connection left blocked (BLPOP 0) stops reading: give up on it, not the test.
                        using var stall = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                        await stream.WriteAsync(frame, stall.Token);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException)
                    {
                        break; // the node closed this connection (protocol error): open another
                    }
                    Interlocked.Increment(ref frames);
                }
                client.Client.Shutdown(SocketShutdown.Send);
                await Task.WhenAny(drain, Task.Delay(200));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        Assert.True(frames > 5_000, $"only {frames} frames were sent");

        Assert.False(node.HasExited, node.Log);
        using var probe = await RawConnection.OpenAsync(node.Port);
        await probe.RequestAsync("PING"); // warm
        var ping = Stopwatch.StartNew();
        Assert.Equal("+PONG\r\n", await probe.RequestAsync("PING"));
        Assert.True(ping.Elapsed < TimeSpan.FromSeconds(2), $"PING took {ping.Elapsed}");
        Assert.Equal(before, await ChecksumAsync(node.Port));
        Assert.DoesNotContain("internal error", node.Log);
    }

    [Fact]
    public async Task Slow_loris_connections_do_not_stop_other_clients()
    {
        await using var node = await MagpieNode.StartAsync();
        var crowd = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 1000; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", node.Port);
                crowd.Add(c);
            }
            var payload = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$10\r\n0123456789\r\n");
            using var client = await RawConnection.OpenAsync(node.Port);
            for (int second = 0; second < 5; second++)
            {
                // Each slow client sends one more byte of a command it never finishes.
                foreach (var c in crowd) await c.GetStream().WriteAsync(payload.AsMemory(second, 1));
                var clock = Stopwatch.StartNew();
                Assert.Equal("+OK\r\n", await client.RequestAsync("SET", "fast", second.ToString()));
                Assert.Equal($"${1}\r\n{second}\r\n", await client.RequestAsync("GET", "fast"));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"a normal client waited {clock.Elapsed}");
                await Task.Delay(1000);
            }
            var info = await Tools.RedisCliAsync(node.Port, "INFO", "clients");
            var connected = int.Parse(System.Text.RegularExpressions.Regex.Match(info, @"connected_clients:(\d+)").Groups[1].Value);
            Assert.True(connected >= 1001, info);
        }
        finally
        {
            foreach (var c in crowd) c.Dispose();
        }
    }

    private static byte[] Mutate(Random random, string seed)
    {
        var bytes = Encoding.ASCII.GetBytes(seed).ToList();
        switch (random.Next(6))
        {
            case 0: return [.. bytes]; // as is
            case 1: return [.. bytes.Take(random.Next(1, bytes.Count))]; // truncated
            case 2:
                for (int i = 0; i < 3; i++) bytes[random.Next(bytes.Count)] = (byte)random.Next(256); // flipped bytes
                return [.. bytes];
            case 3: return RandomNumberGenerator.GetBytes(random.Next(1, 64)); // noise
            case 4: return Encoding.ASCII.GetBytes(new string('*', random.Next(1, 200)) + "\r\n"); // deep nesting
            default: return Encoding.ASCII.GetBytes($"*{random.Next(1, 5)}\r\n${random.NextInt64(0, long.MaxValue)}\r\n"); // oversized length
        }
    }

    private static async Task DrainAsync(NetworkStream stream)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer) > 0) { }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static async Task<string> ChecksumAsync(int port)
    {
        string[] mget = ["MGET", .. Enumerable.Range(0, 200).Select(i => $"keep:{i}")];
        var values = await Tools.RedisCliAsync(port, mget);
        Assert.Contains("value-199", values);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(values)));
    }
}
