using System.Collections.Concurrent;
using Magpie.Cluster;
using Magpie.Groups.Peers;

namespace Magpie.Groups.Tests;

/// <summary>
/// Stands in for the RESP transport between in-process nodes: calls go straight to the target node's
/// <see cref="GroupRegistry"/> handlers. A node can be made to refuse connections or to hang.
/// </summary>
public sealed class InMemoryPeerNetwork : IGroupPeerClient, INodeProbe
{
    public enum Fault { None, Refuse, Hang }

    private readonly ConcurrentDictionary<string, GroupRegistry> _nodes = new();
    private readonly ConcurrentDictionary<string, Fault> _faults = new();
    private readonly ConcurrentDictionary<string, int> _callsTo = new();

    internal void Attach(string nodeId, GroupRegistry registry) => _nodes[nodeId] = registry;

    public void SetFault(string nodeId, Fault fault) => _faults[nodeId] = fault;

    public int CallsTo(string nodeId) => _callsTo.GetValueOrDefault(nodeId);

    /// <summary>Invalidations are delivered only once this completes (a slow link).</summary>
    public Task InvalidationGate { get; set; } = Task.CompletedTask;

    public async ValueTask<PeerGetResult> GetAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken)
    {
        var node = await ReachAsync(peer, cancellationToken);
        try
        {
            return await node.HandlePeerGetAsync(group, key, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new PeerLoadException(peer.Id, ex.Message); // what an -ERR reply turns into
        }
    }

    public async ValueTask SetAsync(NodeInfo peer, string group, string key, byte[] value, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        var node = await ReachAsync(peer, cancellationToken);
        await node.HandlePeerSetAsync(group, key, value, timeToLive);
    }

    public async ValueTask RemoveAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken)
    {
        var node = await ReachAsync(peer, cancellationToken);
        await node.HandlePeerRemoveAsync(group, key);
    }

    public async ValueTask InvalidateAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken)
    {
        var node = await ReachAsync(peer, cancellationToken);
        await InvalidationGate.WaitAsync(cancellationToken);
        node.HandleInvalidate(group, key);
    }

    public async ValueTask<bool> ProbeAsync(NodeInfo node, CancellationToken cancellationToken)
    {
        await ReachAsync(node, cancellationToken);
        return true;
    }

    private async ValueTask<GroupRegistry> ReachAsync(NodeInfo peer, CancellationToken cancellationToken)
    {
        _callsTo.AddOrUpdate(peer.Id, 1, (_, n) => n + 1);
        await Task.Yield(); // a real network never answers inline
        switch (_faults.GetValueOrDefault(peer.Id))
        {
            case Fault.Refuse: throw new IOException($"Connection refused by {peer.Endpoint}");
            case Fault.Hang: await Task.Delay(Timeout.Infinite, cancellationToken); break;
        }
        return _nodes[peer.Id];
    }
}
