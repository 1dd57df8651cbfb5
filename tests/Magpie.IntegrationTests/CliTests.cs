using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>`magpie cli`, the bundled command-line client.</summary>
public class CliTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "magpie.dll");

    [Fact]
    public async Task Runs_one_command_from_arguments()
    {
        var port = fixture.Node.Port.ToString();
        var set = await Tools.RunAsync("dotnet", [Dll, "cli", "-p", port, "SET", "cli:k", "hello world"]);
        Assert.Equal("OK", set.StdOut.Trim());
        var get = await Tools.RunAsync("dotnet", [Dll, "cli", "-p", port, "GET", "cli:k"]);
        Assert.Equal("\"hello world\"", get.StdOut.Trim());
        var error = await Tools.RunAsync("dotnet", [Dll, "cli", "-p", port, "GET"]);
        Assert.Equal(1, error.ExitCode);
        Assert.Equal("(error) ERR wrong number of arguments for 'get' command", error.StdOut.Trim());
    }

    [Fact]
    public async Task Reads_commands_from_standard_input_with_quoting()
    {
        var script = "RPUSH cli:l a \"b c\"\nLRANGE cli:l 0 -1\nGET cli:missing\nINCR cli:n\n";
        var result = await Tools.RunAsync("dotnet", [Dll, "cli", "-p", fixture.Node.Port.ToString()], stdin: script);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("(integer) 2\n1) \"a\"\n2) \"b c\"\n(nil)\n(integer) 1", result.StdOut.Trim());
    }

    [Fact]
    public async Task Unreachable_server_is_a_clear_error()
    {
        var result = await Tools.RunAsync("dotnet", [Dll, "cli", "-p", MagpieNode.FreePort().ToString(), "PING"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refused", result.StdErr, StringComparison.OrdinalIgnoreCase);
    }
}
