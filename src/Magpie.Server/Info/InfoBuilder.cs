using System.Diagnostics;
using System.Globalization;
using System.Text;
using Magpie.Server.Commands;
using Magpie.Server.Hosting;
using Magpie.Storage;

namespace Magpie.Server.Info;

/// <summary>Builds INFO's text with Redis's section and field names, so redis_exporter and dashboards work.</summary>
public static class InfoBuilder
{
    public static readonly string[] DefaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "cluster", "keyspace"];
    public static readonly string[] AllSections = [.. DefaultSections, "commandstats", "errorstats"];

    public static string Build(ServerState server, IReadOnlyCollection<string> requested)
    {
        var sections = Resolve(requested);
        var sb = new StringBuilder();
        foreach (var section in sections)
        {
            if (sb.Length > 0) sb.Append("\r\n");
            switch (section)
            {
                case "server": Server(server, sb); break;
                case "clients": Clients(server, sb); break;
                case "memory": Memory(server, sb); break;
                case "stats": Stats(server, sb); break;
                case "persistence": PersistenceInfo.Append(server, sb); break;
                case "replication": Replication(server, sb); break;
                case "cpu": Cpu(sb); break;
                case "cluster": sb.Append("# Cluster\r\ncluster_enabled:").Append(server.ClusterMode is null ? '0' : '1').Append("\r\n"); break;
                case "keyspace": Keyspace(server, sb); break;
                case "commandstats": CommandStats(server, sb); break;
                case "errorstats": sb.Append("# Errorstats\r\n"); break;
            }
        }
        return sb.ToString();
    }

    private static List<string> Resolve(IReadOnlyCollection<string> requested)
    {
        if (requested.Count == 0) return [.. DefaultSections];
        var result = new List<string>();
        foreach (var r in requested.Select(s => s.ToLowerInvariant()))
        {
            IEnumerable<string> add = r switch
            {
                "all" or "everything" => AllSections,
                "default" => DefaultSections,
                _ => AllSections.Contains(r) ? [r] : [],
            };
            foreach (var s in add) if (!result.Contains(s)) result.Add(s);
        }
        return result;
    }

    private static void Line(StringBuilder sb, string name, object value) =>
        sb.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");

    private static void Server(ServerState s, StringBuilder sb)
    {
        var uptime = (long)s.Uptime.Elapsed.TotalSeconds;
        sb.Append("# Server\r\n");
        Line(sb, "redis_version", ConnectionCommands.CompatibleRedisVersion);
        Line(sb, "magpie_version", typeof(InfoBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.1.0");
        Line(sb, "redis_git_sha1", "00000000");
        Line(sb, "redis_git_dirty", 0);
        Line(sb, "redis_mode", "standalone");
        Line(sb, "os", $"{Environment.OSVersion.Platform} {Environment.OSVersion.Version} {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}");
        Line(sb, "arch_bits", Environment.Is64BitProcess ? 64 : 32);
        Line(sb, "multiplexing_api", "kestrel");
        Line(sb, "runtime_version", Environment.Version.ToString());
        Line(sb, "process_id", Environment.ProcessId);
        Line(sb, "run_id", s.RunId);
        Line(sb, "tcp_port", s.BoundPort != 0 ? s.BoundPort : s.Options.Port);
        Line(sb, "server_time_usec", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000);
        Line(sb, "uptime_in_seconds", uptime);
        Line(sb, "uptime_in_days", uptime / 86400);
        Line(sb, "hz", s.Hz);
        Line(sb, "configured_hz", s.Hz);
        Line(sb, "lru_clock", AccessClock.LruNow(s.Keyspace.Now));
        Line(sb, "executable", Environment.ProcessPath ?? "");
        Line(sb, "config_file", "");
    }

    private static void Clients(ServerState s, StringBuilder sb)
    {
        sb.Append("# Clients\r\n");
        Line(sb, "connected_clients", s.Clients.Count);
        Line(sb, "cluster_connections", 0);
        Line(sb, "maxclients", s.Options.MaxClients);
        Line(sb, "client_recent_max_input_buffer", 0);
        Line(sb, "client_recent_max_output_buffer", 0);
        Line(sb, "blocked_clients", s.BlockedClients());
        Line(sb, "tracking_clients", s.TrackingClients());
        Line(sb, "clients_in_timeout_table", 0);
    }

    private static void Memory(ServerState s, StringBuilder sb)
    {
        long used = s.Keyspace.UsedMemory;
        if (used > s.PeakMemory) s.PeakMemory = used;
        long rss = Environment.WorkingSet;
        long max = s.Keyspace.MaxMemory;
        sb.Append("# Memory\r\n");
        Line(sb, "used_memory", used);
        Line(sb, "used_memory_human", Human(used));
        Line(sb, "used_memory_rss", rss);
        Line(sb, "used_memory_rss_human", Human(rss));
        Line(sb, "used_memory_peak", s.PeakMemory);
        Line(sb, "used_memory_peak_human", Human(s.PeakMemory));
        Line(sb, "used_memory_dataset", s.Keyspace.DatasetBytes);
        Line(sb, "used_memory_managed_heap", GC.GetTotalMemory(false));
        // Bytes the runtime allocated since start: divided by commands, the hot path's garbage per request.
        Line(sb, "allocated_bytes_total", GC.GetTotalAllocatedBytes(false));
        Line(sb, "gc_collections", $"gen0={GC.CollectionCount(0)},gen1={GC.CollectionCount(1)},gen2={GC.CollectionCount(2)}");
        Line(sb, "total_system_memory", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        Line(sb, "total_system_memory_human", Human(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes));
        Line(sb, "maxmemory", max);
        Line(sb, "maxmemory_human", Human(max));
        Line(sb, "maxmemory_policy", s.Keyspace.Policy.Name());
        Line(sb, "mem_fragmentation_ratio", used == 0 ? "0.00" : ((double)rss / used).ToString("F2", CultureInfo.InvariantCulture));
        Line(sb, "mem_allocator", "dotnet-gc");
    }

    private static void Stats(ServerState s, StringBuilder sb)
    {
        var st = s.Stats;
        var ks = s.Keyspace.Stats;
        var (channels, patterns) = s.PubSubCounts();
        sb.Append("# Stats\r\n");
        Line(sb, "total_connections_received", st.TotalConnectionsReceived);
        Line(sb, "total_commands_processed", st.TotalCommandsProcessed);
        Line(sb, "instantaneous_ops_per_sec", s.OpsPerSecond);
        Line(sb, "total_net_input_bytes", st.TotalNetInputBytes);
        Line(sb, "total_net_output_bytes", st.TotalNetOutputBytes);
        Line(sb, "rejected_connections", st.RejectedConnections);
        Line(sb, "expired_keys", ks.ExpiredKeys);
        Line(sb, "evicted_keys", ks.EvictedKeys);
        Line(sb, "keyspace_hits", ks.KeyspaceHits);
        Line(sb, "keyspace_misses", ks.KeyspaceMisses);
        Line(sb, "pubsub_channels", channels);
        Line(sb, "pubsub_patterns", patterns);
        Line(sb, "pubsubshard_channels", s.PubSub.ShardChannelCount);
        Line(sb, "total_error_replies", st.TotalErrorReplies);
        Line(sb, "unexpected_error_replies", st.UnexpectedErrorReplies);
        Line(sb, "total_protocol_errors", st.ProtocolErrors);
        Line(sb, "client_output_buffer_limit_disconnections", st.ClientOutputBufferLimitDisconnections);
        Magpie.Server.Replication.ReplicationInfo.AppendStats(s, sb);
    }

    private static void Replication(ServerState s, StringBuilder sb) => Magpie.Server.Replication.ReplicationInfo.Append(s, sb);

    private static void Cpu(StringBuilder sb)
    {
        var p = Process.GetCurrentProcess();
        sb.Append("# CPU\r\n");
        Line(sb, "used_cpu_sys", p.PrivilegedProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
        Line(sb, "used_cpu_user", p.UserProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
    }

    private static void Keyspace(ServerState s, StringBuilder sb)
    {
        sb.Append("# Keyspace\r\n");
        for (int i = 0; i < s.Keyspace.DatabaseCount; i++)
        {
            var db = s.Keyspace[i];
            if (db.Count == 0) continue;
            sb.Append(CultureInfo.InvariantCulture, $"db{i}:keys={db.Count},expires={db.VolatileCount},avg_ttl=0\r\n");
        }
    }

    private static void CommandStats(ServerState s, StringBuilder sb)
    {
        sb.Append("# Commandstats\r\n");
        foreach (var spec in AllSpecs(s.Commands).Where(c => c.Stats.Calls + c.Stats.RejectedCalls > 0).OrderBy(c => c.FullName, StringComparer.Ordinal))
        {
            var st = spec.Stats;
            double perCall = st.Calls == 0 ? 0 : (double)st.Microseconds / st.Calls;
            sb.Append(CultureInfo.InvariantCulture,
                $"cmdstat_{spec.FullName}:calls={st.Calls},usec={st.Microseconds},usec_per_call={perCall:F2},rejected_calls={st.RejectedCalls},failed_calls={st.FailedCalls}\r\n");
        }
    }

    internal static IEnumerable<CommandSpec> AllSpecs(CommandTable table) =>
        table.All.SelectMany(c => c.Subcommands is null ? [c] : c.Subcommands.Values.Prepend(c));

    private static string Human(long bytes)
    {
        string[] units = ["B", "K", "M", "G", "T"];
        double value = bytes;
        int u = 0;
        while (value >= 1024 && u < units.Length - 1)
        {
            value /= 1024;
            u++;
        }
        return u == 0 ? $"{bytes}B" : value.ToString("F2", CultureInfo.InvariantCulture) + units[u];
    }
}
