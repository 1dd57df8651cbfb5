using Magpie.Client;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// Cluster nodes with a data dir keep their id and view in <c>nodes.conf</c> there, so a restarted node
/// comes back with the same id and slots; Magpie.Client with <c>cluster=true</c> spreads keys over the
/// three nodes and follows MOVED when slots move under it.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterRestartTests
{
    [Fact]
    public async Task A_restarted_node_keeps_its_id_and_slots_and_Magpie_Client_follows_the_map()
    {
        var dirs = Enumerable.Range(0, 3).Select(_ => Directory.CreateTempSubdirectory("magpie-cluster-").FullName).ToArray();
        int[] ports = [MagpieNode.FreePort(), MagpieNode.FreePort(), MagpieNode.FreePort()];
        int[] httpPorts = [MagpieNode.FreePort(), MagpieNode.FreePort(), MagpieNode.FreePort()];
        Task<MagpieNode> Start(int i) => MagpieNode.StartOnAsync(ports[i], httpPorts[i], "--cluster-enabled", "yes", "--data-dir", dirs[i]);
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(Start));
        try
        {
            var create = await Tools.RunAsync("redis-cli", ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-yes"], timeoutSeconds: 90);
            Assert.True(create.ExitCode == 0, create.StdOut + create.StdErr);
            await ClusterModeTests.WaitForStateOkAsync(nodes);
            Assert.All(dirs, d => Assert.True(File.Exists(Path.Combine(d, "nodes.conf")), $"no nodes.conf in {d}"));

            await using (var conn = await MagpieConnection.ConnectAsync($"127.0.0.1:{ports[0]},cluster=true"))
            {
                var db = conn.GetDatabase();
                var keys = Enumerable.Range(0, 300).Select(i => $"mc:{i}").ToArray();
                await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, k)));
                var sizes = await Task.WhenAll(nodes.Select(n => Tools.RedisCliAsync(n.Port, "dbsize")));
                Assert.All(sizes, s => Assert.True(int.Parse(s) > 50, $"keys on every node: {string.Join(',', sizes)}"));

                // 500 slots move from node 1 to node 2: the client meets MOVED and keeps reading every key.
                string from = await Tools.RedisCliAsync(ports[1], "cluster", "myid");
                string to = await Tools.RedisCliAsync(ports[2], "cluster", "myid");
                var reshard = await Tools.RunAsync("redis-cli", ["--cluster", "reshard", $"127.0.0.1:{ports[0]}", "--cluster-from", from, "--cluster-to", to,
                    "--cluster-slots", "500", "--cluster-yes"], timeoutSeconds: 120);
                Assert.True(reshard.ExitCode == 0, reshard.StdOut[^Math.Min(2000, reshard.StdOut.Length)..] + reshard.StdErr);
                var values = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k)));
                Assert.Equal(keys, values.Select(v => v.ToString()));
            }

            string id = await Tools.RedisCliAsync(ports[1], "cluster", "myid");
            string mine = MyselfLine(await Tools.RedisCliAsync(ports[1], "cluster", "nodes"));
            await nodes[1].DisposeAsync();
            nodes[1] = await Start(1);
            Assert.Equal(id, await Tools.RedisCliAsync(ports[1], "cluster", "myid"));
            Assert.Equal(SlotsOf(mine), SlotsOf(MyselfLine(await Tools.RedisCliAsync(ports[1], "cluster", "nodes"))));
            await ClusterModeTests.WaitForStateOkAsync(nodes);
            var check = await Tools.RunAsync("redis-cli", ["--cluster", "check", $"127.0.0.1:{ports[0]}"]);
            Assert.Contains("[OK] All nodes agree about slots configuration.", check.StdOut);
            Assert.Contains("[OK] All 16384 slots covered.", check.StdOut);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
            foreach (var dir in dirs) Directory.Delete(dir, recursive: true);
        }
    }

    private static string MyselfLine(string clusterNodes) => clusterNodes.Split('\n').Single(l => l.Contains("myself"));

    private static string SlotsOf(string line) => string.Join(' ', line.Split(' ').Skip(8));
}
