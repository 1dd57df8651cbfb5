using System.Diagnostics;
using Magpie.Cluster;
using Magpie.Protocol;
using Fault = Magpie.Groups.Tests.InMemoryPeerNetwork.Fault;

namespace Magpie.Groups.Tests;

/// <summary>Several nodes in one process, talking through the in-memory network.</summary>
[Collection(TimingSensitive.Name)]
public class DistributedGroupTests
{
    [Fact(Timeout = 15_000)]
    public async Task Each_key_is_loaded_once_in_the_cluster_by_its_owner()
    {
        var cluster = new TestCluster(3);
        string[] keys = Enumerable.Range(0, 30).Select(i => $"player-{i}").ToArray();
        foreach (var key in keys) cluster.Origin[key] = key.ToUpperInvariant();

        foreach (var node in cluster.Nodes.Keys)
            foreach (var key in keys)
                Assert.Equal(key.ToUpperInvariant(), Bytes.Text(await cluster.Group(node).GetAsync(key)));

        Assert.All(keys, k => Assert.Equal(1, cluster.Origin.LoadsOf(k)));
        foreach (var node in cluster.Nodes.Keys)
            Assert.Equal(keys.Count(k => cluster.OwnerOf(k) == node), cluster.Origin.LoadsOn(node));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_non_owner_asks_the_owner_once_then_serves_its_hot_copy()
    {
        var cluster = new TestCluster(3);
        string key = cluster.KeysOwnedBy("node-2").First();
        cluster.Origin[key] = "v";
        var asker = cluster.Group("node-1");

        Assert.Equal("v", Bytes.Text(await asker.GetAsync(key)));
        Assert.Equal("v", Bytes.Text(await asker.GetAsync(key)));

        var stats = asker.Stats;
        Assert.Equal((1L, 1L, 1L, 0L), (stats.PeerHits, stats.HotHits, stats.Hits, stats.Loads));
        Assert.Equal(1, stats.HotItems);
        Assert.Equal(1, cluster.Network.CallsTo("node-2"));
        Assert.Equal(1, cluster.Group("node-2").Stats.Loads);
    }

    [Fact(Timeout = 15_000)]
    public async Task Hot_copies_live_no_longer_than_the_hot_cache_ttl_or_the_owners_ttl()
    {
        var clock = new ManualClock();
        var cluster = new TestCluster(2, time: clock, configure: o =>
        {
            o.HotCacheTtl = TimeSpan.FromSeconds(10);
            o.DefaultTtl = TimeSpan.FromSeconds(30);
        });
        string key = cluster.KeysOwnedBy("node-2").First();
        cluster.Origin[key] = "v";
        var asker = cluster.Group("node-1");
        await asker.GetAsync(key);

        clock.Advance(TimeSpan.FromSeconds(9));
        await asker.GetAsync(key);
        Assert.Equal(1, asker.Stats.PeerHits);

        clock.Advance(TimeSpan.FromSeconds(2)); // hot copy (10 s) gone, owner's copy (30 s) still there
        await asker.GetAsync(key);
        Assert.Equal(2, asker.Stats.PeerHits);
        Assert.Equal(1, cluster.Origin.LoadsOf(key));

        clock.Advance(TimeSpan.FromSeconds(15)); // owner has 4 s left: the new hot copy must not outlive it
        await asker.GetAsync(key);
        clock.Advance(TimeSpan.FromSeconds(5));
        await asker.GetAsync(key);
        Assert.Equal(4, asker.Stats.PeerHits);
        Assert.Equal(2, cluster.Origin.LoadsOf(key));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_stand_in_load_of_a_value_cached_forever_keeps_only_a_bounded_hot_copy()
    {
        var clock = new ManualClock();
        var cluster = new TestCluster(3, time: clock, configure: o => o.HotCacheTtl = TimeSpan.FromSeconds(10));
        var ring = cluster.Cluster("node-1").Ring;
        // A key of node-2 whose next owner is node-3: when node-2 dies, node-1 only stands in once.
        string key = cluster.KeysOwnedBy("node-2").First(k => ring.EffectiveOwnerOf(HashSlot.Of(k), n => n.Id != "node-2")!.Id == "node-3");
        cluster.Origin[key] = "v";
        cluster.Origin.TimeToLive = Timeout.InfiniteTimeSpan;
        cluster.Network.SetFault("node-2", Fault.Refuse);
        var asker = cluster.Group("node-1");

        await asker.GetAsync(key);               // node-2 refuses: node-1 loads, keeps a hot copy
        Assert.Equal((1, 1L), (cluster.Origin.LoadsOn("node-1"), asker.Stats.HotItems));
        clock.Advance(TimeSpan.FromSeconds(11)); // past HotCacheTtl: the copy must be gone
        await asker.GetAsync(key);               // now asks node-3, the next owner
        Assert.Equal(1, asker.Stats.PeerHits);
    }

    [Fact(Timeout = 15_000)]
    public async Task Not_found_on_the_owner_is_a_miss_everywhere()
    {
        var cluster = new TestCluster(3);
        string key = cluster.KeysOwnedBy("node-3").First();
        Assert.Null(await cluster.Group("node-1").TryGetAsync(key));
        await Assert.ThrowsAsync<CacheMissException>(() => cluster.Group("node-2").GetAsync(key).AsTask());
        Assert.Equal(0, cluster.Group("node-1").Stats.HotItems);
    }

    [Fact(Timeout = 15_000)]
    public async Task An_origin_error_on_the_owner_reaches_the_caller_without_failing_the_owner_over()
    {
        var cluster = new TestCluster(3);
        string key = cluster.KeysOwnedBy("node-2").First();
        cluster.Origin[key] = "v";
        cluster.Origin.FailWith = k => k == key ? new InvalidOperationException("db timeout") : null;

        var error = await Assert.ThrowsAsync<PeerLoadException>(() => cluster.Group("node-1").GetAsync(key).AsTask());
        Assert.Contains("db timeout", error.Message);
        Assert.True(cluster.Cluster("node-1").Health.IsUp("node-2"));
        Assert.Equal(0, cluster.Origin.LoadsOn("node-1"));

        cluster.Origin.FailWith = _ => null;
        Assert.Equal("v", Bytes.Text(await cluster.Group("node-1").GetAsync(key)));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_write_on_any_node_lands_on_the_owner_and_drops_every_hot_copy()
    {
        var cluster = new TestCluster(3);
        string key = cluster.KeysOwnedBy("node-3").First();
        cluster.Origin[key] = "old";
        await cluster.Group("node-1").GetAsync(key);
        await cluster.Group("node-2").GetAsync(key);
        Assert.Equal(1, cluster.Group("node-1").Stats.HotItems);

        await cluster.Group("node-1").SetAsync(key, Bytes.Of("new"));

        Assert.Equal(0, cluster.Group("node-1").Stats.HotItems); // the writer's own copy: before SetAsync returns
        await Eventually.True(() => cluster.Group("node-2").Stats.HotItems == 0); // others: one round trip later
        foreach (var node in cluster.Nodes.Keys)
            Assert.Equal("new", Bytes.Text(await cluster.Group(node).GetAsync(key)));
        Assert.Equal(1, cluster.Origin.LoadsOf(key));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_remove_on_any_node_makes_every_node_see_the_origin_again()
    {
        var cluster = new TestCluster(3);
        string key = cluster.KeysOwnedBy("node-1").First();
        cluster.Origin[key] = "origin";
        await cluster.Group("node-2").SetAsync(key, Bytes.Of("written"));
        await Eventually.True(() => cluster.Group("node-2").Stats.HotItems == 0);
        Assert.Equal("written", Bytes.Text(await cluster.Group("node-3").GetAsync(key)));

        await cluster.Group("node-3").RemoveAsync(key);
        await Eventually.True(() => cluster.Group("node-3").Stats.HotItems == 0 && cluster.Group("node-2").Stats.HotItems == 0);

        foreach (var node in cluster.Nodes.Keys)
            Assert.Equal("origin", Bytes.Text(await cluster.Group(node).GetAsync(key)));
        Assert.Equal(1, cluster.Origin.LoadsOf(key));
    }

    [Theory(Timeout = 15_000)]
    [InlineData(Fault.Refuse)]
    [InlineData(Fault.Hang)]
    public async Task A_dead_owner_is_marked_down_within_the_peer_timeout_and_its_keys_move_to_the_next_node(Fault fault)
    {
        var peerTimeout = TimeSpan.FromMilliseconds(200);
        var cluster = new TestCluster(3, peerTimeout: peerTimeout);
        string[] keys = cluster.KeysOwnedBy("node-2").Take(20).ToArray();
        foreach (var key in keys) cluster.Origin[key] = "v-" + key;
        cluster.Network.SetFault("node-2", fault);
        var asker = cluster.Group("node-1");

        var watch = Stopwatch.StartNew();
        Assert.Equal("v-" + keys[0], Bytes.Text(await asker.GetAsync(keys[0])));
        // Bounded by the peer timeout (plus scheduling slack on a busy 2-core machine), not by the dead peer.
        Assert.True(watch.Elapsed < peerTimeout + TimeSpan.FromSeconds(1.5), $"waited {watch.Elapsed}");
        Assert.False(cluster.Cluster("node-1").Health.IsUp("node-2"));
        Assert.Equal(1, asker.Stats.PeerErrors);

        // Later keys of the dead node go straight to the next live node on the ring.
        int callsToDead = cluster.Network.CallsTo("node-2");
        foreach (var key in keys.Skip(1))
        {
            Assert.Equal("v-" + key, Bytes.Text(await asker.GetAsync(key)));
            string next = cluster.Cluster("node-1").OwnerOf(HashSlot.Of(key)).Id;
            Assert.NotEqual("node-2", next);
        }
        Assert.Equal(callsToDead, cluster.Network.CallsTo("node-2"));
        Assert.Equal(0, cluster.Origin.LoadsOn("node-2"));
    }

    [Fact(Timeout = 15_000)]
    public async Task Requests_waiting_on_a_hung_owner_fail_over_as_soon_as_it_is_marked_down()
    {
        var cluster = new TestCluster(3, peerTimeout: TimeSpan.FromSeconds(10));
        string key = cluster.KeysOwnedBy("node-2").First();
        cluster.Origin[key] = "v";
        cluster.Network.SetFault("node-2", Fault.Hang);

        var watch = Stopwatch.StartNew();
        var waiting = cluster.Group("node-1").GetAsync(key).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await cluster.Cluster("node-1").Health.ProbeOnceAsync(); // the probe times out: node-2 is down

        Assert.Equal("v", Bytes.Text(await waiting));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"waited {watch.Elapsed}, the peer timeout is 10 s");
    }

    [Fact(Timeout = 15_000)]
    public async Task A_peer_that_answers_probes_again_is_used_again()
    {
        var cluster = new TestCluster(3);
        string[] keys = cluster.KeysOwnedBy("node-2").Take(2).ToArray();
        foreach (var key in keys) cluster.Origin[key] = "v";
        var health = cluster.Cluster("node-1").Health;

        cluster.Network.SetFault("node-2", Fault.Refuse);
        await health.ProbeOnceAsync();
        Assert.False(health.IsUp("node-2"));
        await cluster.Group("node-1").GetAsync(keys[0]);
        Assert.Equal(0, cluster.Origin.LoadsOn("node-2"));

        cluster.Network.SetFault("node-2", Fault.None);
        await health.ProbeOnceAsync();
        Assert.True(health.IsUp("node-2"));
        await cluster.Group("node-1").GetAsync(keys[1]);
        Assert.Equal(1, cluster.Origin.LoadsOn("node-2"));
        Assert.Equal("node-2", cluster.Cluster("node-1").OwnerOf(HashSlot.Of(keys[1])).Id);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_write_to_a_dead_owner_goes_to_the_next_owner()
    {
        var cluster = new TestCluster(3, peerTimeout: TimeSpan.FromMilliseconds(200));
        string key = cluster.KeysOwnedBy("node-2").First();
        cluster.Network.SetFault("node-2", Fault.Hang);

        await cluster.Group("node-1").SetAsync(key, Bytes.Of("kept"));

        string next = cluster.Cluster("node-1").OwnerOf(HashSlot.Of(key)).Id;
        Assert.NotEqual("node-2", next);
        Assert.Equal("kept", Bytes.Text(await cluster.Group(next).TryGetAsync(key)));
        Assert.Equal(0, cluster.Origin.Loads);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_node_that_stood_in_for_the_owner_reads_its_own_write_after_the_owner_returns()
    {
        var cluster = new TestCluster(2);
        string key = cluster.KeysOwnedBy("node-2").First();
        cluster.Origin[key] = "old";
        cluster.Network.SetFault("node-2", Fault.Refuse);
        Assert.Equal("old", Bytes.Text(await cluster.Group("node-1").GetAsync(key))); // node-1 now owns it, in main
        cluster.Network.SetFault("node-2", Fault.None);
        await cluster.Cluster("node-1").Health.ProbeOnceAsync();

        var slowLink = new TaskCompletionSource();
        cluster.Network.InvalidationGate = slowLink.Task;
        await cluster.Group("node-1").SetAsync(key, Bytes.Of("new")); // forwarded to node-2 again

        Assert.Equal("new", Bytes.Text(await cluster.Group("node-1").GetAsync(key))); // before any invalidation arrives
        slowLink.SetResult();
        Assert.Equal("new", Bytes.Text(await cluster.Group("node-2").GetAsync(key)));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_write_that_reaches_no_owner_fails_clearly()
    {
        var cluster = new TestCluster(3, peerTimeout: TimeSpan.FromMilliseconds(100));
        string key = cluster.KeysOwnedBy("node-2").First(k => cluster.Nodes.Values.First().Cluster.Ring
            .EffectiveOwnerOf(HashSlot.Of(k), n => n.Id != "node-2")!.Id == "node-3");
        cluster.Network.SetFault("node-2", Fault.Refuse);
        cluster.Network.SetFault("node-3", Fault.Refuse);

        var error = await Assert.ThrowsAsync<PeerUnavailableException>(() => cluster.Group("node-1").SetAsync(key, [1]).AsTask());
        Assert.Equal("node-3", error.PeerId);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_gateway_owns_nothing_and_asks_the_owners()
    {
        var cluster = new TestCluster(2, gateways: 1);
        string[] keys = Enumerable.Range(0, 10).Select(i => $"k{i}").ToArray();
        foreach (var key in keys) cluster.Origin[key] = key;

        foreach (var key in keys) Assert.Equal(key, Bytes.Text(await cluster.Group("gw-1").GetAsync(key)));

        Assert.Equal(0, cluster.Origin.LoadsOn("gw-1"));
        Assert.Equal(10, cluster.Group("gw-1").Stats.PeerHits);
        Assert.Equal(0, cluster.Cluster("gw-1").SlotMap.SlotCountOf("gw-1"));
    }

    [Fact(Timeout = 15_000)]
    public async Task Concurrent_misses_on_many_nodes_still_load_once_even_when_the_origin_is_slow()
    {
        var cluster = new TestCluster(3, peerTimeout: TimeSpan.FromSeconds(4));
        string key = cluster.KeysOwnedBy("node-3").First();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Origin[key] = "v";
        cluster.Origin.Gate = gate.Task;

        var gets = cluster.Nodes.Keys.SelectMany(n => Enumerable.Range(0, 100).Select(_ => cluster.Group(n).GetAsync(key).AsTask())).ToArray();
        await Task.Delay(500); // slower than a round trip, well within the loader timeout
        gate.SetResult();
        var values = await Task.WhenAll(gets);

        Assert.All(values, v => Assert.Equal("v", Bytes.Text(v)));
        Assert.Equal(1, cluster.Origin.LoadsOf(key));
        Assert.All(cluster.Nodes.Keys, n => Assert.True(cluster.Cluster(n).Health.IsUp("node-3")));
    }

    [Fact(Timeout = 15_000)]
    public async Task Registry_looks_groups_up_by_name_and_rejects_duplicates()
    {
        await Task.Yield();
        var registry = new GroupRegistry(StaticCluster.SingleNode());
        var scores = registry.Add(new GroupOptions { Name = "scores" }, (_, _, _) => default);
        registry.Add(new GroupOptions { Name = "avatars" }, (_, _, _) => default);
        Assert.Same(scores, registry.Get("scores"));
        Assert.Equal(["avatars", "scores"], registry.Groups.Select(g => g.Name));
        Assert.Throws<GroupNotFoundException>(() => registry.Get("nope"));
        Assert.Throws<ArgumentException>(() => registry.Add(new GroupOptions { Name = "scores" }, (_, _, _) => default));
        registry.HandleInvalidate("nope", "k"); // unknown groups are ignored by invalidation
        await Assert.ThrowsAsync<GroupNotFoundException>(() => registry.HandlePeerGetAsync("nope", "k").AsTask());
    }

    [Fact(Timeout = 15_000)]
    public async Task A_group_in_a_cluster_needs_a_peer_client()
    {
        await Task.Yield();
        var cluster = StaticCluster.Create(new NodeInfo("a", "127.0.0.1:1"), [new NodeInfo("b", "127.0.0.1:2")]);
        Assert.Throws<ArgumentException>(() => new CacheGroup(new GroupOptions { Name = "g" }, (_, _, _) => default, cluster));
    }
}
