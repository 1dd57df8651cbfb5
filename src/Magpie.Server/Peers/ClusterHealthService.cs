using Magpie.Cluster;
using Magpie.Groups;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Peers;

/// <summary>Says where the node stands at start, then runs the peer probe loop for the node's lifetime.</summary>
public sealed partial class ClusterHealthService(StaticCluster cluster, ClusterConfig config, GroupRegistry groups, ILogger<ClusterHealthService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string groupNames = string.Join(", ", groups.Groups.Select(g => g.Name));
        if (config.IsSingleNode)
        {
            LogSingleNode(cluster.Self.Id, groupNames);
            return;
        }
        LogCluster(cluster.Self.Id, cluster.Self.Role, cluster.Nodes().Count, cluster.SlotMap.SlotCountOf(cluster.Self.Id), config.PeerTimeout.TotalMilliseconds, groupNames);
        try
        {
            await cluster.Health.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Node {NodeId}: single node, owns every slot; groups: [{Groups}]")]
    private partial void LogSingleNode(string nodeId, string groups);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Node {NodeId} ({Role}) in a static cluster of {Nodes} nodes, owning {Slots} slots; peer timeout {PeerTimeoutMs} ms; groups: [{Groups}]")]
    private partial void LogCluster(string nodeId, NodeRole role, int nodes, int slots, double peerTimeoutMs, string groups);
}
