namespace Magpie.Cluster.Sharding;

/// <summary>
/// One node as a cluster-enabled node knows it: Redis Cluster's 40-hex id, its RESP endpoint (there is
/// no separate bus port: the cluster state is exchanged over RESP on the same port), its config epoch
/// and what this node saw of it lately. Mutated only by <see cref="ClusterState"/>, under its owner's lock.
/// </summary>
public sealed class ClusterNode
{
    internal ClusterNode(string id, string host, int port, long createdAtMs)
    {
        Id = id;
        Host = host;
        Port = port;
        CreatedAtMs = createdAtMs;
        Endpoint = FormatEndpoint(host, port);
    }

    /// <summary>40 lowercase hex characters, as Redis Cluster node ids.</summary>
    public string Id { get; internal set; }

    public string Host { get; }

    public int Port { get; }

    /// <summary><c>host:port</c> (IPv6 hosts in brackets).</summary>
    public string Endpoint { get; }

    /// <summary>The epoch this node's slot claims carry; a claim with a higher epoch wins.</summary>
    public long ConfigEpoch { get; internal set; }

    public bool IsMyself { get; internal set; }

    /// <summary>Met (CLUSTER MEET) but not answered yet: the id is a placeholder until it replies.</summary>
    public bool InHandshake { get; internal set; }

    /// <summary>No exchange with it succeeded within the node timeout; its slots are not served.</summary>
    public bool Failed { get; internal set; }

    public long CreatedAtMs { get; }

    /// <summary>Unix ms of the last state exchange sent to it (0: none pending), as CLUSTER NODES' ping-sent.</summary>
    public long PingSentMs { get; internal set; }

    /// <summary>Unix ms of its last answer, as CLUSTER NODES' pong-recv.</summary>
    public long PongReceivedMs { get; internal set; }

    /// <summary>How many slots it owns in this node's map.</summary>
    public int SlotCount { get; internal set; }

    public static string FormatEndpoint(string host, int port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";

    public override string ToString() => $"{Id} {Endpoint}";
}
