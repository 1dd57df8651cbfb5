using Magpie.Cluster;
using Magpie.Protocol;

namespace Magpie.Groups;

// Writes: applied by the key's owner, which then drops every other node's copy.
public sealed partial class CacheGroup
{
    public ValueTask SetAsync(string key, byte[] value, GroupEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var ttl = options?.TimeToLive ?? _options.DefaultTtl;
        return WriteAsync(key,
            (group, k) => group.ApplySetAsync(k, value, ttl),
            (peers, owner, k, token) => peers.SetAsync(owner, Name, k, value, ttl, token),
            cancellationToken);
    }

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(key,
            static (group, k) => group.ApplyRemoveAsync(k),
            (peers, owner, k, token) => peers.RemoveAsync(owner, Name, k, token),
            cancellationToken);
    }

    /// <summary>
    /// As the owner: store, drop any hot copy, tell every live peer to drop theirs. The returned task
    /// ends when the invalidations have been answered (or timed out); the value is stored at once.
    /// </summary>
    internal Task ApplySetAsync(string key, byte[] value, TimeSpan? timeToLive)
    {
        BumpWriteEpoch(key);
        _hot.Remove(key);
        _main.Set(key, value, timeToLive);
        return BroadcastInvalidateAsync(key);
    }

    /// <summary>As the owner: remove, tell every live peer to drop its copy (task as for <see cref="ApplySetAsync"/>).</summary>
    internal Task ApplyRemoveAsync(string key)
    {
        BumpWriteEpoch(key);
        _main.Remove(key);
        _hot.Remove(key);
        return BroadcastInvalidateAsync(key);
    }

    /// <summary>Another node wrote the key: drop this node's copy so the next get asks the owner.</summary>
    internal void Invalidate(string key)
    {
        BumpWriteEpoch(key);
        _hot.Remove(key);
        _main.Remove(key); // a stale main copy can exist when two nodes briefly disagreed on the owner
    }

    /// <summary>
    /// Applies the write here when this node owns the key, else forwards it to the owner. If the owner
    /// does not answer within the peer timeout it is reported failed and the write goes to the next
    /// owner (often this node), so a write waits at most two peer timeouts.
    /// </summary>
    private async ValueTask WriteAsync(
        string key,
        Func<CacheGroup, string, Task> applyHere,
        Func<Peers.IGroupPeerClient, NodeInfo, string, CancellationToken, ValueTask> forward,
        CancellationToken cancellationToken)
    {
        int slot = HashSlot.Of(key);
        Exception? lastError = null;
        NodeInfo? lastOwner = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var owner = _cluster.OwnerOf(slot);
            if (IsSelf(owner) || _peers is null)
            {
                await applyHere(this, key).WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            // The writer reads its own write: drop any copy here (a main copy exists if this node
            // stood in for a dead owner) before the owner's invalidation arrives.
            Invalidate(key);
            lastOwner = owner;
            // Ends at the peer timeout, when the caller gives up, or as soon as anyone marks the owner down.
            using var timeout = new CancellationTokenSource(_options.PeerTimeout, _time);
            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken, _cluster.WhenDown(owner));
            try
            {
                await forward(_peers, owner, key, giveUp.Token).AsTask()
                    .WaitAsync(_options.PeerTimeout, _time, giveUp.Token).ConfigureAwait(false);
                _cluster.ReportSuccess(owner);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not PeerLoadException)
            {
                Interlocked.Increment(ref _peerErrors);
                _cluster.ReportFailure(owner);
                LogPeerUnreachable(Name, owner.Id, _options.PeerTimeout.TotalMilliseconds, ex.Message);
                lastError = ex;
            }
        }
        throw new PeerUnavailableException(Name, key, lastOwner!.Id, lastError);
    }

    private Task BroadcastInvalidateAsync(string key)
    {
        var peers = _cluster.LivePeers;
        if (_peers is null || peers.Count == 0) return Task.CompletedTask;
        var sends = new Task[peers.Count];
        for (int i = 0; i < peers.Count; i++) sends[i] = InvalidateOnPeerAsync(peers[i], key);
        return Task.WhenAll(sends);
    }

    // Never throws: a peer that misses an invalidation is marked failed, and its copy expires by TTL.
    private async Task InvalidateOnPeerAsync(NodeInfo peer, string key)
    {
        using var timeout = new CancellationTokenSource(_options.PeerTimeout, _time);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _cluster.WhenDown(peer));
        try
        {
            await _peers!.InvalidateAsync(peer, Name, key, giveUp.Token).AsTask()
                .WaitAsync(_options.PeerTimeout, _time, giveUp.Token).ConfigureAwait(false);
            _cluster.ReportSuccess(peer);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _peerErrors);
            _cluster.ReportFailure(peer);
            LogInvalidateFailed(Name, peer.Id, ex.Message);
        }
    }
}
