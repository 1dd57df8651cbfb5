using Magpie.Cluster;
using Magpie.Server.Hosting;

namespace Magpie.Server.Peers;

/// <summary>
/// The node's place in the cluster, resolved from <c>--peers</c>, <c>--self</c>, <c>--role</c> and the
/// peer timing options. With no <c>--peers</c> the node is a cluster of one.
/// </summary>
public sealed record ClusterConfig(NodeInfo Self, IReadOnlyList<NodeInfo> Nodes, PeerHealthOptions Health, TimeSpan PeerTimeout)
{
    public bool IsSingleNode => Nodes.Count == 0 || (Nodes.Count == 1 && Nodes[0].Id == Self.Id);

    /// <summary>Resolves the cluster options, adding one message per problem (each naming its option) to <paramref name="errors"/>.</summary>
    public static ClusterConfig Resolve(MagpieOptions options, List<string> errors)
    {
        var nodes = PeerList.Parse(options.Peers, errors);
        NodeRole role = NodeRole.Primary;
        if (options.Role.Equals("gateway", StringComparison.OrdinalIgnoreCase)) role = NodeRole.Gateway;
        else if (!options.Role.Equals("primary", StringComparison.OrdinalIgnoreCase)) errors.Add($"role: must be primary or gateway (got '{options.Role}')");

        string selfEndpoint = string.IsNullOrWhiteSpace(options.Self) ? $"127.0.0.1:{options.Port}" : options.Self.Trim();
        bool selfParsed = PeerList.TrySplitEndpoint(selfEndpoint, out string selfHost, out _);
        if (!selfParsed) selfHost = "127.0.0.1";
        if (!selfParsed && (nodes.Count > 0 || !string.IsNullOrWhiteSpace(options.Self))) errors.Add($"self: '{selfEndpoint}' is not host:port");

        var listed = nodes.FirstOrDefault(n => n.Id == selfEndpoint);
        NodeInfo self;
        if (listed is not null)
        {
            if (listed.Role != role)
                errors.Add($"role: --role {options.Role} but --peers lists {selfEndpoint} as {listed.Role.ToString().ToLowerInvariant()}");
            self = listed with { HttpEndpoint = listed.HttpEndpoint ?? HttpOf(selfHost, options.HttpPort) };
        }
        else
        {
            if (nodes.Count > 0 && role == NodeRole.Primary)
                errors.Add($"self: '{selfEndpoint}' is not in --peers (every primary must be listed, spelled the same way on every node)");
            self = new NodeInfo(selfEndpoint, selfEndpoint, HttpOf(selfHost, options.HttpPort), role);
        }
        if (role == NodeRole.Gateway && !nodes.Any(n => n.Role == NodeRole.Primary))
            errors.Add("role: a gateway needs --peers listing at least one primary");

        if (options.PeerTimeout < 1) errors.Add($"peer-timeout: must be at least 1 ms (got {options.PeerTimeout})");
        if (options.PeerProbeInterval < 1) errors.Add($"peer-probe-interval: must be at least 1 ms (got {options.PeerProbeInterval})");
        if (options.PeerProbeTimeout < 1) errors.Add($"peer-probe-timeout: must be at least 1 ms (got {options.PeerProbeTimeout})");
        var health = new PeerHealthOptions
        {
            ProbeInterval = TimeSpan.FromMilliseconds(Math.Max(1, options.PeerProbeInterval)),
            ProbeTimeout = TimeSpan.FromMilliseconds(Math.Max(1, options.PeerProbeTimeout)),
        };
        return new ClusterConfig(self, nodes, health, TimeSpan.FromMilliseconds(Math.Max(1, options.PeerTimeout)));
    }

    private static string? HttpOf(string host, int httpPort) =>
        httpPort > 0 ? $"http://{(host.Contains(':') ? $"[{host}]" : host)}:{httpPort}" : null;
}
