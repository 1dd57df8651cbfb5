using System.Diagnostics;

namespace Magpie.Client.Tests.Fixtures;

/// <summary>A server run as a child process on <see cref="ServerFixture.Port"/>, killed abruptly on stop.</summary>
public abstract class ProcessServerFixture : ServerFixture
{
    private Process? _process;

    /// <summary>The program and its arguments for <see cref="ServerFixture.Port"/>.</summary>
    protected abstract (string FileName, IEnumerable<string> Arguments) Command();

    protected virtual TimeSpan StartTimeout => TimeSpan.FromSeconds(10);

    public override async Task StartAsync()
    {
        var (fileName, arguments) = Command();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync(StartTimeout).ConfigureAwait(false);
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
