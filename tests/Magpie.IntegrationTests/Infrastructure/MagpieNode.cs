using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>A real `magpie server` process on free ports, stopped on dispose.</summary>
public sealed class MagpieNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private MagpieNode(Process process, int port, int httpPort)
    {
        _process = process;
        Port = port;
        HttpPort = httpPort;
    }

    public int Port { get; }

    public int HttpPort { get; }

    /// <summary>What the node printed so far, for assertions and failure messages.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>CPU time the node process used so far (user + system), for loose DoS bounds.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static Task<MagpieNode> StartAsync(params string[] extraArgs) => StartOnAsync(FreePort(), FreePort(), extraArgs);

    /// <summary>Starts a node on the given ports (cluster tests list every node's ports up front and restart on the same ones).</summary>
    public static Task<MagpieNode> StartOnAsync(int port, int httpPort, params string[] extraArgs) =>
        StartProgramAsync(["magpie.dll", "server"], port, httpPort, extraArgs);

    /// <summary>
    /// Starts any program beside the tests that takes <c>--port</c> and <c>--http-port</c> (the
    /// embedded-mode sample: <c>["QuickStart.dll"]</c>).
    /// </summary>
    public static Task<MagpieNode> StartProgramAsync(string[] program, int port, int httpPort, params string[] extraArgs) =>
        StartProgramAsync(program, port, httpPort, new Dictionary<string, string>(), extraArgs);

    /// <summary>Starts `magpie server` with extra environment variables (OTEL_*, MAGPIE_*).</summary>
    public static Task<MagpieNode> StartWithEnvironmentAsync(IDictionary<string, string> environment, params string[] extraArgs) =>
        StartProgramAsync(["magpie.dll", "server"], FreePort(), FreePort(), environment, extraArgs);

    private static async Task<MagpieNode> StartProgramAsync(string[] program, int port, int httpPort, IDictionary<string, string> environment, string[] extraArgs)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program[0]));
        foreach (var word in program.Skip(1)) psi.ArgumentList.Add(word);
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add(port.ToString());
        psi.ArgumentList.Add("--http-port");
        psi.ArgumentList.Add(httpPort.ToString());
        foreach (var a in extraArgs) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        return await LaunchAsync(psi, port, httpPort);
    }

    /// <summary>
    /// Starts `magpie server` with exactly <paramref name="args"/> (no --port added) and waits until
    /// <paramref name="waitPort"/> accepts TCP: a TLS-only node (<c>--port 0 --tls-port N</c>).
    /// </summary>
    public static async Task<MagpieNode> StartWithArgsAsync(int waitPort, int httpPort, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "magpie.dll"));
        psi.ArgumentList.Add("server");
        psi.ArgumentList.Add("--http-port");
        psi.ArgumentList.Add(httpPort.ToString());
        foreach (var a in args) psi.ArgumentList.Add(a);
        return await LaunchAsync(psi, waitPort, httpPort);
    }

    private static async Task<MagpieNode> LaunchAsync(ProcessStartInfo psi, int port, int httpPort)
    {
        var process = Process.Start(psi)!;
        var node = new MagpieNode(process, port, httpPort);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Generous: on a loaded 2-core machine a node has taken 20 s to start.
            await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            // A node that never listened must not outlive the test.
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        return node;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    // The HTTP listener may open a moment after the RESP one; tests that call the HTTP API first
    // would otherwise race it. A node started without an HTTP port just costs the short wait.
    private async Task WaitForHttpAsync(DateTime until)
    {
        while (HttpPort > 0 && DateTime.UtcNow < until && !_process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, HttpPort);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{_process.StartInfo.ArgumentList[0]} exited with {_process.ExitCode}:\n{Log}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                await WaitForHttpAsync(DateTime.UtcNow.AddSeconds(5));
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"magpie did not listen on {Port} within {timeout}:\n{Log}");
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A free loopback port, never one this test process was given before: the OS may hand the
    /// same ephemeral port to two quick calls (a node's RESP and HTTP ports) once each is released.
    /// </summary>
    public static int FreePort()
    {
        lock (HandedOut)
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (HandedOut.Add(port)) return port;
            }
        }
    }

    /// <summary>Kills the process at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
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

/// <summary>One node shared by the tests of a class (xunit class fixture).</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public MagpieNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await MagpieNode.StartAsync();

    public async Task DisposeAsync() => await Node.DisposeAsync();
}
