using System.Net.Sockets;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.Ecosystem.Tests;

/// <summary>
/// deploy/: the Helm chart (checked without helm, which cannot be installed here: see
/// scripts/check_chart.py for what is validated) and scripts/publish.sh's single-file binary, started
/// and asked PING. The Dockerfile is not built: no container engine runs on this machine.
/// </summary>
[Collection("Publish")]
public sealed class DeploymentTests
{
    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Magpie.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    [Fact]
    public async Task Helm_chart_renders_to_the_expected_objects()
    {
        var result = await Tools.RunAsync(Tools.Python,
            [Path.Combine(AppContext.BaseDirectory, "scripts", "check_chart.py"), Path.Combine(RepoRoot, "deploy", "helm", "magpie")]);
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("chart ok", result.StdOut);
    }

    [Fact]
    public void Dockerfile_is_multi_stage_non_root_with_data_volume_and_health_check()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoRoot, "deploy", "Dockerfile"));
        Assert.Contains(lines, l => l.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build"));
        Assert.Contains(lines, l => l.StartsWith("FROM mcr.microsoft.com/dotnet/runtime-deps:10.0"));
        Assert.Contains(lines, l => l.StartsWith("COPY --from=build"));
        Assert.Contains(lines, l => l.StartsWith("USER 10001"));
        Assert.Contains(lines, l => l.StartsWith("VOLUME [\"/data\"]"));
        Assert.Contains(lines, l => l.Contains("http://127.0.0.1:8080/health"));
    }

    [Fact]
    public async Task Published_single_file_binary_starts_and_answers_ping()
    {
        var output = Directory.CreateTempSubdirectory("magpie-publish-");
        try
        {
            var publish = await Tools.RunAsync("bash", [Path.Combine(RepoRoot, "scripts", "publish.sh"), output.FullName], timeoutSeconds: 600);
            Assert.True(publish.ExitCode == 0, publish.StdOut + publish.StdErr);
            var binary = Path.Combine(output.FullName, "magpie");
            Assert.True(File.Exists(binary));
            Assert.Single(Directory.GetFiles(output.FullName)); // one file, nothing beside it

            int port = MagpieNode.FreePort(), httpPort = MagpieNode.FreePort();
            var psi = new System.Diagnostics.ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "server", "--port", port.ToString(), "--http-port", httpPort.ToString() }) psi.ArgumentList.Add(a);
            using var process = System.Diagnostics.Process.Start(psi)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                Assert.Equal("+PONG\r\n", await PingAsync(port));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static async Task<string> PingAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[64];
                int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                return Encoding.ASCII.GetString(buffer, 0, n);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}

[CollectionDefinition("Publish", DisableParallelization = true)]
public sealed class PublishCollection;
