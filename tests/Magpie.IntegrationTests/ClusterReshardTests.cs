using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// Slots moving under load with Redis's own tooling: a redis-py RedisCluster writer and reader run while
/// <c>redis-cli --cluster reshard</c> moves 1000 slots; then <c>add-node</c>, <c>rebalance</c> (onto the new
/// node and off it again), <c>del-node</c> and <c>fix</c> of an open slot, on real magpie processes.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterReshardTests
{
    [Fact]
    public async Task Reshard_under_load_loses_nothing_and_the_cluster_tools_work()
    {
        var nodes = await ClusterModeTests.StartNodesAsync(4);
        var stopFile = Path.Combine(Path.GetTempPath(), $"magpie-load-{Guid.NewGuid():N}");
        try
        {
            var create = await Tools.RunAsync("redis-cli", ["--cluster", "create", .. nodes[..3].Select(n => $"127.0.0.1:{n.Port}"), "--cluster-yes"], timeoutSeconds: 90);
            Assert.True(create.ExitCode == 0, create.StdOut + create.StdErr);
            await ClusterModeTests.WaitForStateOkAsync(nodes[..3]);
            string from = await Tools.RedisCliAsync(nodes[0].Port, "cluster", "myid");
            string to = await Tools.RedisCliAsync(nodes[1].Port, "cluster", "myid");

            // The load runs until the stop file appears; it checks every acknowledged key at the end.
            var load = Tools.PythonScriptAsync("cluster_load.py", nodes[2].Port, stopFile);
            await Task.Delay(1500);
            var reshard = await Tools.RunAsync("redis-cli", ["--cluster", "reshard", $"127.0.0.1:{nodes[0].Port}", "--cluster-from", from, "--cluster-to", to,
                "--cluster-slots", "1000", "--cluster-yes", "--cluster-timeout", "30000"], timeoutSeconds: 120);
            await Task.Delay(500);
            File.WriteAllText(stopFile, "");
            string report = await load;
            Assert.True(reshard.ExitCode == 0, "reshard: " + reshard.StdOut[^Math.Min(2000, reshard.StdOut.Length)..] + reshard.StdErr);
            Assert.True(report.TrimEnd().EndsWith("ok", StringComparison.Ordinal), "load: " + report);
            Assert.Contains("failures 0", report);
            Assert.Contains("missing 0", report);
            await AssertCheckCleanAsync(nodes[2].Port);
            var info = await Tools.RunAsync("redis-cli", ["--cluster", "info", $"127.0.0.1:{nodes[0].Port}"]);
            Assert.Contains($"127.0.0.1:{nodes[0].Port} (", info.StdOut);
            Assert.Contains("| 4461 slots |", info.StdOut);

            // add-node, then rebalance onto the empty master: four equal shares, keys follow.
            var add = await Tools.RunAsync("redis-cli", ["--cluster", "add-node", $"127.0.0.1:{nodes[3].Port}", $"127.0.0.1:{nodes[0].Port}"]);
            Assert.True(add.ExitCode == 0, "add-node: " + add.StdOut + add.StdErr);
            Assert.Contains("[OK] New node added correctly.", add.StdOut);
            await ClusterModeTests.WaitForStateOkAsync(nodes);
            await WaitForAgreementAsync(nodes[0].Port);
            var rebalance = await Tools.RunAsync("redis-cli", ["--cluster", "rebalance", $"127.0.0.1:{nodes[0].Port}", "--cluster-use-empty-masters", "--cluster-yes"], timeoutSeconds: 120);
            Assert.True(rebalance.ExitCode == 0, "rebalance: " + rebalance.StdOut[^Math.Min(2000, rebalance.StdOut.Length)..] + rebalance.StdErr);
            Assert.Equal(4096, SlotsOf(await Tools.RedisCliAsync(nodes[3].Port, "cluster", "nodes")));
            Assert.True(int.Parse(await Tools.RedisCliAsync(nodes[3].Port, "dbsize")) > 100);

            // Weight 0 empties the new node again; del-node then removes it from every view.
            string added = await Tools.RedisCliAsync(nodes[3].Port, "cluster", "myid");
            var drain = await Tools.RunAsync("redis-cli", ["--cluster", "rebalance", $"127.0.0.1:{nodes[0].Port}", "--cluster-weight", $"{added}=0", "--cluster-yes"], timeoutSeconds: 120);
            Assert.True(drain.ExitCode == 0, "rebalance weight 0: " + drain.StdOut[^Math.Min(2000, drain.StdOut.Length)..] + drain.StdErr);
            Assert.Equal("0", await Tools.RedisCliAsync(nodes[3].Port, "dbsize"));
            var del = await Tools.RunAsync("redis-cli", ["--cluster", "del-node", $"127.0.0.1:{nodes[0].Port}", added]);
            Assert.True(del.ExitCode == 0, "del-node: " + del.StdOut + del.StdErr);
            foreach (var node in nodes[..3])
                Assert.DoesNotContain(added, await Tools.RedisCliAsync(node.Port, "cluster", "nodes"));

            // fix closes a slot left open (MIGRATING here, IMPORTING there), moving its keys.
            string target = await Tools.RedisCliAsync(nodes[1].Port, "cluster", "myid");
            string here = await Tools.RedisCliAsync(nodes[0].Port, "cluster", "myid");
            int slot = FirstSlotOf(await Tools.RedisCliAsync(nodes[0].Port, "cluster", "nodes"));
            Assert.Equal("OK", await Tools.RedisCliAsync(nodes[1].Port, "cluster", "setslot", slot.ToString(), "importing", here));
            Assert.Equal("OK", await Tools.RedisCliAsync(nodes[0].Port, "cluster", "setslot", slot.ToString(), "migrating", target));
            var open = await Tools.RunAsync("redis-cli", ["--cluster", "check", $"127.0.0.1:{nodes[0].Port}"]);
            Assert.Contains($"[WARNING] The following slots are open: {slot}", open.StdOut);
            var fix = await Tools.RunAsync("redis-cli", ["--cluster", "fix", $"127.0.0.1:{nodes[0].Port}"], timeoutSeconds: 60);
            Assert.True(fix.ExitCode == 0, "fix: " + fix.StdOut + fix.StdErr);
            await AssertCheckCleanAsync(nodes[0].Port);
        }
        finally
        {
            File.WriteAllText(stopFile, "");
            foreach (var node in nodes) await node.DisposeAsync();
            File.Delete(stopFile);
        }
    }

    private static async Task AssertCheckCleanAsync(int port)
    {
        await WaitForAgreementAsync(port);
        var check = await Tools.RunAsync("redis-cli", ["--cluster", "check", $"127.0.0.1:{port}"]);
        Assert.Contains("[OK] All 16384 slots covered.", check.StdOut);
        Assert.DoesNotContain("[WARNING]", check.StdOut);
        Assert.Equal(0, check.ExitCode);
    }

    /// <summary>Waits (a few exchange rounds at most) until redis-cli finds every node agreeing on the map.</summary>
    private static async Task WaitForAgreementAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var check = await Tools.RunAsync("redis-cli", ["--cluster", "check", $"127.0.0.1:{port}"]);
            if (check.StdOut.Contains("[OK] All nodes agree about slots configuration.")) return;
            Assert.True(DateTime.UtcNow < deadline, "no agreement: " + check.StdOut);
            await Task.Delay(200);
        }
    }

    /// <summary>How many slots the node's own line of CLUSTER NODES lists.</summary>
    private static int SlotsOf(string clusterNodes)
    {
        var mine = clusterNodes.Split('\n').Single(l => l.Contains("myself"));
        int count = 0;
        foreach (var range in mine.Split(' ').Skip(8).Where(s => !s.StartsWith('[')))
        {
            var ends = range.Split('-');
            count += ends.Length == 1 ? 1 : int.Parse(ends[1]) - int.Parse(ends[0]) + 1;
        }
        return count;
    }

    private static int FirstSlotOf(string clusterNodes) =>
        int.Parse(clusterNodes.Split('\n').Single(l => l.Contains("myself")).Split(' ')[8].Split('-')[0]);
}
