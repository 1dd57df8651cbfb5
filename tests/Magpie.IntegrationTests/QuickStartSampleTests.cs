using System.Net;
using System.Text.RegularExpressions;
using Magpie.Cluster;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>samples/QuickStart (embedded mode) run as three processes, as its README shows.</summary>
[Collection(ClusterCollection.Name)]
public sealed class QuickStartSampleTests
{
    [Fact]
    public async Task Three_sample_processes_load_Tom_once_and_serve_every_later_read_from_cache()
    {
        var ports = Enumerable.Range(0, 3).Select(_ => (Resp: MagpieNode.FreePort(), Http: MagpieNode.FreePort())).ToArray();
        string peers = string.Join(",", ports.Select(p => $"127.0.0.1:{p.Resp}@{p.Http}"));
        var nodes = new MagpieNode[3];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var starting = ports.Select(p => MagpieNode.StartProgramAsync(["QuickStart.dll"], p.Resp, p.Http, "--peers", peers,
                "--peer-probe-interval", "200", "--peer-probe-timeout", "1000")).ToArray();
            await Task.WhenAll(starting);
            for (int i = 0; i < 3; i++) nodes[i] = starting[i].Result;
            await WaitUntilAllUpAsync(http, ports.Select(p => p.Http));

            for (int round = 0; round < 3; round++)
                foreach (var p in ports)
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{p.Http}/api/cache?group=scores&key=Tom");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal("630", await response.Content.ReadAsStringAsync());
                }

            Assert.Equal(1, nodes.Sum(n => Regex.Count(n.Log, Regex.Escape("[SlowDB] Searching for key: Tom"))));
            var ring = new StaticRing(ports.Select(p => new NodeInfo($"127.0.0.1:{p.Resp}", $"127.0.0.1:{p.Resp}")));
            int owner = Array.FindIndex(ports, p => $"127.0.0.1:{p.Resp}" == ring.ToSlotMap().OwnerOfKey("Tom")!.Id);
            Assert.Contains("[SlowDB] Searching for key: Tom", nodes[owner].Log);

            using var missing = await http.GetAsync($"http://127.0.0.1:{ports[0].Http}/api/cache/scores/Nobody");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            foreach (var node in nodes)
                if (node is not null) await node.DisposeAsync();
        }
    }

    private static async Task WaitUntilAllUpAsync(HttpClient http, IEnumerable<int> httpPorts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        foreach (int port in httpPorts)
        {
            while (true)
            {
                string nodes = await http.GetStringAsync($"http://127.0.0.1:{port}/api/nodes");
                if (!nodes.Contains("\"state\":\"down\"", StringComparison.Ordinal)) break;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"node on {port} still sees a peer down: {nodes[..Math.Min(400, nodes.Length)]}");
                await Task.Delay(50);
            }
        }
    }
}
