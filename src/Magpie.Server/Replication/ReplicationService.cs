using Magpie.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Magpie.Server.Replication;

/// <summary>
/// Starts the link of <c>--replicaof</c> once the node is up, and runs replication's clock: WAIT
/// timeouts every 100 ms and a PING into the stream every 10 s (repl-ping-replica-period), so
/// replicas can tell a quiet primary from a dead one.
/// </summary>
public sealed class ReplicationService(ServerState server) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var repl = server.Replication;
        if (ReplicaOfOption.TryParse(server.Options.ReplicaOf, out var host, out int port))
            lock (server.Keyspace.Sync) repl.StartReplicaOf(host, port);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        int ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                lock (server.Keyspace.Sync)
                {
                    repl.Tick();
                    if (++ticks % 100 == 0) repl.PingReplicas();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        lock (server.Keyspace.Sync) repl.Link?.Stop();
    }
}

/// <summary>The <c>--replicaof</c> option: "host port" (as redis.conf) or "host:port"; empty for none.</summary>
public static class ReplicaOfOption
{
    public static bool TryParse(string value, out string host, out int port)
    {
        host = "";
        port = 0;
        var text = value.Trim();
        if (text.Length == 0) return false;
        int split = text.LastIndexOf(' ');
        if (split < 0) split = text.LastIndexOf(':');
        if (split <= 0) return false;
        host = text[..split].Trim();
        return host.Length > 0 && int.TryParse(text[(split + 1)..], out port) && port is > 0 and <= 65535;
    }
}
