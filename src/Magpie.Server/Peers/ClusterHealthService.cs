using Magpie.Cluster;
using Microsoft.Extensions.Hosting;

namespace Magpie.Server.Peers;

/// <summary>Runs the peer probe loop for the node's lifetime (nothing to do for a single node).</summary>
public sealed class ClusterHealthService(StaticCluster cluster) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await cluster.Health.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
