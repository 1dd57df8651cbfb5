using Magpie.Cluster;
using Magpie.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Magpie.Server.Tests;

/// <summary>--peers, --self, --role, --peer-timeout and magpie.json groups: parsing and validation messages.</summary>
public sealed class ClusterOptionsTests
{
    private static MagpieOptions Bind(Dictionary<string, string?> values) =>
        NodeHost.BindOptions(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    private static IReadOnlyList<string> Errors(Dictionary<string, string?> values) =>
        Assert.Throws<OptionsException>(() => Bind(values)).Errors;

    [Fact]
    public void No_peers_is_a_cluster_of_one()
    {
        var options = Bind(new() { ["Port"] = "7000", ["HttpPort"] = "8000" });
        Assert.True(options.Cluster!.IsSingleNode);
        Assert.Equal(new NodeInfo("127.0.0.1:7000", "127.0.0.1:7000", "http://127.0.0.1:8000"), options.Cluster.Self);
    }

    [Fact]
    public void Peers_give_ids_http_endpoints_and_roles()
    {
        var options = Bind(new()
        {
            ["Port"] = "7002",
            ["Peers"] = "127.0.0.1:7001@8001, 127.0.0.1:7002@8002,127.0.0.1:7009/gateway",
            ["Self"] = "127.0.0.1:7002",
            ["PeerTimeout"] = "1500",
        });
        var cluster = options.Cluster!;
        Assert.Equal(3, cluster.Nodes.Count);
        Assert.Equal("127.0.0.1:7002", cluster.Self.Id);
        Assert.Equal("http://127.0.0.1:8002", cluster.Self.HttpEndpoint);
        Assert.Equal(NodeRole.Gateway, cluster.Nodes[2].Role);
        Assert.Null(cluster.Nodes[2].HttpEndpoint);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), cluster.PeerTimeout);
    }

    [Fact]
    public void Bad_cluster_options_are_named()
    {
        var errors = Errors(new()
        {
            ["Peers"] = "127.0.0.1:7001,nonsense,127.0.0.1:7001,127.0.0.1:7003@x",
            ["Self"] = "127.0.0.1:7005",
            ["Role"] = "boss",
            ["PeerTimeout"] = "0",
        });
        Assert.Contains("peers: 'nonsense' is not host:port", errors);
        Assert.Contains("peers: '127.0.0.1:7001' is listed twice", errors);
        Assert.Contains("peers: '127.0.0.1:7003@x' has an invalid HTTP port after '@'", errors);
        Assert.Contains("role: must be primary or gateway (got 'boss')", errors);
        Assert.Contains(errors, e => e.StartsWith("self: '127.0.0.1:7005' is not in --peers", StringComparison.Ordinal));
        Assert.Contains("peer-timeout: must be at least 1 ms (got 0)", errors);
    }

    [Fact]
    public void Gateway_role_must_match_its_peer_entry()
    {
        var errors = Errors(new() { ["Port"] = "7001", ["Peers"] = "127.0.0.1:7001,127.0.0.1:7002", ["Role"] = "gateway" });
        Assert.Contains("role: --role gateway but --peers lists 127.0.0.1:7001 as primary", errors);
    }

    [Fact]
    public void Groups_bind_from_config_and_take_the_node_peer_timeout()
    {
        var options = Bind(new()
        {
            ["PeerTimeout"] = "1000",
            ["Groups:0:Name"] = "scores",
            ["Groups:0:LoaderTimeout"] = "00:00:00.500",
            ["Groups:0:Origin"] = "http://127.0.0.1:9000/scores/{key}",
        });
        var group = Assert.Single(options.Groups);
        Assert.Equal("scores", group.Name);
        Assert.Equal(TimeSpan.FromSeconds(1), group.PeerTimeout);
    }

    [Fact]
    public void Bad_groups_are_named()
    {
        var errors = Errors(new()
        {
            ["PeerTimeout"] = "1000",
            ["Groups:0:Name"] = "scores",
            ["Groups:0:Origin"] = "http://127.0.0.1:9000/scores/{key}",   // LoaderTimeout 2 s by default
            ["Groups:1:Name"] = "noorigin",
            ["Groups:2:Name"] = "",
            ["Groups:2:Origin"] = "http://127.0.0.1:9000/x/{key}",
        });
        Assert.Contains("peer-timeout: 1000 ms must be longer than group 'scores' LoaderTimeout (2000 ms)", errors);
        Assert.Contains(errors, e => e.StartsWith("groups: Group 'noorigin': Origin is required", StringComparison.Ordinal));
        Assert.Contains("groups: Group: Name is required.", errors);
    }
}
