using System.Net;
using System.Net.Sockets;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.Ecosystem.Tests;

/// <summary>What a newcomer meets first: a port already taken is one line naming the option to change.</summary>
public sealed class FirstMinutesTests
{
    [Theory]
    [InlineData(false, "port", "--port")]
    [InlineData(true, "HTTP port", "--http-port")]
    public async Task A_port_in_use_stops_the_node_with_one_line_naming_the_option(bool httpBusy, string what, string option)
    {
        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            int taken = ((IPEndPoint)busy.LocalEndpoint).Port;
            int free = MagpieNode.FreePort();
            var (port, httpPort) = httpBusy ? (free, taken) : (taken, free);
            var result = await Tools.RunAsync("dotnet",
                [Path.Combine(AppContext.BaseDirectory, "magpie.dll"), "server", "--port", port.ToString(), "--http-port", httpPort.ToString()], timeoutSeconds: 60);
            Assert.Equal(1, result.ExitCode);
            var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.Equal($"Failed to start: {what} {taken} is already in use; pick another with {option}" + (httpBusy ? " (or -1 to turn HTTP off)." : "."), line);
        }
        finally
        {
            busy.Stop();
        }
    }
}
