using System.Globalization;
using Magpie.Cluster;

namespace Magpie.Server.Peers;

/// <summary>
/// Parses <c>--peers</c>: comma-separated entries <c>host:resp_port[@http_port][/gateway]</c>. A node's
/// id is its RESP endpoint <c>host:resp_port</c>, so every node must spell the list the same way.
/// The optional <c>@http_port</c> gives the node's HTTP API (on the same host) for <c>/api/nodes</c>;
/// <c>/gateway</c> marks a node that owns no slots (started with <c>--role gateway</c>).
/// </summary>
public static class PeerList
{
    public static IReadOnlyList<NodeInfo> Parse(string? peers, List<string> errors)
    {
        var nodes = new List<NodeInfo>();
        if (string.IsNullOrWhiteSpace(peers)) return nodes;
        foreach (var raw in peers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParseEntry(raw, out var node, out var problem))
            {
                if (nodes.Any(n => n.Id == node.Id)) errors.Add($"peers: '{node.Id}' is listed twice");
                else nodes.Add(node);
            }
            else errors.Add($"peers: '{raw}' {problem}");
        }
        return nodes;
    }

    public static bool TryParseEntry(string entry, out NodeInfo node, out string problem)
    {
        node = null!;
        var role = NodeRole.Primary;
        string rest = entry;
        int slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            string suffix = rest[(slash + 1)..];
            if (!suffix.Equals("gateway", StringComparison.OrdinalIgnoreCase) && !suffix.Equals("primary", StringComparison.OrdinalIgnoreCase))
            {
                problem = "has an unknown role suffix (use /gateway or /primary)";
                return false;
            }
            role = suffix.Equals("gateway", StringComparison.OrdinalIgnoreCase) ? NodeRole.Gateway : NodeRole.Primary;
            rest = rest[..slash];
        }
        int httpPort = -1;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!TryParsePort(rest[(at + 1)..], out httpPort))
            {
                problem = "has an invalid HTTP port after '@'";
                return false;
            }
            rest = rest[..at];
        }
        if (!TrySplitEndpoint(rest, out string host, out _))
        {
            problem = "is not host:port";
            return false;
        }
        string? http = httpPort > 0 ? $"http://{host}:{httpPort}" : null;
        node = new NodeInfo(rest, rest, http, role);
        problem = "";
        return true;
    }

    /// <summary>Splits <c>host:port</c> (IPv6 hosts in brackets).</summary>
    public static bool TrySplitEndpoint(string endpoint, out string host, out int port)
    {
        host = "";
        port = 0;
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || colon == endpoint.Length - 1) return false;
        host = endpoint[..colon].Trim('[', ']');
        return host.Length > 0 && TryParsePort(endpoint[(colon + 1)..], out port);
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
}
