using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>A real redis-server 7.0 (the reference for differential tests) on a free port, no persistence.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    public int Port { get; }

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public static async Task<RedisServer> StartAsync(params string[] extraArgs)
    {
        int port = MagpieNode.FreePort();
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", .. extraArgs])
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new RedisServer(process, port);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>One Magpie node and one redis-server side by side, for tests that send both the same commands.</summary>
public sealed class MagpieAndRedisFixture : IAsyncLifetime
{
    public MagpieNode Node { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var node = MagpieNode.StartAsync();
        var redis = RedisServer.StartAsync();
        Node = await node;
        Redis = await redis;
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
