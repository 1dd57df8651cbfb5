using Magpie.Cluster;
using Magpie.Caching;
using Magpie.Groups.Caching;
using Magpie.Groups.Peers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Groups;

/// <summary>
/// A read-through group on one node. Gets look in the main cache (keys this node owns) and the hot
/// cache (copies of keys other nodes own); a miss is resolved once per key: the owner calls the
/// loader, any other node asks the owner through <see cref="IGroupPeerClient"/>. Writes go to the
/// owner, which drops every node's copy. See docs/groups.md.
/// </summary>
public sealed partial class CacheGroup : ICacheGroup
{
    private readonly GroupOptions _options;
    private readonly Func<string, LoaderContext, CancellationToken, ValueTask<LoadResult>> _loader;
    private readonly IClusterView _cluster;
    private readonly IGroupPeerClient? _peers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WTinyLfuCache<byte[]> _main;
    private readonly WTinyLfuCache<byte[]> _hot;
    private readonly SingleFlight<Fetched> _getFlight = new();  // a miss: owner load or peer fetch
    private readonly SingleFlight<Fetched> _loadFlight = new(); // a loader call on this node
    private readonly StripedCounter _hits = new();
    private readonly StripedCounter _hotHits = new();
    private readonly StripedCounter _misses = new();
    private long _loads, _loadErrors, _peerHits, _peerErrors;
    // Bumped by every write or invalidation of a key in the stripe; a load that saw its stripe change
    // while it ran does not cache its (older) result. Striped so writes to other keys rarely interfere.
    private readonly long[] _writeEpochs = new long[WriteEpochStripes];
    private const int WriteEpochStripes = 64;

    /// <param name="options">Validated on construction.</param>
    /// <param name="loader">Called on the owner for a missing key; see <see cref="LoadResult"/>.</param>
    /// <param name="cluster">Who owns what; null for a single node that owns every key.</param>
    /// <param name="peers">Transport to other nodes; required when the cluster has other nodes.</param>
    public CacheGroup(
        GroupOptions options,
        Func<string, LoaderContext, CancellationToken, ValueTask<LoadResult>> loader,
        IClusterView? cluster = null,
        IGroupPeerClient? peers = null,
        TimeProvider? timeProvider = null,
        ILogger<CacheGroup>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loader);
        options.ThrowIfInvalid();
        _options = options;
        _loader = loader;
        _cluster = cluster ?? StaticCluster.SingleNode();
        if (peers is null && _cluster.LivePeers.Count > 0)
            throw new ArgumentException("A group in a cluster of several nodes needs an IGroupPeerClient.", nameof(peers));
        _peers = peers;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<CacheGroup>.Instance;

        var clock = new CacheClock(timeProvider);
        long hotBytes = (long)(options.MaxBytes * options.HotCacheShare);
        long mainBytes = options.MaxBytes - hotBytes;
        _main = new WTinyLfuCache<byte[]>(mainBytes, ExpectedEntries(mainBytes), clock, CacheWeigher.Weigh);
        _hot = new WTinyLfuCache<byte[]>(hotBytes, ExpectedEntries(hotBytes), clock, CacheWeigher.Weigh);
    }

    public string Name => _options.Name;

    public GroupOptions Options => _options;

    public GroupStats Stats => new(
        Hits: _hits.Value,
        Misses: _misses.Value,
        Loads: Volatile.Read(ref _loads),
        LoadErrors: Volatile.Read(ref _loadErrors),
        PeerHits: Volatile.Read(ref _peerHits),
        PeerErrors: Volatile.Read(ref _peerErrors),
        HotHits: _hotHits.Value,
        Evictions: _main.Evictions + _hot.Evictions,
        Bytes: _main.Weight + _hot.Weight,
        Items: _main.Count + _hot.Count,
        HotBytes: _hot.Weight,
        HotItems: _hot.Count);

    /// <summary>The hit path: cache lookups only, completing synchronously without allocating.</summary>
    public ValueTask<byte[]?> TryGetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_main.TryGet(key, out var value))
        {
            _hits.Increment();
            return new ValueTask<byte[]?>(value);
        }
        if (_hot.TryGet(key, out value))
        {
            _hits.Increment();
            _hotHits.Increment();
            return new ValueTask<byte[]?>(value);
        }
        _misses.Increment();
        return MissAsync(key, cancellationToken);
    }

    public ValueTask<byte[]> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var pending = TryGetAsync(key, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            return pending.Result is { } value ? new ValueTask<byte[]>(value) : throw new CacheMissException(Name, key);
        }
        return AwaitFound(pending, key);
    }

    public async ValueTask<IReadOnlyDictionary<string, byte[]>> GetManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var distinct = keys.Distinct(StringComparer.Ordinal).ToArray();
        var pending = new ValueTask<byte[]?>[distinct.Length];
        for (int i = 0; i < distinct.Length; i++) pending[i] = TryGetAsync(distinct[i], cancellationToken);
        var found = new Dictionary<string, byte[]>(distinct.Length, StringComparer.Ordinal);
        for (int i = 0; i < distinct.Length; i++)
            if (await pending[i].ConfigureAwait(false) is { } value) found[distinct[i]] = value;
        return found;
    }

    private async ValueTask<byte[]> AwaitFound(ValueTask<byte[]?> pending, string key) =>
        await pending.ConfigureAwait(false) ?? throw new CacheMissException(Name, key);

    private bool IsSelf(NodeInfo node) => node.Id == _cluster.Self.Id;

    private ref long WriteEpochOf(string key) => ref _writeEpochs[key.GetHashCode() & (WriteEpochStripes - 1)];

    private long ReadWriteEpoch(string key) => Volatile.Read(ref WriteEpochOf(key));

    private void BumpWriteEpoch(string key) => Interlocked.Increment(ref WriteEpochOf(key));

    // Sketch sizing only: the sketch grows if entries turn out smaller.
    private static int ExpectedEntries(long bytes) => (int)Math.Clamp(bytes / 1024, 64, 1 << 22);

    /// <summary>Result of a miss: the value (null when not found) and how long it may be kept.</summary>
    private readonly record struct Fetched(byte[]? Value, TimeSpan? TimeToLive)
    {
        public static Fetched NotFound => default;
    }
}
