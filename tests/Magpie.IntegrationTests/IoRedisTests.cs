using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>ioredis (Node.js) running a mixed session: pipelines, MULTI, pub/sub, blocking pop.</summary>
public class IoRedisTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Mixed_session_runs_unchanged()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "node", "ioredis_session.js");
        var result = await Tools.RunAsync("node", [script, fixture.Node.Port.ToString()], timeoutSeconds: 60,
            env: new Dictionary<string, string> { ["NODE_PATH"] = NodeModules() });
        Assert.True(result.ExitCode == 0, $"ioredis session failed:\n{result.StdOut}\n{result.StdErr}");
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("ok pipeline-length 104", lines);
        Assert.Contains("ok pipeline-get \"42\"", lines);
        Assert.Contains("ok pipeline-hgetall {\"f\":\"v\"}", lines);
        Assert.Contains("ok multi [2,2,2,[\"one\",\"two\"]]", lines);
        Assert.Contains("ok publish-receivers 1", lines);
        Assert.Contains("ok message [\"io:news\",\"hello\"]", lines);
        Assert.Contains("ok blpop [\"io:queue\",\"job-1\"]", lines);
        Assert.Contains("ok wrongtype \"WRONGTYPE\"", lines);
        Assert.Contains("ok after-error \"PONG\"", lines);
    }

    [Fact]
    public async Task DefineCommand_falls_back_from_evalsha_to_eval_and_fcall_runs_a_library()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "node", "ioredis_scripts.js");
        var result = await Tools.RunAsync("node", [script, fixture.Node.Port.ToString()], timeoutSeconds: 60,
            env: new Dictionary<string, string> { ["NODE_PATH"] = NodeModules() });
        Assert.True(result.ExitCode == 0, $"ioredis scripts failed:\n{result.StdOut}\n{result.StdErr}");
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("ok first-call 1", lines);
        Assert.Contains("ok cached-after-fallback [1]", lines);
        Assert.Contains("ok second-call 2", lines);
        Assert.Contains("ok pipeline [3,3]", lines);
        Assert.Contains("ok fcall [\"k\",\"v\"]", lines);
    }

    /// <summary>node_modules lives in the source tree (installed by scripts/install-test-deps.sh).</summary>
    private static string NodeModules()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Magpie.slnx"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        var modules = Path.Combine(dir.FullName, "tests", "Magpie.IntegrationTests", "node", "node_modules");
        if (!Directory.Exists(Path.Combine(modules, "ioredis")))
            throw new InvalidOperationException($"ioredis is not installed in {modules}: run scripts/install-test-deps.sh");
        return modules;
    }
}
