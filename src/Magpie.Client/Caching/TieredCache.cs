using System.Diagnostics;
using Magpie.Caching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Client.Caching;

/// <summary>
/// The multi-level cache over an ordered list of levels (L1 first). See <see cref="ITieredCache"/>.
/// The L1 hit path is synchronous and allocation-free; everything else goes through a per-key
/// singleflight so that a key's factory runs once per process at a time.
/// </summary>
public sealed class TieredCache : ITieredCache, IAsyncDisposable, IDisposable
{
    private readonly ICacheLevel[] _levels;
    private readonly MemoryCacheLevel? _l1;
    private readonly TieredCacheOptions _options;
    private readonly ICacheSerializer _serializer;
    private readonly CacheMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CacheClock _time;
    private readonly SingleFlight<CacheItem> _flights = new();
    private IInvalidationChannel? _invalidation;

    public TieredCache(IEnumerable<ICacheLevel> levels, TieredCacheOptions? options = null, ICacheSerializer? serializer = null,
        CacheMetrics? metrics = null, ILogger? logger = null, TimeProvider? time = null)
    {
        _levels = levels.ToArray();
        if (_levels.Length == 0) throw new ArgumentException("A tiered cache needs at least one level.", nameof(levels));
        _l1 = _levels[0] as MemoryCacheLevel;
        _options = options ?? new TieredCacheOptions();
        _serializer = serializer ?? new JsonCacheSerializer();
        _metrics = metrics ?? new CacheMetrics();
        _logger = logger ?? NullLogger.Instance;
        _time = CacheClock.For(time);
        foreach (var memory in _levels.OfType<MemoryCacheLevel>())
        {
            string name = memory.Name;
            memory.Evicted += count => _metrics.Evictions(name, count);
        }
    }

    /// <summary>L1 (memory) over L2 (the connection), with cross-process invalidation started.</summary>
    public static async Task<TieredCache> CreateAsync(MagpieConnection connection, TieredCacheOptions? options = null,
        MemoryCacheLevelOptions? memory = null, ICacheSerializer? serializer = null, CacheMetrics? metrics = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new TieredCacheOptions();
        var cache = new TieredCache(
            [new MemoryCacheLevel(memory), new RemoteCacheLevel(connection.GetDatabase(), options.KeyPrefix)],
            options, serializer, metrics, logger);
        await cache.StartInvalidationAsync(connection, cancellationToken).ConfigureAwait(false);
        return cache;
    }

    public IReadOnlyList<ICacheLevel> Levels => _levels;

    /// <summary>The invalidation mechanism in use (None until started).</summary>
    public InvalidationMode InvalidationMode => _invalidation?.Mode ?? InvalidationMode.None;

    /// <summary>Raised when another process's change dropped a local copy (null key: everything was dropped).</summary>
    public event Action<string?>? Invalidated;

    /// <summary>Starts listening for other processes' changes, as <see cref="TieredCacheOptions.Invalidation"/> says.</summary>
    public async Task StartInvalidationAsync(MagpieConnection connection, CancellationToken cancellationToken = default)
    {
        var target = new InvalidationTarget(OnRemoteInvalidation, OnResync);
        var mode = _options.Invalidation;
        if (mode is InvalidationMode.Tracking or InvalidationMode.Auto)
        {
            var tracking = new TrackingInvalidation(connection, _options.KeyPrefix, target);
            try
            {
                await tracking.StartAsync(cancellationToken).ConfigureAwait(false);
                _invalidation = tracking;
                ClientLog.InvalidationMode(_logger, "tracking");
                return;
            }
            catch (Exception ex) when (mode == InvalidationMode.Auto && ex is NotSupportedException or MagpieServerException)
            {
                ClientLog.InvalidationSetupFailed(_logger, "tracking", ex.Message);
                mode = InvalidationMode.PubSub;
            }
        }
        if (mode == InvalidationMode.PubSub)
        {
            var pubsub = new PubSubInvalidation(connection, _options.InvalidationChannel, target);
            await pubsub.StartAsync(cancellationToken).ConfigureAwait(false);
            _invalidation = pubsub;
            ClientLog.InvalidationMode(_logger, "pubsub");
        }
    }

    public ValueTask<T> GetOrSetAsync<T>(string key, Func<CancellationToken, Task<T>> factory, CacheEntryOptions? options = null,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default)
    {
        if (TryGetFreshLocal(key, out T value)) return new ValueTask<T>(value);
        return GetOrSetSlowAsync(key, factory, options ?? _options.DefaultEntryOptions, tags, cancellationToken);
    }

