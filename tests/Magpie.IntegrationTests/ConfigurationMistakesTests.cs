using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>A newcomer's typos: each is named in one clear line on stderr.</summary>
public class ConfigurationMistakesTests
{
    private static Task<ProcessResult> MagpieAsync(IDictionary<string, string>? env, params string[] args) =>
        Tools.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "magpie.dll"), "server", "--port", "0", "--http-port", "-1", .. args],
            timeoutSeconds: 30, env: env);

    [Fact]
    public async Task An_unknown_command_line_option_is_an_error_naming_it()
    {
        var result = await MagpieAsync(null, "--prot", "7000");
        Assert.NotEqual(0, result.ExitCode);
        // System.CommandLine: the error on stderr, the suggestion and the help on stdout.
        Assert.Contains("Unrecognized command or argument '--prot'.", result.StdErr);
        Assert.Contains("'--prot' was not matched. Did you mean one of the following?\n--port", result.StdOut);
    }

    [Fact]
    public async Task A_misspelled_json_key_and_an_unknown_magpie_variable_are_warned_about_by_name()
    {
        var dir = Directory.CreateTempSubdirectory("magpie-config-");
        try
        {
            string config = Path.Combine(dir.FullName, "magpie.json");
            await File.WriteAllTextAsync(config, """{ "MaxMemroy": "1mb", "Databases": 4 }""");
            // An invalid policy makes the node stop right after the warnings.
            var result = await MagpieAsync(new Dictionary<string, string> { ["MAGPIE_MAXCLIENT"] = "10" },
                "--config", config, "--maxmemory-policy", "bogus");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("warning: magpie.json: key 'MaxMemroy' is not a Magpie option and is ignored (did you mean 'MaxMemory'?)", result.StdErr);
            Assert.Contains("warning: variable MAGPIE_MAXCLIENT is not a Magpie option and is ignored (did you mean MAGPIE_MAXCLIENTS?)", result.StdErr);
            Assert.DoesNotContain("Databases", result.StdErr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_malformed_json_file_names_the_line_and_column()
    {
        var dir = Directory.CreateTempSubdirectory("magpie-config-");
        try
        {
            string config = Path.Combine(dir.FullName, "magpie.json");
            await File.WriteAllTextAsync(config, "{\n  \"Port\": 0,\n  \"MaxMemory\": \"1mb\"\n  \"HttpPort\": -1\n}\n");
            var result = await MagpieAsync(null, "--config", config);
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"Invalid configuration: config file: .*magpie\.json.*: line 4, column 3: ", result.StdErr);
            Assert.DoesNotContain("   at ", result.StdErr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
