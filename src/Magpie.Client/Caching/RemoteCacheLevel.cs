namespace Magpie.Client.Caching;

/// <summary>
/// L2: a Magpie or Redis server. Items live under "{prefix}{key}" with a TTL reaching their
/// stale-until time; tags are sets "{prefix}__tag:{tag}" listing the keys that carry them.
/// </summary>
public sealed class RemoteCacheLevel : ICacheLevel
{
    private readonly IMagpieDatabase _db;
    private readonly TimeProvider _time;

    public RemoteCacheLevel(IMagpieDatabase database, string keyPrefix = "cache:", TimeProvider? time = null)
    {
        _db = database;
        KeyPrefix = keyPrefix;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Tag index keys are "{prefix}__tag:{tag}"; they are not cache entries.</summary>
    internal const string TagKeyMarker = "__tag:";

    public string Name => "remote";

    public bool IsLocal => false;

    public string KeyPrefix { get; }

    public IMagpieDatabase Database => _db;

    public string ToRemoteKey(string key) => KeyPrefix + key;

    public async ValueTask<CacheItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfDisconnected();
        // One round trip: both replies come back on the same pipelined batch.
        var batch = _db.CreateBatch();
        var get = batch.StringGetAsync(ToRemoteKey(key));
        var ttl = batch.KeyTimeToLiveAsync(ToRemoteKey(key));
        batch.Execute();
        var value = await get.WaitAsync(cancellationToken).ConfigureAwait(false);
        var remaining = await ttl.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (value.IsNull) return null;
        return CacheItemCodec.Decode(value.AsMemory().Span, remaining, _time.GetUtcNow());
    }

    public async ValueTask SetAsync(string key, CacheItem item, CancellationToken cancellationToken)
    {
        ThrowIfDisconnected();
        var ttl = item.StaleUntil - _time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            await RemoveAsync(key, cancellationToken).ConfigureAwait(false);
            return;
        }
        var batch = _db.CreateBatch();
        var set = batch.StringSetAsync(ToRemoteKey(key), CacheItemCodec.Encode(item), ttl);
        var tagWrites = new List<Task>();
        foreach (var tag in item.Tags ?? [])
        {
            tagWrites.Add(batch.SetAddAsync(TagKey(tag), ToRemoteKey(key)));
            // The index must outlive every member: NX sets a first TTL, GT only ever extends it.
            tagWrites.Add(batch.ExecuteAsync("PEXPIRE", TagKey(tag), (long)ttl.TotalMilliseconds, "NX"));
            tagWrites.Add(batch.ExecuteAsync("PEXPIRE", TagKey(tag), (long)ttl.TotalMilliseconds, "GT"));
        }
        batch.Execute();
        await set.WaitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(tagWrites).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken) =>
        await _db.KeyDeleteAsync(ToRemoteKey(key)).WaitAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyCollection<string>> RemoveByTagAsync(string tag, CancellationToken cancellationToken)
    {
        var members = await _db.SetMembersAsync(TagKey(tag)).WaitAsync(cancellationToken).ConfigureAwait(false);
        var remoteKeys = members.Select(m => (MagpieKey)m.ToArray()).Append(TagKey(tag)).ToArray();
        await _db.KeyDeleteAsync(remoteKeys).WaitAsync(cancellationToken).ConfigureAwait(false);
        return members.Select(m => m.ToString()).Where(k => k.StartsWith(KeyPrefix, StringComparison.Ordinal))
            .Select(k => k[KeyPrefix.Length..]).ToArray();
    }

    /// <summary>Remote data is shared with other processes; it is never cleared wholesale from here.</summary>
    public void Clear() { }

    /// <summary>
    /// While the server is down, fail at once (the cache treats it as a miss and goes to the factory)
    /// instead of letting every lookup wait out the sync timeout in the backlog. While the first
    /// connect is still under way, commands wait for it as usual.
    /// </summary>
    private void ThrowIfDisconnected()
    {
        if (_db.Connection.IsUnavailable)
            throw new MagpieConnectionException($"The remote cache level's server {_db.Connection.EndPoint} is not connected.");
    }

    private string TagKey(string tag) => KeyPrefix + TagKeyMarker + tag;
}
