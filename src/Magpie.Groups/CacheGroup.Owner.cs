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
    public Task HandlePeerSetAsync(string key, byte[] value, TimeSpan? timeToLive) =>
        AwaitInvalidationsAsync(ApplySetAsync(key, value, timeToLive ?? _options.DefaultTtl));

    /// <summary>Applies a removal a peer forwarded to this node as owner; invalidation as for <see cref="HandlePeerSetAsync"/>.</summary>
    public Task HandlePeerRemoveAsync(string key) => AwaitInvalidationsAsync(ApplyRemoveAsync(key));

    /// <summary>
    /// A forwarded write is answered once every peer dropped its copy, so when it returns no node
    /// still serves the old value. The wait is capped at half the peer timeout: the forwarding node
    /// gives up on the owner at the full timeout, and a slow third node must not make a healthy owner
    /// look dead. Invalidations still running then finish in the background (they never fault).
    /// </summary>
    private async Task AwaitInvalidationsAsync(Task invalidations)
    {
        try
        {
            await invalidations.WaitAsync(_options.PeerTimeout / 2, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Answer the writer now; the slow peer's copy is dropped when its invalidation lands or by TTL.
        }
    }

    /// <summary>The owner wrote the key: drop this node's copy.</summary>
    public void HandleInvalidate(string key) => Invalidate(key);
}
