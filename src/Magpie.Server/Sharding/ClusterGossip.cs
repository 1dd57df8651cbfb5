using Magpie.Cluster;
using Magpie.Cluster.Sharding;
using Magpie.Protocol.Replies;
using Magpie.Server.Hosting;
using Magpie.Server.Peers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Sharding;

/// <summary>
/// Keeps a cluster-enabled node's view in step with the others: every <see cref="Interval"/> it sends its
/// state to every known node as <c>MAGPIE.CLUSTERSTATE</c> over the shared peer connections (Magpie.Client)
/// and merges the state each one answers with. A node that has not answered within cluster-node-timeout is
/// marked failed. There is no cluster bus: this is plain RESP, so redis-cli can send the same command.
/// </summary>
public sealed partial class ClusterGossip(ServerState server, PeerConnections connections, ClusterConfig config, ILogger<ClusterGossip> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (server.ClusterMode is not { } mode) return;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await ExchangeOnceAsync(mode, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task ExchangeOnceAsync(ClusterMode mode, CancellationToken cancellationToken)
    {
        ClusterNode[] targets;
        string payload;
        lock (server.Keyspace.Sync)
        {
            mode.State.CheckTimeouts(mode.NodeTimeoutMs);
            targets = mode.State.Nodes.Where(n => !n.IsMyself).ToArray();
            foreach (var node in targets) mode.State.MarkPinged(node);
            payload = mode.State.ToPayload();
            mode.MessagesSent += targets.Length;
            SaveQuietly(mode);
        }
        if (targets.Length == 0) return;
        await Task.WhenAll(targets.Select(node => ExchangeAsync(mode, node, payload, cancellationToken))).ConfigureAwait(false);
    }

    private async Task ExchangeAsync(ClusterMode mode, ClusterNode node, string payload, CancellationToken cancellationToken)
    {
        RespValue reply;
        try
        {
            var db = await connections.DatabaseAsync(new NodeInfo(node.Endpoint, node.Endpoint), cancellationToken).ConfigureAwait(false);
            reply = await db.ExecuteAsync("MAGPIE.CLUSTERSTATE", [payload]).WaitAsync(config.PeerTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogExchangeFailed(node.Endpoint, ex.Message);
            return;
        }
        if (reply.Bytes is not { } bytes || reply.IsError
            || !ClusterState.TryParsePayload(System.Text.Encoding.UTF8.GetString(bytes), out var theirs, out string error))
        {
            LogExchangeFailed(node.Endpoint, reply.IsError ? reply.ToString() : "unexpected reply");
            return;
        }
        lock (server.Keyspace.Sync)
        {
            mode.MessagesReceived++;
            // The node may have been forgotten (or reset away) while the exchange was in flight.
            if (!mode.State.Nodes.Contains(node)) return;
            mode.State.Merge(theirs, from: node);
            SaveQuietly(mode);
        }
    }

    private void SaveQuietly(ClusterMode mode)
    {
        try
        {
            mode.SaveIfChanged();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(mode.ConfigFile ?? "", ex.Message);
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "Cluster state exchange with {Endpoint} failed: {Reason}")]
    private partial void LogExchangeFailed(string endpoint, string reason);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Could not save the cluster config file {File}: {Reason}")]
    private partial void LogSaveFailed(string file, string reason);
}
