using System.Diagnostics;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>Runs external clients (redis-cli, python3 with redis-py, node) with a time limit.</summary>
public static class Tools
{
    /// <summary>The system Python, where Debian's python3-redis is installed.</summary>
    public const string Python = "/usr/bin/python3";

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null, int timeoutSeconds = 60, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds}s");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>redis-cli against a node; output is raw (non-tty) mode unless args say otherwise.</summary>
    public static async Task<string> RedisCliAsync(int port, params string[] args)
    {
        var result = await RunAsync("redis-cli", ["-p", port.ToString(), .. args]);
        Assert.True(result.ExitCode == 0, $"redis-cli failed: {result.StdErr}");
        return result.StdOut.TrimEnd('\n');
    }

    /// <summary>Runs a Python script from tests/Magpie.IntegrationTests/scripts with the port as its argument.</summary>
    public static async Task<string> PythonScriptAsync(string script, int port, params string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "scripts", script);
        var result = await RunAsync(Python, [path, port.ToString(), .. args], timeoutSeconds: 120);
        Assert.True(result.ExitCode == 0, $"{script} failed ({result.ExitCode}):\n{result.StdOut}\n{result.StdErr}");
        return result.StdOut;
    }
}

public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);
