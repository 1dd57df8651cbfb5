using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>Sharded pub/sub in cluster mode: SPUBLISH of a channel owned by another node gets -MOVED, of its own a count.</summary>
[Collection(ClusterCollection.Name)]
public class ShardedPubSubClusterTests
{
    [Fact]
    public async Task Spublish_is_routed_by_the_channel_slot()
    {
        int[] ports = [MagpieNode.FreePort(), MagpieNode.FreePort()];
        string peers = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
        var nodes = await Task.WhenAll(ports.Select(p => MagpieNode.StartOnAsync(p, MagpieNode.FreePort(),
            "--cluster-enabled", "yes", "--peers", peers, "--self", $"127.0.0.1:{p}")));
        try
        {
            await ClusterModeTests.WaitForStateOkAsync(nodes);
            var replies = new List<string>();
            for (int i = 0; i < 20; i++) replies.Add(await Tools.RedisCliAsync(nodes[0].Port, "spublish", $"ch{i}", "m"));
            Assert.Contains(replies, r => r == "0");
            Assert.Contains(replies, r => r.StartsWith("MOVED ") && r.EndsWith($"127.0.0.1:{ports[1]}"));
            Assert.All(replies, r => Assert.True(r == "0" || r.StartsWith("MOVED "), r));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
