using Magpie.Server.Hosting;
using Magpie.Server.Info;

namespace Magpie.Server.Http;

/// <summary>
/// The node's INFO figures as Prometheus metrics (magpie_*), named after redis_exporter's where one
/// exists. Labels are only db indexes, command names and group names: never keys or node ids.
/// </summary>
public static class NodeMetrics
{
    /// <summary>Other subsystems (groups) add their families here.</summary>
    public static void Write(ServerState server, PrometheusText text)
    {
        var ks = server.Keyspace;
        var stats = server.Stats;
        var (channels, patterns) = server.PubSubCounts();
        long usedMemory;
        lock (ks.Sync) usedMemory = ks.UsedMemory;

        text.Gauge("magpie_uptime_in_seconds", "Seconds since the node started.", (long)server.Uptime.Elapsed.TotalSeconds);
        text.Gauge("magpie_connected_clients", "Connected RESP clients.", server.Clients.Count);
        text.Gauge("magpie_blocked_clients", "Clients blocked in BLPOP and the like.", server.BlockedClients());
        text.Gauge("magpie_memory_used_bytes", "used_memory: the node's accounted bytes, what maxmemory is enforced against.", usedMemory);
        text.Gauge("magpie_memory_max_bytes", "maxmemory; 0 means no limit.", ks.MaxMemory);
        text.Gauge("magpie_memory_rss_bytes", "Resident set size of the process.", Environment.WorkingSet);
        text.Counter("magpie_connections_received_total", "Connections accepted.", stats.TotalConnectionsReceived);
        text.Counter("magpie_rejected_connections_total", "Connections refused at maxclients.", stats.RejectedConnections);
        text.Counter("magpie_commands_processed_total", "Commands run.", stats.TotalCommandsProcessed);
        text.Counter("magpie_net_input_bytes_total", "Bytes read from clients.", stats.TotalNetInputBytes);
        text.Counter("magpie_net_output_bytes_total", "Bytes written to clients.", stats.TotalNetOutputBytes);
        text.Counter("magpie_error_replies_total", "Error replies sent.", stats.TotalErrorReplies);
        text.Counter("magpie_keyspace_hits_total", "Reads that found their key.", ks.Stats.KeyspaceHits);
        text.Counter("magpie_keyspace_misses_total", "Reads that did not find their key.", ks.Stats.KeyspaceMisses);
        text.Counter("magpie_expired_keys_total", "Keys deleted because their TTL passed.", ks.Stats.ExpiredKeys);
        text.Counter("magpie_evicted_keys_total", "Keys evicted to stay under maxmemory.", ks.Stats.EvictedKeys);
        text.Gauge("magpie_pubsub_channels", "Channels with at least one subscriber.", channels);
        text.Gauge("magpie_pubsub_patterns", "Pattern subscriptions.", patterns);

        lock (ks.Sync)
        {
            for (int i = 0; i < ks.DatabaseCount; i++)
            {
                var db = ks[i];
                if (db.Count == 0) continue;
                text.Gauge("magpie_db_keys", "Keys in a database.", db.Count, ("db", $"db{i}"));
                text.Gauge("magpie_db_keys_expiring", "Keys with a TTL in a database.", db.VolatileCount, ("db", $"db{i}"));
            }
        }
        foreach (var spec in InfoBuilder.AllSpecs(server.Commands))
        {
            if (spec.Stats.Calls == 0) continue;
            text.Counter("magpie_commands_total", "Calls per command.", spec.Stats.Calls, ("cmd", spec.FullName));
            text.Counter("magpie_commands_duration_seconds_total", "Time spent per command.", spec.Stats.Microseconds / 1e6, ("cmd", spec.FullName));
        }
        foreach (var contributor in server.MetricsContributors) contributor(text);
    }
}
