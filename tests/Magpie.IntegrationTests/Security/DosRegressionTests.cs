using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Security;

/// <summary>
/// Inputs that used to stall, flood or fool a node (issue 10), each against the real process.
/// CPU bounds are loose and measured as the node's own CPU time, so a busy machine does not flake them.
/// </summary>
[Collection(SecurityCollection.Name)]
public class DosRegressionTests
{
    [Fact]
    public async Task Pathological_glob_pattern_does_not_spin_the_node()
    {
        await using var node = await MagpieNode.StartAsync();
        using var conn = await RawConnection.OpenAsync(node.Port);
        Assert.Equal("+OK\r\n", await conn.RequestAsync("SET", new string('a', 40), "v"));
        var pattern = string.Concat(Enumerable.Repeat("a*", 30)) + "b";
        var cpu = node.CpuTime;
        var clock = Stopwatch.StartNew();
        Assert.Equal("*0\r\n", await conn.RequestAsync("KEYS", pattern));
        Assert.Equal("*2\r\n$1\r\n0\r\n*0\r\n", await conn.RequestAsync("SCAN", "0", "MATCH", pattern, "COUNT", "1000"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"KEYS/SCAN took {clock.Elapsed}");
        Assert.True(node.CpuTime - cpu < TimeSpan.FromSeconds(3), $"KEYS/SCAN used {node.CpuTime - cpu} of CPU");
        // Redis's own glob semantics still hold.
        Assert.Equal($"*1\r\n$40\r\n{new string('a', 40)}\r\n", await conn.RequestAsync("KEYS", "a*a*[a-c]"));
        Assert.Equal("*0\r\n", await conn.RequestAsync("KEYS", "a*a*[^a]"));
    }

    [Fact]
    public async Task Http_post_to_the_resp_port_is_dropped_without_running_anything()
    {
        await using var node = await MagpieNode.StartAsync();
        using var browser = await RawConnection.OpenAsync(node.Port);
        await browser.SendAsync("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 17\r\n\r\nSET http:pwned 1\r\n");
        Assert.Equal("", await browser.ReadAvailableAsync());
        Assert.True(await browser.IsClosedByServerAsync());

        using var host = await RawConnection.OpenAsync(node.Port);
        await host.SendAsync("*2\r\n$5\r\nHost:\r\n$1\r\nx\r\n*3\r\n$3\r\nSET\r\n$9\r\nhttp:host\r\n$1\r\n1\r\n");
        Assert.Equal("", await host.ReadAvailableAsync());

        Assert.Equal("0", await Tools.RedisCliAsync(node.Port, "EXISTS", "http:pwned", "http:host"));
        await WaitForLogAsync(node, "Possible SECURITY ATTACK detected");
    }

    [Fact]
    public async Task Huge_multibulk_in_small_reads_is_parsed_once()
    {
        await using var node = await MagpieNode.StartAsync();
        const int values = 1_000_000;
        var sb = new StringBuilder(values * 8 + 64);
        sb.Append($"*{values + 2}\r\n$5\r\nRPUSH\r\n$4\r\nbig!\r\n");
        for (int i = 0; i < values; i++) sb.Append("$1\r\nx\r\n");
        var bytes = Encoding.ASCII.GetBytes(sb.ToString());

        var cpu = node.CpuTime;
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", node.Port);
        var stream = client.GetStream();
        for (int offset = 0; offset < bytes.Length; offset += 16 * 1024)
            await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(16 * 1024, bytes.Length - offset)));
        var reply = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int n = await stream.ReadAsync(reply, timeout.Token);
        Assert.Equal($":{values}\r\n", Encoding.ASCII.GetString(reply, 0, n));
        // Redis needs ~1-2 s of CPU for this; rescanning the multibulk on every read needed well over 15 s.
        var used = node.CpuTime - cpu;
        Assert.True(used < TimeSpan.FromSeconds(8), $"RPUSH of {values} values used {used} of CPU");
        Assert.Equal(values.ToString(), await Tools.RedisCliAsync(node.Port, "LLEN", "big!"));
    }

    [Fact]
    public async Task Query_buffer_counts_against_maxmemory()
    {
        await using var node = await MagpieNode.StartAsync("--maxmemory", "50mb", "--maxmemory-policy", "noeviction");
        using var conn = await RawConnection.OpenAsync(node.Port);
        const int size = 200 * 1024 * 1024;
        var header = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${size}\r\n");
        await conn.SendAsync(header);
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, (byte)'v');
        for (int sent = 0; sent < size; sent += chunk.Length) await conn.SendAsync(chunk);
        await conn.SendAsync("\r\n");
        Assert.Equal("-OOM command not allowed when used memory > 'maxmemory'.\r\n", await conn.ReadAvailableAsync(timeoutMs: 30_000));
        Assert.Equal("0", await Tools.RedisCliAsync(node.Port, "EXISTS", "big"));
        Assert.Equal("+OK\r\n", await conn.RequestAsync("SET", "small", "fits"));
    }

    [Fact]
    public async Task Publish_racing_unsubscribe_never_fails_and_counts_only_receivers()
    {
        await using var node = await MagpieNode.StartAsync();
        using var subscriber = new TcpClient { NoDelay = true };
        await subscriber.ConnectAsync("127.0.0.1", node.Port);
        var subStream = subscriber.GetStream();
        long messagesReceived = 0;
        bool stopping = false;
        var received = new MemoryStream();
        var pong = new TaskCompletionSource();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[1 << 16];
            var marker = "\r\n$7\r\nmessage\r\n"u8.ToArray();
            var tail = Array.Empty<byte>();
            while (true)
            {
                int n = await subStream.ReadAsync(buffer);
                if (n == 0) return;
                var chunk = tail.Concat(buffer[..n]).ToArray();
                messagesReceived += Count(chunk, marker);
                if (Volatile.Read(ref stopping) && Encoding.ASCII.GetString(chunk).Contains("$4\r\npong\r\n", StringComparison.Ordinal))
                {
                    pong.TrySetResult();
                    return;
                }
                tail = chunk[Math.Max(0, chunk.Length - marker.Length + 1)..];
            }
        });
        var churn = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("SUBSCRIBE race\r\nUNSUBSCRIBE race\r\n", 20)));
        using var stopChurn = new CancellationTokenSource();
        var churner = Task.Run(async () =>
        {
            while (!stopChurn.IsCancellationRequested) await subStream.WriteAsync(churn);
        });

        using var publisher = await RawConnection.OpenAsync(node.Port);
        long counted = 0;
        var publish = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("PUBLISH race hello\r\n", 50)));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            await publisher.SendAsync(publish);
            var replies = "";
            while (replies.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length < 50)
            {
                var more = await publisher.ReadAvailableAsync(quietMs: 20);
                Assert.DoesNotContain("-", more);
                Assert.NotEqual("", more);
                replies += more;
            }
            foreach (var line in replies.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
                counted += long.Parse(line.TrimStart(':'));
        }
        stopChurn.Cancel();
        await churner;
        Volatile.Write(ref stopping, true);
        // Subscribed once more so the final PING is answered in subscriber form ("pong"), after every message.
        await subStream.WriteAsync(Encoding.ASCII.GetBytes("SUBSCRIBE race\r\nPING\r\n"));
        await pong.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(counted, messagesReceived);
        Assert.DoesNotContain("Collection was modified", node.Log);
    }

    [Fact]
    public async Task Setrange_past_the_maximum_size_is_refused_as_redis_does()
    {
        await using var node = await MagpieNode.StartAsync();
        using var conn = await RawConnection.OpenAsync(node.Port);
        const string tooBig = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
        Assert.Equal(tooBig, await conn.RequestAsync("SETRANGE", "sr", "4294967295", "A"));
        Assert.Equal(tooBig, await conn.RequestAsync("SETRANGE", "sr", "536870912", "x"));
        Assert.Equal(tooBig, await conn.RequestAsync("SETRANGE", "sr", "9223372036854775807", "x"));
        Assert.Equal("-ERR offset is out of range\r\n", await conn.RequestAsync("SETRANGE", "sr", "-1", "x"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await conn.RequestAsync("SETRANGE", "sr", "99999999999999999999", "x"));
        // A limit raised past what one array holds still answers the error instead of overflowing.
        Assert.Equal("+OK\r\n", await conn.RequestAsync("CONFIG", "SET", "proto-max-bulk-len", "8gb"));
        Assert.Equal(tooBig, await conn.RequestAsync("SETRANGE", "sr", "4294967295", "A"));
        Assert.Equal("+OK\r\n", await conn.RequestAsync("SET", "sr", "a"));
        Assert.Equal(":2\r\n", await conn.RequestAsync("APPEND", "sr", "b"));
        Assert.Equal(":0\r\n", await conn.RequestAsync("EXISTS", "nothing"));
    }

    [Fact]
    public async Task Brpoplpush_serves_blocked_clients_in_arrival_order()
    {
        await using var node = await MagpieNode.StartAsync();
        const int clients = 8;
        var waiters = new List<RawConnection>();
        try
        {
            for (int i = 0; i < clients; i++)
            {
                var c = await RawConnection.OpenAsync(node.Port);
                waiters.Add(c);
                await c.SendAsync($"*4\r\n$10\r\nBRPOPLPUSH\r\n$3\r\nsrc\r\n$4\r\ndst{i}\r\n$2\r\n10\r\n");
                await WaitForBlockedAsync(node.Port, i + 1);
            }
            // One push per command, all in one batch: each serves the longest-waiting client.
            using var pusher = await RawConnection.OpenAsync(node.Port);
            await pusher.SendAsync(string.Concat(Enumerable.Range(0, clients).Select(i => $"LPUSH src v{i}\r\n")));
            for (int i = 0; i < clients; i++)
                Assert.Equal($"$2\r\nv{i}\r\n", await waiters[i].ReadAvailableAsync());
        }
        finally
        {
            foreach (var c in waiters) c.Dispose();
        }
    }

    private static async Task WaitForBlockedAsync(int port, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var info = await Tools.RedisCliAsync(port, "INFO", "clients");
            if (info.Contains($"blocked_clients:{count}\r", StringComparison.Ordinal) || info.Contains($"blocked_clients:{count}\n", StringComparison.Ordinal)) return;
            await Task.Delay(10);
        }
        throw new TimeoutException($"{count} clients did not block");
    }

    private static async Task WaitForLogAsync(MagpieNode node, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!node.Log.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"log never said '{text}':\n{node.Log}");
            await Task.Delay(50);
        }
    }

    private static long Count(byte[] haystack, byte[] needle)
    {
        long count = 0;
        var span = haystack.AsSpan();
        int at;
        while ((at = span.IndexOf(needle)) >= 0)
        {
            count++;
            span = span[(at + needle.Length)..];
        }
        return count;
    }
}
