using System.Diagnostics;

namespace Magpie.Client.Tests.Fixtures;

/// <summary>A real `magpie server` process (built beside the tests) on a free port, HTTP off.</summary>
public class MagpieServerFixture : ServerFixture
{
    private Process? _process;

    public override bool SupportsClientTracking => true;

    public override string Name => "magpie";

    public override async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "magpie.dll"), "server", "--port", Port.ToString(), "--http-port", "-1", "--log-level", "Warning"])
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("magpie did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public override async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        process.Dispose();
    }
}