    public ValueTask<CacheResult<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        if (TryGetFreshLocal(key, out T value)) return new ValueTask<CacheResult<T>>(new CacheResult<T>(true, value));
        return TryGetSlowAsync<T>(key, cancellationToken);
    }

    public async ValueTask SetAsync<T>(string key, T value, CacheEntryOptions? options = null, IReadOnlyCollection<string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        var item = CreateItem(value, options ?? _options.DefaultEntryOptions, tags);
        await WriteAllAsync(key, item, options ?? _options.DefaultEntryOptions, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        // Remote first: another process refilling its L1 must not find the old value there.
        for (int i = _levels.Length - 1; i >= 0; i--)
            await _levels[i].RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        await PublishAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = _levels.Length - 1; i >= 0; i--)
            keys.UnionWith(await _levels[i].RemoveByTagAsync(tag, cancellationToken).ConfigureAwait(false));
        foreach (var key in keys) await PublishAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The hot path: a fresh, deserialized L1 entry. No allocation, no await.</summary>
    private bool TryGetFreshLocal<T>(string key, out T value)
    {
        var now = _time.UtcNow;
        if (_l1 is not null && _l1.TryGet(key, now, out var item) && item.HasValue && item.IsFresh(now) && item.Value is T typed)
        {
            _metrics.Request(_l1.Name, hit: true);
            value = typed;
            return true;
        }
        value = default!;
        return false;
    }

    private async ValueTask<T> GetOrSetSlowAsync<T>(string key, Func<CancellationToken, Task<T>> factory, CacheEntryOptions options,
        IReadOnlyCollection<string>? tags, CancellationToken cancellationToken)
    {
        var load = _flights.RunAsync(key, (Cache: this, Key: key, Factory: factory, Options: options, Tags: tags),
            static (s, _) => s.Cache.LoadAsync(s.Key, s.Factory, s.Options, s.Tags));
        var item = await load.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ValueOf<T>(item);
    }

    /// <summary>Runs once per key at a time: look in each level, else call the factory and store its result everywhere.</summary>
    private async Task<CacheItem> LoadAsync<T>(string key, Func<CancellationToken, Task<T>> factory, CacheEntryOptions options, IReadOnlyCollection<string>? tags)
    {
        var (found, stale) = await FindAsync<T>(key, options, CancellationToken.None).ConfigureAwait(false);
        if (found is not null) return found;

        var started = Stopwatch.GetTimestamp();
        T value;
        try
        {
            // The factory serves every waiter, so no single caller's token may cancel it.
            value = await factory(CancellationToken.None).ConfigureAwait(false);
            _metrics.LoaderDuration(Stopwatch.GetElapsedTime(started), succeeded: true);
        }
        catch (Exception ex) when (options.IsFailSafeEnabled && stale is not null && stale.IsUsable(_time.UtcNow))
        {
            _metrics.LoaderDuration(Stopwatch.GetElapsedTime(started), succeeded: false);
            ClientLog.FailSafeActivated(_logger, ex);
            EnsureValue<T>(stale);
            // Treat the stale value as fresh for a short while, locally, so a failing source isn't hammered.
            var throttled = stale.WithExpiry(_time.UtcNow + options.FailSafeThrottleDuration);
            foreach (var level in _levels) if (level.IsLocal) await level.SetAsync(key, throttled, CancellationToken.None).ConfigureAwait(false);
            return throttled;
        }
        catch
        {
            _metrics.LoaderDuration(Stopwatch.GetElapsedTime(started), succeeded: false);
            throw;
        }
        var item = CreateItem(value, options, tags);
        await WriteAllAsync(key, item, options, CancellationToken.None).ConfigureAwait(false);
        return item;
    }

    private async ValueTask<CacheResult<T>> TryGetSlowAsync<T>(string key, CancellationToken cancellationToken)
    {
        var (found, _) = await FindAsync<T>(key, _options.DefaultEntryOptions, cancellationToken).ConfigureAwait(false);
        return found is null ? CacheResult<T>.None : new CacheResult<T>(true, ValueOf<T>(found));
    }

    /// <summary>Walks the levels top-down; a fresh hit is backfilled into the levels above it.</summary>
    private async Task<(CacheItem? Fresh, CacheItem? Stale)> FindAsync<T>(string key, CacheEntryOptions options, CancellationToken cancellationToken)
    {
        CacheItem? stale = null;
        for (int i = 0; i < _levels.Length; i++)
        {
            var level = _levels[i];
            CacheItem? item;
            try
            {
                item = await level.GetAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MagpieException or IOException)
            {
                // A level that is down is a miss, not an outage.
                ClientLog.LevelFailed(_logger, level.Name, "get", ex.Message);
                continue;
            }
            var now = _time.UtcNow;
            if (item is null || !item.IsUsable(now))
            {
                _metrics.Request(level.Name, hit: false);
                continue;
            }
            if (!item.IsFresh(now))
            {
                _metrics.StaleHit(level.Name);
                stale ??= item;
                continue;
            }
            _metrics.Request(level.Name, hit: true);
            EnsureValue<T>(item);
            for (int j = 0; j < i; j++)
                await SetLevelAsync(_levels[j], key, ForLevel(_levels[j], item, options, now), CancellationToken.None).ConfigureAwait(false);
            return (item, stale);
        }
        return (null, stale);
    }

    private async Task WriteAllAsync(string key, CacheItem item, CacheEntryOptions options, CancellationToken cancellationToken)
    {
        var now = _time.UtcNow;
        // Lowest level first, so that a process invalidated by our write re-reads the new value.
        for (int i = _levels.Length - 1; i >= 0; i--)
            await SetLevelAsync(_levels[i], key, ForLevel(_levels[i], item, options, now), cancellationToken).ConfigureAwait(false);
        await PublishAsync(key, cancellationToken).ConfigureAwait(false);
    }

    private async Task SetLevelAsync(ICacheLevel level, string key, CacheItem item, CancellationToken cancellationToken)
    {
        try
        {
            await level.SetAsync(key, item, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MagpieException or IOException)
        {
            ClientLog.LevelFailed(_logger, level.Name, "set", ex.Message);
        }
    }

    private async ValueTask PublishAsync(string key, CancellationToken cancellationToken)
    {
        if (_invalidation is null) return;
        try
        {
            await _invalidation.PublishAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (MagpieException ex)
        {
            ClientLog.InvalidationPublishFailed(_logger, ex.Message);
        }
    }

    /// <summary>Local levels may keep an entry for less time than remote ones (<see cref="CacheEntryOptions.LocalDuration"/>).</summary>
    private static CacheItem ForLevel(ICacheLevel level, CacheItem item, CacheEntryOptions options, DateTimeOffset now)
    {
        if (!level.IsLocal || options.LocalDuration is not { } local || now + local >= item.ExpiresAt) return item;
        return item.WithExpiry(now + local);
    }

    private CacheItem CreateItem<T>(T value, CacheEntryOptions options, IReadOnlyCollection<string>? tags)
    {
        var now = _time.UtcNow;
        byte[]? payload = _levels.Any(l => !l.IsLocal) ? _serializer.Serialize(value) : null;
        return CacheItem.ForValue(value, payload, now + options.Duration,
            options.IsFailSafeEnabled ? now + options.Duration + options.FailSafeMaxDuration : now + options.Duration,
            payload?.Length ?? options.Size, tags?.ToArray());
    }

    private void EnsureValue<T>(CacheItem item)
    {
        if (item.HasValue) return;
        item.Value = item.Payload is null ? default : _serializer.Deserialize<T>(item.Payload);
        item.HasValue = true;
    }

    private T ValueOf<T>(CacheItem item)
    {
        if (item.Value is T typed) return typed;
        // An item cached as another type (or raw bytes): go through the payload.
        if (item.Payload is not null) return _serializer.Deserialize<T>(item.Payload)!;
        return (T)item.Value!;
    }

    private void OnRemoteInvalidation(string key)
    {
        // Tracking reports every key under the prefix, tag indexes included; those are not entries.
        if (key.StartsWith(RemoteCacheLevel.TagKeyMarker, StringComparison.Ordinal)) return;
        foreach (var level in _levels)
        {
            if (level is MemoryCacheLevel memory) memory.Remove(key);
            else if (level.IsLocal) _ = level.RemoveAsync(key, CancellationToken.None).AsTask();
        }
        _metrics.Invalidation(InvalidationMode == InvalidationMode.Tracking ? "tracking" : "pubsub");
        Invalidated?.Invoke(key);
    }

    private void OnResync()
    {
        foreach (var level in _levels)
            if (level.IsLocal) level.Clear();
        Invalidated?.Invoke(null);
    }

    /// <summary>For hosts that dispose synchronously; prefer DisposeAsync.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_invalidation is not null) await _invalidation.DisposeAsync().ConfigureAwait(false);
    }
}
