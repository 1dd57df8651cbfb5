using Magpie.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Magpie.Server.Persistence;

/// <summary>
/// Checks the save points once a second, and on a normal stop (SIGTERM, SHUTDOWN) saves a final
/// snapshot when save points are configured, as Redis does.
/// </summary>
public sealed class PersistenceService(ServerState server) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var p = server.Persistence;
        if (p.DataDir is null) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(1000, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (server.Keyspace.Sync)
            {
                p.Tick();
                p.Aof?.Tick();
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var p = server.Persistence;
        if (p.DataDir is null) return;
        // The AOF is written and fsynced before the process goes, whatever the policy.
        lock (server.Keyspace.Sync) p.Aof?.Disable();
        if (p.ShutdownHandled) return;
        p.WaitForBackgroundSave();
        if (!p.Points.Enabled) return;
        lock (server.Keyspace.Sync) p.Save();
    }
}
