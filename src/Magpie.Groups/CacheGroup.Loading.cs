using Magpie.Cluster;
using Magpie.Protocol;

namespace Magpie.Groups;

// The miss path: one flight per key decides between loading here and asking the owner.
public sealed partial class CacheGroup
{
    private async ValueTask<byte[]?> MissAsync(string key, CancellationToken cancellationToken)
    {
        var flight = _getFlight.RunAsync(key, this, static (group, k) => group.FetchAsync(k));
        var fetched = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
        return fetched.Value;
    }

    private async Task<Fetched> FetchAsync(string key)
    {
        // Another flight may have filled a cache between our miss and the start of this one.
        if (_main.TryGet(key, out var cached, out var ttl) || _hot.TryGet(key, out cached, out ttl))
            return new Fetched(cached, ttl);

        int slot = HashSlot.Of(key);
        var owner = _cluster.OwnerOf(slot);
        if (IsSelf(owner) || _peers is null)
            return await LoadHereAsync(key, slot, asOwner: true).ConfigureAwait(false);

        long epoch = ReadWriteEpoch(key);
        if (await TryFetchFromPeerAsync(owner, key, slot).ConfigureAwait(false) is { } fromPeer)
        {
            // TinyLFU admission decides whether this remote key is popular enough to keep.
            if (fromPeer.Value is not null && ReadWriteEpoch(key) == epoch)
                _hot.Set(key, fromPeer.Value, HotTtl(fromPeer.TimeToLive ?? _options.DefaultTtl));
            return fromPeer;
        }

        // The owner failed: serve this request from the origin as the next node on the ring would.
        bool nowOwner = IsSelf(_cluster.OwnerOf(slot));
        return await LoadHereAsync(key, slot, asOwner: nowOwner).ConfigureAwait(false);
    }

    /// <summary>The owner's answer, or null when it could not be reached in time (it is then reported failed).</summary>
    private async Task<Fetched?> TryFetchFromPeerAsync(NodeInfo owner, string key, int slot)
    {
        using var activity = GroupActivities.StartPeerGet(Name, slot, owner.Id);
        // Ends at the peer timeout, or as soon as anyone marks the owner down.
        using var timeout = new CancellationTokenSource(_options.PeerTimeout, _time);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _cluster.WhenDown(owner));
        try
        {
            var answer = await _peers!.GetAsync(owner, Name, key, giveUp.Token).AsTask()
                .WaitAsync(_options.PeerTimeout, _time, giveUp.Token).ConfigureAwait(false);
            _cluster.ReportSuccess(owner);
            Interlocked.Increment(ref _peerHits);
            return answer.IsFound ? new Fetched(answer.Value, answer.TimeToLive) : Fetched.NotFound;
        }
        catch (PeerLoadException ex)
        {
            GroupActivities.Fail(activity, ex);
            _cluster.ReportSuccess(owner); // it answered: healthy, its origin is not
            Interlocked.Increment(ref _loadErrors);
            LogPeerLoadFailed(Name, key, owner.Id, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            GroupActivities.Fail(activity, ex);
            Interlocked.Increment(ref _peerErrors);
            _cluster.ReportFailure(owner);
            LogPeerUnreachable(Name, owner.Id, _options.PeerTimeout.TotalMilliseconds, ex.Message);
            return null;
        }
    }

    /// <summary>Loads on this node, once per key (shared with peers' requests for the same key).</summary>
    private Task<Fetched> LoadHereAsync(string key, int slot, bool asOwner) =>
        _loadFlight.RunAsync(key, (Group: this, Slot: slot, AsOwner: asOwner),
            static (state, k) => state.Group.LoadAsync(k, state.Slot, state.AsOwner));

    private async Task<Fetched> LoadAsync(string key, int slot, bool asOwner)
    {
        if (_main.TryGet(key, out var cached, out var cachedTtl)) return new Fetched(cached, cachedTtl);

        long epoch = ReadWriteEpoch(key);
        Interlocked.Increment(ref _loads);
        LoadResult result;
        using (var activity = GroupActivities.StartLoad(Name, slot, asOwner))
        {
            try
            {
                result = await InvokeLoaderAsync(key, slot).ConfigureAwait(false);
                activity?.SetTag("magpie.found", result.IsFound);
            }
            catch (Exception ex)
            {
                GroupActivities.Fail(activity, ex);
                Interlocked.Increment(ref _loadErrors);
                LogLoadFailed(Name, key, ex.Message);
                throw;
            }
        }
        if (!result.IsFound) return Fetched.NotFound;

        var ttl = result.TimeToLive ?? _options.DefaultTtl;
        // A write that landed while we were loading is newer than what we loaded: keep the write.
        if (ReadWriteEpoch(key) == epoch)
        {
            if (asOwner) _main.Set(key, result.Value!, ttl);
            else _hot.Set(key, result.Value!, HotTtl(ttl));
        }
        return new Fetched(result.Value, ttl);
    }

    /// <summary>A hot copy lives no longer than the owner's copy, and never longer than HotCacheTtl.</summary>
    private TimeSpan HotTtl(TimeSpan? ttl) =>
        ttl is { } t && t != Timeout.InfiniteTimeSpan && t < _options.HotCacheTtl ? t : _options.HotCacheTtl;

    private async Task<LoadResult> InvokeLoaderAsync(string key, int slot)
    {
        var context = new LoaderContext(Name, slot, _cluster.Self.Id);
        using var timeout = new CancellationTokenSource(_options.LoaderTimeout, _time);
        try
        {
            // WaitAsync bounds loaders that ignore their token.
            return await _loader(key, context, timeout.Token).AsTask()
                .WaitAsync(_options.LoaderTimeout, _time).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested))
        {
            throw new TimeoutException(
                $"Loader of group '{Name}' did not finish key '{key}' within {_options.LoaderTimeout.TotalMilliseconds:0} ms.", ex);
        }
    }
}
