using System.Diagnostics;
using System.Net.Sockets;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.Ecosystem.Tests.Infrastructure;

/// <summary>The reference: a real redis-server 7.0 on a free port, persistence off, killed on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisServer> StartAsync()
    {
        int port = MagpieNode.FreePort();
        var psi = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--notify-keyspace-events", "" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", port);
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
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}

/// <summary>One Magpie node and one redis-server, shared by a test class.</summary>
public sealed class ServersFixture : IAsyncLifetime
{
    public MagpieNode Magpie { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var magpie = MagpieNode.StartAsync();
        var redis = RedisServer.StartAsync();
        Magpie = await magpie;
        Redis = await redis;
    }

    public async Task DisposeAsync()
    {
        await Magpie.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
