using System.Collections.Concurrent;
using Magpie.Cluster;
using Magpie.Groups.Origin;
using Magpie.Groups.Peers;
using Microsoft.Extensions.Logging;

namespace Magpie.Groups;

/// <summary>
/// The node's groups by name, and the entry point of the server's handlers: RESP commands from peers
/// (<c>MAGPIE.GROUPGET</c> and friends) call the <c>HandlePeer*</c> methods, the HTTP API calls
/// <see cref="Get"/> and then the group's own methods.
/// </summary>
public sealed class GroupRegistry
{
    private readonly ConcurrentDictionary<string, CacheGroup> _groups = new(StringComparer.Ordinal);
    private readonly IClusterView _cluster;
    private readonly IGroupPeerClient? _peers;
    private readonly TimeProvider? _time;
    private readonly ILoggerFactory? _loggerFactory;

    /// <param name="cluster">Placement and peer health shared by every group of the node.</param>
    /// <param name="peers">Transport to other nodes; null only for a single node.</param>
    public GroupRegistry(IClusterView cluster, IGroupPeerClient? peers = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        _cluster = cluster;
        _peers = peers;
        _time = timeProvider;
        _loggerFactory = loggerFactory;
    }

    public IClusterView Cluster => _cluster;

    /// <summary>Every group, in name order.</summary>
    public IReadOnlyList<CacheGroup> Groups => _groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Creates and registers a group.</summary>
    /// <exception cref="ArgumentException">Invalid options, or the name is taken.</exception>
    public CacheGroup Add(GroupOptions options, Func<string, LoaderContext, CancellationToken, ValueTask<LoadResult>> loader)
    {
        var group = new CacheGroup(options, loader, _cluster, _peers, _time, _loggerFactory?.CreateLogger<CacheGroup>());
        if (!_groups.TryAdd(group.Name, group)) throw new ArgumentException($"A group named '{group.Name}' already exists.", nameof(options));
        return group;
    }

    /// <summary>Creates a group whose loader is its <see cref="GroupOptions.Origin"/> HTTP template (server mode).</summary>
    public CacheGroup AddWithHttpOrigin(GroupOptions options, HttpClient http)
    {
        if (options.Origin is null) throw new ArgumentException($"Group '{options.Name}' has no Origin.", nameof(options));
        var origin = new HttpOriginLoader(http, options.Origin);
        return Add(options, origin.LoadAsync);
    }

    public bool TryGet(string name, out CacheGroup group) => _groups.TryGetValue(name, out group!);

    /// <exception cref="GroupNotFoundException">No such group.</exception>
    public CacheGroup Get(string name) => _groups.TryGetValue(name, out var group) ? group : throw new GroupNotFoundException(name);

    /// <summary><c>MAGPIE.GROUPGET group key</c>: this node answers as the owner (cache, else one load).</summary>
    /// <exception cref="GroupNotFoundException">No such group.</exception>
    public ValueTask<PeerGetResult> HandlePeerGetAsync(string group, string key, CancellationToken cancellationToken = default) =>
        Get(group).HandlePeerGetAsync(key, cancellationToken);

    /// <summary><c>MAGPIE.GROUPSET group key value [PX ms]</c>: store as the owner and invalidate peers' copies.</summary>
    public Task HandlePeerSetAsync(string group, string key, byte[] value, TimeSpan? timeToLive) =>
        Get(group).HandlePeerSetAsync(key, value, timeToLive);

    /// <summary><c>MAGPIE.GROUPDEL group key</c>: remove as the owner and invalidate peers' copies.</summary>
    public Task HandlePeerRemoveAsync(string group, string key) => Get(group).HandlePeerRemoveAsync(key);

    /// <summary><c>MAGPIE.GROUPINVALIDATE group key</c>: drop this node's copy. Unknown groups are ignored.</summary>
    public void HandleInvalidate(string group, string key)
    {
        if (_groups.TryGetValue(group, out var g)) g.HandleInvalidate(key);
    }
}
