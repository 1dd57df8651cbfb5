using Microsoft.Extensions.Hosting;

namespace Magpie.Server.Hosting;

/// <summary>
/// The node's background tick (Redis's serverCron): active expiry, eviction towards maxmemory,
/// and the figures INFO samples (ops/sec, peak memory). Runs "hz" times a second.
/// </summary>
public sealed class KeyspaceMaintenance(ServerState server) : BackgroundService
{
    /// <summary>Redis's "timeout": close clients idle longer than it, except subscribers and blocked clients.</summary>
    private void CloseIdleClients()
    {
        int timeout = server.IdleTimeoutSeconds;
        if (timeout <= 0) return;
        long now = server.Keyspace.Clock();
        foreach (var client in server.Clients.All)
        {
            if (client.SubscriptionCount > 0 || client.Blocked) continue;
            if (now - client.LastCommandAtMs > timeout * 1000L) client.Kill();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long lastCommands = 0;
        long lastSampleMs = Environment.TickCount64;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(1000 / Math.Max(server.Hz, 1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await server.Scripting.Watchdog.WaitWhileBusyAsync(stoppingToken);
            lock (server.Keyspace.Sync)
            {
                server.ClientOutputBytesSample = server.Clients.OutputBufferBytes();
                server.Keyspace.ActiveExpireCycle();
                server.Keyspace.TryFreeMemory();
                long used = server.Keyspace.UsedMemory;
                if (used > server.PeakMemory) server.PeakMemory = used;
            }
            long now = Environment.TickCount64;
            if (now - lastSampleMs >= 1000)
            {
                CloseIdleClients();
                long commands = server.Stats.TotalCommandsProcessed;
                server.OpsPerSecond = (commands - lastCommands) * 1000 / (now - lastSampleMs);
                lastCommands = commands;
                lastSampleMs = now;
            }
        }
    }
}
