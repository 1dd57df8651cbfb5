namespace Magpie.Cluster;

/// <summary>What a node does in the cluster.</summary>
public enum NodeRole
{
    /// <summary>Owns a share of the slots and loads the keys in them.</summary>
    Primary,

    /// <summary>Serves clients and forwards to owners; owns no slots (<c>--role gateway</c>).</summary>
    Gateway,
}

/// <summary>Whether a node is currently answering.</summary>
public enum NodeState
{
    Up,
    Down,
}

/// <summary>One node of the cluster.</summary>
/// <param name="Id">Stable identity; the ring hashes it, so every node must use the same ids.</param>
/// <param name="Endpoint">RESP endpoint, <c>host:port</c>.</param>
/// <param name="HttpEndpoint">HTTP API endpoint (<c>http://host:port</c>), if the node serves one.</param>
/// <param name="Role">Primary nodes own slots; gateways own none.</param>
/// <param name="State">Up or down, as last seen by <see cref="PeerHealth"/>.</param>
public sealed record NodeInfo(
    string Id,
    string Endpoint,
    string? HttpEndpoint = null,
    NodeRole Role = NodeRole.Primary,
    NodeState State = NodeState.Up)
{
    public bool OwnsSlots => Role == NodeRole.Primary;
}
