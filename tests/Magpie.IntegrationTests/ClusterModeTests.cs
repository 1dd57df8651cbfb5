using System.Text.RegularExpressions;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// Cluster mode (<c>--cluster-enabled yes</c>) driven by Redis's own tooling and cluster clients, unchanged:
/// <c>redis-cli --cluster create/check/info</c>, <c>redis-cli -c</c>, redis-py RedisCluster, ioredis
/// Cluster and node-redis createCluster, on three real magpie processes.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterModeTests
{
    [Fact]
    public async Task Redis_cli_creates_the_cluster_and_cluster_clients_use_it()
    {
        var nodes = await StartNodesAsync(3);
        try
        {
            var create = await Tools.RunAsync("redis-cli", ["--cluster", "create", .. nodes.Select(n => $"127.0.0.1:{n.Port}"), "--cluster-yes"], timeoutSeconds: 90);
            Assert.True(create.ExitCode == 0, create.StdOut + create.StdErr);
            Assert.Contains("[OK] All 16384 slots covered.", create.StdOut);
            await WaitForStateOkAsync(nodes);

            var check = await Tools.RunAsync("redis-cli", ["--cluster", "check", $"127.0.0.1:{nodes[1].Port}"]);
            Assert.Contains("[OK] All nodes agree about slots configuration.", check.StdOut);
            Assert.Contains("[OK] All 16384 slots covered.", check.StdOut);
            Assert.Equal(0, check.ExitCode);

            // redis-cli -c follows MOVED; without -c the redirect is the reply.
            for (int i = 0; i < 10; i++) Assert.Equal("OK", await Tools.RedisCliAsync(nodes[0].Port, "-c", "set", $"cli:{i}", $"v{i}"));
            for (int i = 0; i < 10; i++) Assert.Equal($"v{i}", await Tools.RedisCliAsync(nodes[2].Port, "-c", "get", $"cli:{i}"));
            int slot = int.Parse(await Tools.RedisCliAsync(nodes[0].Port, "cluster", "keyslot", "foo"));
            var replies = await Task.WhenAll(nodes.Select(n => Tools.RedisCliAsync(n.Port, "get", "foo")));
            Assert.Single(replies, r => r == "");
            Assert.All(replies.Where(r => r != ""), r => Assert.Matches($"^MOVED {slot} 127\\.0\\.0\\.1:\\d+$", r));
            Assert.Equal("CROSSSLOT Keys in request don't hash to the same slot", await Tools.RedisCliAsync(nodes[0].Port, "mset", "a", "1", "b", "2"));

            var info = await Tools.RunAsync("redis-cli", ["--cluster", "info", $"127.0.0.1:{nodes[0].Port}"]);
            Assert.Contains("[OK] 10 keys in 3 masters.", info.StdOut);

            var py = await Tools.PythonScriptAsync("cluster_client.py", nodes[0].Port);
            Assert.Contains("ok primaries 3", py);
            Assert.Contains("ok set-get 300", py);
            Assert.Contains("ok mget ['1', '2']", py);
            Assert.Contains("ok crossslot", py);

            var io = await RunNodeAsync("ioredis_cluster.js", nodes[1].Port);
            Assert.Contains("ok set-get 200", io);
            Assert.Contains("ok pipeline [\"OK\",1,\"1\"]", io);
            Assert.Contains("ok nodes 3", io);

            var nr = await RunNodeAsync("node_redis_cluster.js", nodes[2].Port);
            Assert.Contains("ok set-get 200", nr);
            Assert.Contains("ok masters 3", nr);

            await Reshard_moves_slots_and_keys(nodes);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>
    /// redis-cli --cluster reshard moves 1000 slots with their keys (SETSLOT IMPORTING/MIGRATING, GETKEYSINSLOT,
    /// MIGRATE ... KEYS, SETSLOT NODE); afterwards every key reads back and the map is closed and agreed.
    /// </summary>
    private static async Task Reshard_moves_slots_and_keys(MagpieNode[] nodes)
    {
        string from = await Tools.RedisCliAsync(nodes[0].Port, "cluster", "myid");
        string to = await Tools.RedisCliAsync(nodes[1].Port, "cluster", "myid");
        var reshard = await Tools.RunAsync("redis-cli", ["--cluster", "reshard", $"127.0.0.1:{nodes[0].Port}", "--cluster-from", from, "--cluster-to", to,
            "--cluster-slots", "1000", "--cluster-yes", "--cluster-timeout", "30000"], timeoutSeconds: 120);
        Assert.True(reshard.ExitCode == 0, reshard.StdOut[^Math.Min(2000, reshard.StdOut.Length)..] + reshard.StdErr);
        for (int i = 0; i < 10; i++) Assert.Equal($"v{i}", await Tools.RedisCliAsync(nodes[2].Port, "-c", "get", $"cli:{i}"));
        var check = await Tools.RunAsync("redis-cli", ["--cluster", "check", $"127.0.0.1:{nodes[2].Port}"]);
        Assert.Contains("[OK] All nodes agree about slots configuration.", check.StdOut);
        Assert.DoesNotContain("[WARNING]", check.StdOut);
        var info = await Tools.RunAsync("redis-cli", ["--cluster", "info", $"127.0.0.1:{nodes[0].Port}"]);
        Assert.Contains("| 4461 slots |", info.StdOut);
    }

    [Fact]
    public async Task Static_peers_agree_on_one_map_without_create()
    {
        int[] ports = [MagpieNode.FreePort(), MagpieNode.FreePort(), MagpieNode.FreePort()];
        string peers = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
        var nodes = await Task.WhenAll(ports.Select(p => MagpieNode.StartOnAsync(p, MagpieNode.FreePort(),
            "--cluster-enabled", "yes", "--peers", peers, "--self", $"127.0.0.1:{p}")));
        try
        {
            await WaitForStateOkAsync(nodes);
            var views = await Task.WhenAll(nodes.Select(n => Tools.RedisCliAsync(n.Port, "cluster", "nodes")));
            var maps = views.Select(SlotMapOf).ToArray();
            Assert.All(maps, m => Assert.Equal(maps[0], m));
            Assert.Equal(3, views[0].Split('\n').Length);

            var check = await Tools.RunAsync("redis-cli", ["--cluster", "check", $"127.0.0.1:{nodes[0].Port}"]);
            Assert.Contains("[OK] All 16384 slots covered.", check.StdOut);

            var py = await Tools.PythonScriptAsync("cluster_client.py", nodes[2].Port);
            Assert.Contains("ok set-get 300", py);
            var sizes = await Task.WhenAll(nodes.Select(n => Tools.RedisCliAsync(n.Port, "dbsize")));
            Assert.All(sizes, s => Assert.True(int.Parse(s) > 50, $"keys spread over every node: {string.Join(',', sizes)}"));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_without_cluster_mode_answers_as_redis_does()
    {
        await using var node = await MagpieNode.StartAsync();
        Assert.Equal("ERR This instance has cluster support disabled", await Tools.RedisCliAsync(node.Port, "cluster", "info"));
        Assert.Equal("ERR This instance has cluster support disabled", await Tools.RedisCliAsync(node.Port, "asking"));
        Assert.Contains("cluster_enabled:0", await Tools.RedisCliAsync(node.Port, "info", "cluster"));
        Assert.Equal("OK", await Tools.RedisCliAsync(node.Port, "set", "foo", "bar"));
        Assert.Equal("NOKEY", await Tools.RedisCliAsync(node.Port, "migrate", "127.0.0.1", "1", "nosuch", "0", "100"));
        Assert.Equal("IOERR error or timeout connecting to the client", await Tools.RedisCliAsync(node.Port, "migrate", "127.0.0.1", "1", "foo", "0", "200"));
        Assert.Equal("bar", await Tools.RedisCliAsync(node.Port, "get", "foo"));
    }

    internal static async Task<MagpieNode[]> StartNodesAsync(int count, params string[] extra) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => MagpieNode.StartAsync(["--cluster-enabled", "yes", .. extra])));

    internal static async Task WaitForStateOkAsync(IEnumerable<MagpieNode> nodes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var node in nodes)
        {
            while (!(await Tools.RedisCliAsync(node.Port, "cluster", "info")).Contains("cluster_state:ok"))
            {
                Assert.True(DateTime.UtcNow < deadline, $"node {node.Port} never reached cluster_state:ok");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>"id slots" per line of CLUSTER NODES, sorted: what every node must agree on.</summary>
    private static string SlotMapOf(string nodes) =>
        string.Join('\n', nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(f => f[0] + " " + string.Join(' ', f.Skip(8).Where(s => !s.StartsWith('['))))
            .Order(StringComparer.Ordinal));

    internal static async Task<string> RunNodeAsync(string script, int port)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "node", script);
        var result = await Tools.RunAsync("node", [path, port.ToString()], timeoutSeconds: 60,
            env: new Dictionary<string, string> { ["NODE_PATH"] = NodeModules() });
        Assert.True(result.ExitCode == 0, $"{script} failed:\n{result.StdOut}\n{result.StdErr}");
        return result.StdOut;
    }

    private static string NodeModules()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Magpie.slnx"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        return Path.Combine(dir.FullName, "tests", "Magpie.IntegrationTests", "node", "node_modules");
    }
}
