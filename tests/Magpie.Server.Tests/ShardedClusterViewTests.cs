using Magpie.Cluster;
using Magpie.Cluster.Sharding;
using Magpie.Server.Hosting;
using Magpie.Server.Sharding;

namespace Magpie.Server.Tests;

/// <summary>Group keys on a cluster-enabled node follow the node's slot map, resharding included.</summary>
public class ShardedClusterViewTests
{
    [Fact]
    public void Owners_follow_the_cluster_state_and_keep_the_static_identity_of_known_peers()
    {
        var server = new ServerState(new MagpieOptions());
        var state = new ClusterState(NodeIds.ForEndpoint("127.0.0.1:7001"), "127.0.0.1", 7001);
        var other = state.AddNode(NodeIds.ForEndpoint("127.0.0.1:7002"), "127.0.0.1", 7002)!;
        var stranger = state.AddNode(NodeIds.ForEndpoint("127.0.0.1:7003"), "127.0.0.1", 7003)!;
        Assert.Null(state.AddSlots([.. Enumerable.Range(0, 16384)]));
        var fallback = StaticCluster.Create(new NodeInfo("a", "127.0.0.1:7001"), [new NodeInfo("b", "127.0.0.1:7002")]);
        var view = new ShardedClusterView(fallback);

        // Before the server exists the static view answers (groups are built before it).
        Assert.Equal(fallback.OwnerOf(42).Id, view.OwnerOf(42).Id);

        server.ClusterMode = new ClusterMode(state, server.Commands, 15000, null);
        view.Attach(server);
        Assert.Equal("a", view.OwnerOf(5).Id);
        Assert.Equal("a", view.OwnerOf(9000).Id);

        // CLUSTER SETSLOT ... NODE (what redis-cli --cluster reshard ends with) moves the group owner too.
        lock (server.Keyspace.Sync)
        {
            Assert.Null(state.SetSlotNode(5, other.Id, 0));
            Assert.Null(state.SetSlotNode(9000, stranger.Id, 0));
        }
        Assert.Equal("b", view.OwnerOf(5).Id);
        Assert.Equal(stranger.Id, view.OwnerOf(9000).Id);
        Assert.Equal("127.0.0.1:7003", view.OwnerOf(9000).Endpoint);
        Assert.Equal("a", view.OwnerOf(6).Id);
        Assert.Equal(2, view.LivePeers.Count);
        Assert.Equal("b", view.SlotMap.OwnerOf(5)!.Id);
    }
}
