using System.Diagnostics;

namespace Magpie.Client.Tests.Fixtures;

/// <summary>A real redis-server (REDIS_SERVER overrides the path) with persistence off, on a free port.</summary>
public class RedisServerFixture : ServerFixture
{
    private Process? _process;

    public override bool SupportsClientTracking => true;

    public override string Name => "redis";

    public static string BinaryPath => Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "/usr/bin/redis-server";

    public override async Task StartAsync()
    {
        if (!File.Exists(BinaryPath))
            throw new InvalidOperationException($"redis-server not found at {BinaryPath}; install it (apt-get install -y redis-server) or set REDIS_SERVER.");
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments()) start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    protected virtual IEnumerable<string> Arguments() =>
        ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"];

    public override async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        process.Dispose();
    }
}
