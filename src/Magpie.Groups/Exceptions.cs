namespace Magpie.Groups;

/// <summary>
/// Thrown by <see cref="ICacheGroup.GetAsync"/> when the loader reports the key does not exist.
/// <see cref="ICacheGroup.TryGetAsync"/> returns null instead.
/// </summary>
public sealed class CacheMissException(string group, string key)
    : KeyNotFoundException($"Key '{key}' was not found in group '{group}'.")
{
    public string Group { get; } = group;
    public string Key { get; } = key;
}

/// <summary>No group of that name is registered.</summary>
public sealed class GroupNotFoundException(string group)
    : KeyNotFoundException($"No cache group named '{group}'.")
{
    public string Group { get; } = group;
}

/// <summary>
/// The owner peer answered, but its load failed (its loader threw or timed out). An
/// <see cref="Peers.IGroupPeerClient"/> throws this for an error reply, so the group knows the peer is
/// healthy and passes the error on instead of failing over. Any other exception from the peer client
/// counts as the peer being unreachable.
/// </summary>
public sealed class PeerLoadException(string peerId, string message)
    : Exception($"Peer {peerId} failed to load: {message}")
{
    public string PeerId { get; } = peerId;
}

/// <summary>A write could not reach the key's owner, nor the next live node after it.</summary>
public sealed class PeerUnavailableException(string group, string key, string peerId, Exception? inner)
    : Exception($"Owner {peerId} of key '{key}' in group '{group}' did not answer.", inner)
{
    public string PeerId { get; } = peerId;
}
