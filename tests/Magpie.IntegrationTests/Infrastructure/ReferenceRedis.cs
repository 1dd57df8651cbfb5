using System.Diagnostics;
using System.Net.Sockets;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>
/// A real redis-server 7.0 (REDIS_SERVER overrides /usr/bin/redis-server) on a free loopback port,
/// persistence off, killed on dispose: the reference for differential tests.
/// </summary>
public sealed class ReferenceRedis : IAsyncDisposable
{
    private readonly Process _process;

    private ReferenceRedis(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<ReferenceRedis> StartAsync()
    {
        var binary = Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "/usr/bin/redis-server";
        if (!File.Exists(binary)) throw new InvalidOperationException($"redis-server not found at {binary} (scripts/install-test-deps.sh installs it)");
        int port = MagpieNode.FreePort();
        var psi = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return new ReferenceRedis(process, port);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
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
