using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>Pub/sub and client tracking between real clients: redis-py, redis-cli -3 and raw RESP3 sockets.</summary>
public class PubSubTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private int Port => fixture.Node.Port;

    [Fact]
    public async Task Redis_py_pubsub_and_resp2_tracking_redirect()
    {
        var output = await Tools.PythonScriptAsync("pubsub.py", Port);
        Assert.Contains("ALL OK", output);
    }

    [Fact]
    public async Task Resp2_redis_cli_subscriber_receives_what_another_client_publishes()
    {
        using var subscriber = StartRedisCli("SUBSCRIBE", "cli2:ch");
        await WaitForSubscribersAsync("cli2:ch", 1);
        Assert.Equal("1", await Tools.RedisCliAsync(Port, "PUBLISH", "cli2:ch", "hello resp2"));
        var text = await ReadUntilAsync(subscriber, "hello resp2");
        Assert.Contains("subscribe\ncli2:ch\n1\nmessage\ncli2:ch\nhello resp2", text);
        subscriber.Kill();
    }

    [Fact]
    public async Task Resp3_redis_cli_subscriber_receives_pushes()
    {
        using var subscriber = StartRedisCli("-3", "SUBSCRIBE", "cli3:ch");
        await WaitForSubscribersAsync("cli3:ch", 1);
        Assert.Equal("1", await Tools.RedisCliAsync(Port, "PUBLISH", "cli3:ch", "hello resp3"));
        var text = await ReadUntilAsync(subscriber, "hello resp3");
        Assert.Contains("message\ncli3:ch\nhello resp3", text);
        subscriber.Kill();
    }

    [Fact]
    public async Task Resp3_socket_gets_push_messages_and_keeps_running_commands()
    {
        using var sub = await RawConnection.OpenAsync(Port);
        using var pub = await RawConnection.OpenAsync(Port);
        Assert.StartsWith("%7", await sub.RequestAsync("HELLO", "3"));
        Assert.Equal(">3\r\n$9\r\nsubscribe\r\n$6\r\nraw3:a\r\n:1\r\n", await sub.RequestAsync("SUBSCRIBE", "raw3:a"));
        Assert.Equal(">3\r\n$10\r\npsubscribe\r\n$6\r\nraw3:*\r\n:2\r\n", await sub.RequestAsync("PSUBSCRIBE", "raw3:*"));
        Assert.Equal(":2\r\n", await pub.RequestAsync("PUBLISH", "raw3:a", "m1"));
        Assert.Equal(">3\r\n$7\r\nmessage\r\n$6\r\nraw3:a\r\n$2\r\nm1\r\n>4\r\n$8\r\npmessage\r\n$6\r\nraw3:*\r\n$6\r\nraw3:a\r\n$2\r\nm1\r\n",
            await sub.ReadAvailableAsync());
        // RESP3 has no subscriber mode: ordinary commands run between pushes.
        Assert.Equal("+OK\r\n", await sub.RequestAsync("SET", "raw3:k", "v"));
        Assert.Equal("$1\r\nv\r\n", await sub.RequestAsync("GET", "raw3:k"));
        Assert.Equal(">3\r\n$11\r\nunsubscribe\r\n$6\r\nraw3:a\r\n:1\r\n", await sub.RequestAsync("UNSUBSCRIBE"));
        Assert.Equal(":1\r\n", await pub.RequestAsync("PUBLISH", "raw3:a", "m2"));
    }

    [Fact]
    public async Task Many_messages_arrive_in_order_on_a_resp2_socket()
    {
        using var sub = await RawConnection.OpenAsync(Port);
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$6\r\norder:\r\n:1\r\n", await sub.RequestAsync("SUBSCRIBE", "order:"));
        Assert.StartsWith("-ERR Can't execute 'get'", await sub.RequestAsync("GET", "x"));
        var sb = new StringBuilder();
        for (int i = 0; i < 500; i++) sb.Append(Command("PUBLISH", "order:", $"n{i}"));
        using var pub = await RawConnection.OpenAsync(Port);
        await pub.SendAsync(sb.ToString());
        var expected = string.Concat(Enumerable.Range(0, 500).Select(i => $"*3\r\n$7\r\nmessage\r\n$6\r\norder:\r\n${$"n{i}".Length}\r\nn{i}\r\n"));
        var received = new StringBuilder();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (received.Length < expected.Length && DateTime.UtcNow < deadline) received.Append(await sub.ReadAvailableAsync(quietMs: 300));
        Assert.Equal(expected, received.ToString());
    }

    [Fact]
    public async Task Client_tracking_pushes_invalidations_over_resp3()
    {
        using var reader = await RawConnection.OpenAsync(Port);
        using var writer = await RawConnection.OpenAsync(Port);
        await reader.RequestAsync("HELLO", "3");
        Assert.Equal("+OK\r\n", await writer.RequestAsync("SET", "trk:k", "v1"));
        Assert.Equal("+OK\r\n", await reader.RequestAsync("CLIENT", "TRACKING", "ON"));
        Assert.Equal("$2\r\nv1\r\n", await reader.RequestAsync("GET", "trk:k"));
        Assert.Equal("+OK\r\n", await writer.RequestAsync("SET", "trk:k", "v2"));
        Assert.Equal(">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\ntrk:k\r\n", await reader.ReadAvailableAsync());
        // Only once until read again.
        Assert.Equal("+OK\r\n", await writer.RequestAsync("SET", "trk:k", "v3"));
        Assert.Equal("", await reader.ReadAvailableAsync(timeoutMs: 500));

        Assert.Equal("+OK\r\n", await reader.RequestAsync("CLIENT", "TRACKING", "OFF"));
        Assert.Equal("+OK\r\n", await reader.RequestAsync("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "trkb:", "NOLOOP"));
        Assert.Equal("+OK\r\n", await writer.RequestAsync("SET", "trkb:1", "x"));
        Assert.Equal(">2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\ntrkb:1\r\n", await reader.ReadAvailableAsync());
        Assert.Equal("+OK\r\n", await reader.RequestAsync("SET", "trkb:2", "own write, no loop"));
    }

    [Fact]
    public async Task Slow_subscriber_is_disconnected_at_the_configured_limit_and_memory_stays_bounded()
    {
        await using var node = await MagpieNode.StartAsync();
        // 2 MB: small enough to cut the slow subscriber off long before the 128 MB below piles up,
        // large enough (32 messages) that the draining subscriber never falls that far behind on a busy machine.
        Assert.Equal("OK", await Tools.RedisCliAsync(node.Port, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 2mb 1mb 60"));

        // A subscriber that never reads, with small socket buffers so the server's side fills up fast.
        using var slow = new TcpClient { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync("127.0.0.1", node.Port);
        await slow.GetStream().WriteAsync(Encoding.UTF8.GetBytes(Command("SUBSCRIBE", "flood")));
        using var fast = await RawConnection.OpenAsync(node.Port);
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n", await fast.RequestAsync("SUBSCRIBE", "flood"));
        using var publisher = await LineClient.OpenAsync(node.Port);
        while (await publisher.IntegerAsync("PUBSUB", "NUMSUB", "flood") < 2) await Task.Delay(20);
        long rssBefore = await InfoFieldAsync(publisher, "used_memory_rss");

        var payload = new string('p', 64 * 1024);
        int published = 0;
        long receivers = 2;
        var fastBytes = Task.Run(() => DrainAsync(fast));
        // 2000 x 64 KB = 128 MB would pile up in the server for the slow subscriber without the limit.
        for (; published < 2000 && receivers == 2; published++) receivers = await publisher.IntegerAsync("PUBLISH", "flood", payload);
        Assert.Equal(1, receivers);
        Assert.True(published < 400, $"the slow subscriber was cut off only after {published} messages");
        for (int i = 0; i < 300; i++) Assert.Equal(1, await publisher.IntegerAsync("PUBLISH", "flood", payload));

        Assert.Equal(1, await InfoFieldAsync(publisher, "client_output_buffer_limit_disconnections"));
        Assert.Equal(1, await publisher.IntegerAsync("PUBSUB", "NUMSUB", "flood"));
        long rssAfter = await InfoFieldAsync(publisher, "used_memory_rss");
        Assert.True(rssAfter - rssBefore < 64L * 1024 * 1024, $"RSS grew by {(rssAfter - rssBefore) / 1024 / 1024} MB");
        // Other clients kept working the whole time.
        Assert.Equal("OK", await Tools.RedisCliAsync(node.Port, "SET", "after", "flood"));
        Assert.Equal("flood", await Tools.RedisCliAsync(node.Port, "GET", "after"));
        // The slow socket was closed by the server: once drained, it reads end of stream.
        Assert.True(await ReadsToEndAsync(slow.GetStream()), "the slow subscriber's connection is still open");
        Assert.False(node.HasExited);
    }

    private static async Task<long> DrainAsync(RawConnection conn)
    {
        long total = 0;
        while (true)
        {
            var text = await conn.ReadAvailableAsync(quietMs: 2000, timeoutMs: 60_000);
            if (text.Length == 0) return total;
            total += text.Length;
        }
    }

    private static async Task<bool> ReadsToEndAsync(NetworkStream stream)
    {
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0) { }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<long> InfoFieldAsync(LineClient client, string field)
    {
        var info = await client.BulkAsync("INFO");
        var line = info.Split("\r\n").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static string Command(params string[] args)
    {
        var sb = new StringBuilder($"*{args.Length}\r\n");
        foreach (var a in args) sb.Append($"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n");
        return sb.ToString();
    }

    private Process StartRedisCli(params string[] args)
    {
        var psi = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-p");
        psi.ArgumentList.Add(Port.ToString(CultureInfo.InvariantCulture));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static async Task<string> ReadUntilAsync(Process process, string marker)
    {
        var sb = new StringBuilder();
        var buffer = new char[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!sb.ToString().Contains(marker))
        {
            int n = await process.StandardOutput.ReadAsync(buffer, cts.Token);
            if (n == 0) break;
            sb.Append(buffer, 0, n);
        }
        return sb.ToString();
    }

    private async Task WaitForSubscribersAsync(string channel, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var reply = await Tools.RedisCliAsync(Port, "PUBSUB", "NUMSUB", channel);
            if (reply.EndsWith("\n" + count, StringComparison.Ordinal)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no {count} subscribers on {channel}");
    }

    /// <summary>A minimal request/response client that reads exactly one integer or bulk reply, for tight loops.</summary>
    private sealed class LineClient : IDisposable
    {
        private readonly TcpClient _client;
        private readonly BufferedStream _stream;

        private LineClient(TcpClient client)
        {
            _client = client;
            _stream = new BufferedStream(client.GetStream());
        }

        public static async Task<LineClient> OpenAsync(int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return new LineClient(client);
        }

        public async Task<long> IntegerAsync(params string[] args)
        {
            var line = await SendAndReadLineAsync(args);
            if (line.StartsWith('*'))
            {
                // PUBSUB NUMSUB channel: [channel, count]
                await ReadLineAsync();
                await ReadLineAsync();
                line = await ReadLineAsync();
            }
            Assert.True(line.StartsWith(':'), $"expected an integer, got {line}");
            return long.Parse(line[1..], CultureInfo.InvariantCulture);
        }

        public async Task<string> BulkAsync(params string[] args)
        {
            var line = await SendAndReadLineAsync(args);
            Assert.True(line.StartsWith('$'), $"expected a bulk string, got {line}");
            var data = new byte[int.Parse(line[1..], CultureInfo.InvariantCulture) + 2];
            await _stream.ReadExactlyAsync(data);
            return Encoding.UTF8.GetString(data, 0, data.Length - 2);
        }

        private async Task<string> SendAndReadLineAsync(string[] args)
        {
            var bytes = Encoding.UTF8.GetBytes(Command(args));
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
            return await ReadLineAsync();
        }

        private async Task<string> ReadLineAsync()
        {
            var sb = new StringBuilder();
            var one = new byte[1];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                await _stream.ReadExactlyAsync(one, cts.Token);
                if (one[0] == '\n') return sb.ToString().TrimEnd('\r');
                sb.Append((char)one[0]);
            }
        }

        public void Dispose() => _client.Dispose();
    }
}
