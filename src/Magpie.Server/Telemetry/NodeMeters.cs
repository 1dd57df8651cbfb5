using System.Diagnostics.Metrics;
using Magpie.Server.Hosting;
using Magpie.Server.Info;

namespace Magpie.Server.Telemetry;

/// <summary>
/// The node's INFO figures as <c>System.Diagnostics.Metrics</c> instruments on the meter
/// <c>Magpie.Server</c>, served on /metrics by OpenTelemetry's Prometheus exporter and sent by OTLP.
/// Instrument names are the Prometheus names (the exporter adds <c>_total</c> to counters), named
/// after redis_exporter's where one exists. Tags are only db indexes and command names: never keys
/// or node ids. Every value is read when a reader collects, so commands pay nothing for metrics.
/// </summary>
public sealed class NodeMeters : IDisposable
{
    public const string MeterName = "Magpie.Server";

    private readonly Meter _meter;

    public NodeMeters(IMeterFactory meterFactory, ServerState server)
    {
        _meter = meterFactory.Create(MeterName);
        var ks = server.Keyspace;
        var stats = server.Stats;

        Gauge("magpie_uptime_in_seconds", "Seconds since the node started.", () => (long)server.Uptime.Elapsed.TotalSeconds);
        Gauge("magpie_connected_clients", "Connected RESP clients.", () => server.Clients.Count);
        Gauge("magpie_blocked_clients", "Clients blocked in BLPOP and the like.", () => server.BlockedClients());
        Gauge("magpie_memory_used_bytes", "used_memory: the node's accounted bytes, what maxmemory is enforced against.", () =>
        {
            lock (ks.Sync) return ks.UsedMemory;
        });
        Gauge("magpie_memory_max_bytes", "maxmemory; 0 means no limit.", () => ks.MaxMemory);
        Gauge("magpie_memory_rss_bytes", "Resident set size of the process.", () => Environment.WorkingSet);
        Counter("magpie_connections_received", "Connections accepted.", () => stats.TotalConnectionsReceived);
        Counter("magpie_rejected_connections", "Connections refused at maxclients.", () => stats.RejectedConnections);
        Counter("magpie_commands_processed", "Commands run.", () => stats.TotalCommandsProcessed);
        Counter("magpie_net_input_bytes", "Bytes read from clients.", () => stats.TotalNetInputBytes);
        Counter("magpie_net_output_bytes", "Bytes written to clients.", () => stats.TotalNetOutputBytes);
        Counter("magpie_error_replies", "Error replies sent.", () => stats.TotalErrorReplies);
        Counter("magpie_keyspace_hits", "Reads that found their key.", () => ks.Stats.KeyspaceHits);
        Counter("magpie_keyspace_misses", "Reads that did not find their key.", () => ks.Stats.KeyspaceMisses);
        Counter("magpie_expired_keys", "Keys deleted because their TTL passed.", () => ks.Stats.ExpiredKeys);
        Counter("magpie_evicted_keys", "Keys evicted to stay under maxmemory.", () => ks.Stats.EvictedKeys);
        Gauge("magpie_pubsub_channels", "Channels with at least one subscriber.", () => server.PubSubCounts().Channels);
        Gauge("magpie_pubsub_patterns", "Pattern subscriptions.", () => server.PubSubCounts().Patterns);

        _meter.CreateObservableGauge("magpie_db_keys", () => PerDatabase(server, expiring: false), description: "Keys in a database.");
        _meter.CreateObservableGauge("magpie_db_keys_expiring", () => PerDatabase(server, expiring: true), description: "Keys with a TTL in a database.");
        _meter.CreateObservableCounter("magpie_commands", () => PerCommand(server), description: "Calls per command.");
        _meter.CreateObservableCounter("magpie_commands_duration_seconds", () => PerCommandSeconds(server), description: "Time spent per command.");
    }

    public void Dispose() => _meter.Dispose();

    private void Gauge(string name, string description, Func<long> read) =>
        _meter.CreateObservableGauge(name, read, description: description);

    private void Counter(string name, string description, Func<long> read) =>
        _meter.CreateObservableCounter(name, read, description: description);

    private static List<Measurement<long>> PerDatabase(ServerState server, bool expiring)
    {
        var ks = server.Keyspace;
        var measurements = new List<Measurement<long>>();
        lock (ks.Sync)
        {
            for (int i = 0; i < ks.DatabaseCount; i++)
            {
                var db = ks[i];
                if (db.Count == 0) continue;
                measurements.Add(new(expiring ? db.VolatileCount : db.Count, new KeyValuePair<string, object?>("db", $"db{i}")));
            }
        }
        return measurements;
    }

    private static List<Measurement<long>> PerCommand(ServerState server)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var spec in InfoBuilder.AllSpecs(server.Commands))
            if (spec.Stats.Calls > 0) measurements.Add(new(spec.Stats.Calls, new KeyValuePair<string, object?>("cmd", spec.FullName)));
        return measurements;
    }

    private static List<Measurement<double>> PerCommandSeconds(ServerState server)
    {
        var measurements = new List<Measurement<double>>();
        foreach (var spec in InfoBuilder.AllSpecs(server.Commands))
            if (spec.Stats.Calls > 0) measurements.Add(new(spec.Stats.Microseconds / 1e6, new KeyValuePair<string, object?>("cmd", spec.FullName)));
        return measurements;
    }
}
