using System.Diagnostics;
using System.Net.Sockets;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Differential;

/// <summary>
/// A real redis-server (7.0.15 on the test machines; REDIS_SERVER overrides the path) on a free
/// loopback port, persistence off, the C collation so SORT ALPHA compares bytes as Magpie does.
/// </summary>
public sealed class RedisReference : IAsyncDisposable
{
    private readonly Process _process;

    private RedisReference(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisReference> StartAsync(params string[] extraArgs)
    {
        var path = Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "/usr/bin/redis-server";
        int port = MagpieNode.FreePort();
        var psi = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
            psi.ArgumentList.Add(a);
        foreach (var a in extraArgs) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start redis-server");
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
                return new RedisReference(process, port);
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
