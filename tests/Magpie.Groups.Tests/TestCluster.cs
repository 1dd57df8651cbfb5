using Magpie.Cluster;
using Magpie.Protocol;

namespace Magpie.Groups.Tests;

/// <summary>N in-process nodes, each with a "scores" group over one shared fake origin, wired through an in-memory network.</summary>
internal sealed class TestCluster
{
    public const string GroupName = "scores";

    public TestCluster(int primaries, int gateways = 0, TimeSpan? peerTimeout = null, Action<GroupOptions>? configure = null, TimeProvider? time = null)
    {
        var nodes = Enumerable.Range(1, primaries).Select(i => new NodeInfo($"node-{i}", $"127.0.0.1:{7000 + i}"))
            .Concat(Enumerable.Range(1, gateways).Select(i => new NodeInfo($"gw-{i}", $"127.0.0.1:{7100 + i}", Role: NodeRole.Gateway)))
            .ToArray();
        foreach (var self in nodes)
        {
            var cluster = StaticCluster.Create(self, nodes, Network);
            var registry = new GroupRegistry(cluster, Network, time);
            var timeout = peerTimeout ?? TimeSpan.FromMilliseconds(300);
            var options = new GroupOptions { Name = GroupName, MaxBytes = 1 << 20, PeerTimeout = timeout, LoaderTimeout = timeout / 2 };
            configure?.Invoke(options);
            registry.Add(options, Origin.LoadAsync);
            Network.Attach(self.Id, registry);
            Nodes[self.Id] = (cluster, registry);
        }
    }

    public InMemoryPeerNetwork Network { get; } = new();

    public FakeOrigin Origin { get; } = new();

    public Dictionary<string, (StaticCluster Cluster, GroupRegistry Registry)> Nodes { get; } = new();

    public CacheGroup Group(string nodeId) => Nodes[nodeId].Registry.Get(GroupName);

    public StaticCluster Cluster(string nodeId) => Nodes[nodeId].Cluster;

    /// <summary>The ring owner of a key (all nodes up).</summary>
    public string OwnerOf(string key) => Nodes.Values.First().Cluster.Ring.OwnerOf(HashSlot.Of(key))!.Id;

    /// <summary>Keys "key-0", "key-1", … whose ring owner is <paramref name="nodeId"/>.</summary>
    public IEnumerable<string> KeysOwnedBy(string nodeId) =>
        Enumerable.Range(0, 100_000).Select(i => $"key-{i}").Where(k => OwnerOf(k) == nodeId);
}
