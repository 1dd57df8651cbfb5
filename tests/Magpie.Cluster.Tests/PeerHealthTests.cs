using System.Collections.Concurrent;

namespace Magpie.Cluster.Tests;

public class PeerHealthTests
{
    private sealed class ScriptedProbe : INodeProbe
    {
        public ConcurrentDictionary<string, bool> Answers { get; } = new();
        public ConcurrentDictionary<string, bool> Hangs { get; } = new();

        public async ValueTask<bool> ProbeAsync(NodeInfo node, CancellationToken cancellationToken)
        {
            if (Hangs.ContainsKey(node.Id)) await Task.Delay(Timeout.Infinite, cancellationToken);
            return Answers.GetValueOrDefault(node.Id, true);
        }
    }

    private static StaticCluster Cluster(ScriptedProbe probe, PeerHealthOptions? options = null) =>
        StaticCluster.Create(Nodes.Primary(1), Nodes.Primaries(3), probe, options);

    [Fact(Timeout = 10_000)]
    public async Task Failures_mark_a_peer_down_after_the_threshold()
    {
        await Task.Yield();
        var cluster = Cluster(new ScriptedProbe(), new PeerHealthOptions { FailuresBeforeDown = 2 });
        var peer = Nodes.Primary(2);
        cluster.ReportFailure(peer);
        Assert.True(cluster.Health.IsUp(peer.Id));
        cluster.ReportFailure(peer);
        Assert.False(cluster.Health.IsUp(peer.Id));
        Assert.DoesNotContain(cluster.LivePeers, n => n.Id == peer.Id);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_success_between_failures_resets_the_count()
    {
        await Task.Yield();
        var cluster = Cluster(new ScriptedProbe(), new PeerHealthOptions { FailuresBeforeDown = 2 });
        var peer = Nodes.Primary(2);
        cluster.ReportFailure(peer);
        cluster.ReportSuccess(peer);
        cluster.ReportFailure(peer);
        Assert.True(cluster.Health.IsUp(peer.Id));
    }

    [Fact(Timeout = 10_000)]
    public async Task Slots_of_a_down_peer_go_to_the_next_live_node_and_come_back()
    {
        await Task.Yield();
        var cluster = Cluster(new ScriptedProbe());
        var peer = Nodes.Primary(2);
        int[] peerSlots = Enumerable.Range(0, 16384).Where(s => cluster.OwnerOf(s).Id == peer.Id).ToArray();
        Assert.NotEmpty(peerSlots);
        var others = Enumerable.Range(0, 16384).Where(s => cluster.OwnerOf(s).Id != peer.Id)
            .ToDictionary(s => s, s => cluster.OwnerOf(s).Id);

        cluster.ReportFailure(peer);
        Assert.All(peerSlots, s => Assert.NotEqual(peer.Id, cluster.OwnerOf(s).Id));
        Assert.All(others, kv => Assert.Equal(kv.Value, cluster.OwnerOf(kv.Key).Id));
        Assert.Equal(0, cluster.SlotMap.SlotCountOf(peer.Id));

        cluster.ReportSuccess(peer);
        Assert.All(peerSlots, s => Assert.Equal(peer.Id, cluster.OwnerOf(s).Id));
    }

    [Fact(Timeout = 10_000)]
    public async Task The_down_token_fires_when_the_peer_goes_down_and_is_fresh_after_it_comes_back()
    {
        await Task.Yield();
        var cluster = Cluster(new ScriptedProbe());
        var peer = Nodes.Primary(2);
        var token = cluster.WhenDown(peer);
        Assert.False(token.IsCancellationRequested);

        cluster.ReportFailure(peer);
        Assert.True(token.IsCancellationRequested);
        Assert.True(cluster.WhenDown(peer).IsCancellationRequested);

        cluster.ReportSuccess(peer);
        Assert.False(cluster.WhenDown(peer).IsCancellationRequested);
        Assert.False(cluster.WhenDown(cluster.Self).CanBeCanceled);
    }

    [Fact(Timeout = 10_000)]
    public async Task Self_is_never_marked_down()
    {
        await Task.Yield();
        var cluster = Cluster(new ScriptedProbe());
        cluster.ReportFailure(cluster.Self);
        Assert.True(cluster.Health.IsUp(cluster.Self.Id));
    }

    [Fact(Timeout = 10_000)]
    public async Task Probes_mark_peers_down_and_up()
    {
        var probe = new ScriptedProbe();
        var cluster = Cluster(probe);
        var changes = new ConcurrentQueue<(string, NodeState)>();
        cluster.Health.StateChanged += (n, s) => changes.Enqueue((n.Id, s));

        probe.Answers["node-3"] = false;
        await cluster.Health.ProbeOnceAsync();
        Assert.Equal(NodeState.Down, cluster.Health.StateOf("node-3"));
        Assert.Equal(NodeState.Up, cluster.Health.StateOf("node-2"));

        probe.Answers["node-3"] = true;
        await cluster.Health.ProbeOnceAsync();
        Assert.Equal(NodeState.Up, cluster.Health.StateOf("node-3"));
        Assert.Equal([("node-3", NodeState.Down), ("node-3", NodeState.Up)], changes.ToArray());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_hanging_probe_counts_as_a_failure_after_the_probe_timeout()
    {
        var probe = new ScriptedProbe();
        probe.Hangs["node-2"] = true;
        var cluster = Cluster(probe, new PeerHealthOptions { ProbeTimeout = TimeSpan.FromMilliseconds(100) });
        var started = DateTime.UtcNow;
        await cluster.Health.ProbeOnceAsync();
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Assert.Equal(NodeState.Down, cluster.Health.StateOf("node-2"));
    }

    [Fact(Timeout = 10_000)]
    public async Task The_probe_loop_marks_a_dead_peer_down_within_the_configured_time()
    {
        var probe = new ScriptedProbe();
        var options = new PeerHealthOptions { ProbeInterval = TimeSpan.FromMilliseconds(50), ProbeTimeout = TimeSpan.FromMilliseconds(50) };
        var cluster = Cluster(probe, options);
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Health.StateChanged += (n, s) => { if (s == NodeState.Down) down.TrySetResult(); };
        using var stop = new CancellationTokenSource();
        var loop = cluster.Health.RunAsync(stop.Token);

        probe.Hangs["node-2"] = true;
        var started = DateTime.UtcNow;
        await down.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "detection should take about interval + timeout");

        stop.Cancel();
        await loop;
    }

    [Fact(Timeout = 10_000)]
    public async Task Node_list_reports_states_and_self_is_added()
    {
        await Task.Yield();
        var cluster = StaticCluster.Create(Nodes.Primary(1), Nodes.Primaries(3).Skip(1), new ScriptedProbe());
        cluster.ReportFailure(Nodes.Primary(3));
        var nodes = cluster.Nodes();
        Assert.Equal(["node-1", "node-2", "node-3"], nodes.Select(n => n.Id));
        Assert.Equal([NodeState.Up, NodeState.Up, NodeState.Down], nodes.Select(n => n.State));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_lone_gateway_owns_nothing_but_resolves_owners_to_itself()
    {
        await Task.Yield();
        var gateway = new NodeInfo("gw", "127.0.0.1:7100", Role: NodeRole.Gateway);
        var cluster = StaticCluster.Create(gateway, []);
        Assert.Same(gateway, cluster.OwnerOf(123));
        Assert.Empty(cluster.SlotMap.Ranges);
    }
}
