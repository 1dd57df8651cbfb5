using Magpie.Groups.Peers;
using Magpie.Protocol;

namespace Magpie.Groups;

// What this node does when a peer asks it, as the key's owner. These never forward, so two nodes that
// briefly disagree about ownership cannot bounce a request between them.
public sealed partial class CacheGroup
{
    /// <summary>Answers a peer's get: from cache, else one load here (shared with local misses of the key).</summary>
    public async ValueTask<PeerGetResult> HandlePeerGetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_main.TryGet(key, out var value, out var ttl) || _hot.TryGet(key, out value, out ttl))
        {
            _hits.Increment();
            return PeerGetResult.Found(value, ttl);
        }
        _misses.Increment();
        var fetched = await LoadHereAsync(key, HashSlot.Of(key), asOwner: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        return fetched.Value is null ? PeerGetResult.NotFound : PeerGetResult.Found(fetched.Value, fetched.TimeToLive);
    }

    /// <summary>
    /// Applies a write a peer forwarded to this node as owner. Completes once the value is stored;
    /// the invalidation of other nodes' copies goes on in the background, so the forwarding peer's
    /// wait never includes another peer's timeout.
    /// </summary>
    public Task HandlePeerSetAsync(string key, byte[] value, TimeSpan? timeToLive)
    {
        _ = ApplySetAsync(key, value, timeToLive ?? _options.DefaultTtl); // never faults: see InvalidateOnPeerAsync
        return Task.CompletedTask;
    }

    /// <summary>Applies a removal a peer forwarded to this node as owner; invalidation as for <see cref="HandlePeerSetAsync"/>.</summary>
    public Task HandlePeerRemoveAsync(string key)
    {
        _ = ApplyRemoveAsync(key);
        return Task.CompletedTask;
    }

    /// <summary>The owner wrote the key: drop this node's copy.</summary>
    public void HandleInvalidate(string key) => Invalidate(key);
}
