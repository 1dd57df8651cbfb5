using Magpie.Cluster;

namespace Magpie.Groups.Peers;

/// <summary>
/// How a group talks to other nodes. The server implements it over RESP through Magpie.Client
/// (<c>MAGPIE.GROUPGET group key</c>, …); tests use an in-memory double. Every call is bounded by the
/// group's peer timeout through <paramref name="cancellationToken"/>.
/// <para>
/// Throw <see cref="PeerLoadException"/> when the peer replied with an error (its loader failed): the
/// peer is healthy and the error reaches the caller. Throw anything else (socket errors, timeouts) when
/// the peer could not be reached: the group marks it down and fails over.
/// </para>
/// </summary>
public interface IGroupPeerClient
{
    /// <summary>The owner's value for the key, loading it there if needed (server side: <see cref="GroupRegistry.HandlePeerGetAsync"/>).</summary>
    ValueTask<PeerGetResult> GetAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken);

    /// <summary>Stores the value on the owner (server side: <see cref="GroupRegistry.HandlePeerSetAsync"/>).</summary>
    ValueTask SetAsync(NodeInfo peer, string group, string key, byte[] value, TimeSpan? timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes the key on the owner (server side: <see cref="GroupRegistry.HandlePeerRemoveAsync"/>).</summary>
    ValueTask RemoveAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken);

    /// <summary>Tells a node to drop its copy of the key (server side: <see cref="GroupRegistry.HandleInvalidate"/>).</summary>
    ValueTask InvalidateAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken);
}

/// <summary>An owner's answer to a get: the value and its remaining time-to-live, or not found.</summary>
public readonly record struct PeerGetResult(byte[]? Value, TimeSpan? TimeToLive)
{
    public static PeerGetResult NotFound => default;

    public static PeerGetResult Found(byte[] value, TimeSpan? timeToLive) => new(value, timeToLive);

    public bool IsFound => Value is not null;
}
