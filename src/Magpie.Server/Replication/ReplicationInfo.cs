using System.Globalization;
using System.Text;
using Magpie.Server.Hosting;

namespace Magpie.Server.Replication;

/// <summary>INFO replication with Redis 7.0's field names and order (redis_exporter and Sentinel read them).</summary>
public static class ReplicationInfo
{
    public static void Append(ServerState server, StringBuilder sb)
    {
        var repl = server.Replication;
        var backlog = repl.Backlog;
        long now = server.Keyspace.Clock();
        sb.Append("# Replication\r\n");
        if (repl.Link is { } link)
        {
            Line(sb, "role", "slave");
            Line(sb, "master_host", link.Host);
            Line(sb, "master_port", link.Port);
            Line(sb, "master_link_status", link.Connected ? "up" : "down");
            Line(sb, "master_last_io_seconds_ago", link.Connected && link.LastIoMs > 0 ? (now - link.LastIoMs) / 1000 : -1);
            Line(sb, "master_sync_in_progress", link.SyncInProgress ? 1 : 0);
            Line(sb, "slave_read_repl_offset", backlog.Offset);
            Line(sb, "slave_repl_offset", backlog.Offset);
            if (link.SyncInProgress) Line(sb, "master_sync_read_bytes", link.SyncReadBytes);
            if (!link.Connected) Line(sb, "master_link_down_since_seconds", (now - link.LinkDownSinceMs) / 1000);
            Line(sb, "slave_priority", 100);
            Line(sb, "slave_read_only", repl.ReadOnly ? 1 : 0);
            Line(sb, "replica_announced", 1);
        }
        else Line(sb, "role", "master");
        var replicas = repl.AttachedReplicas().ToList();
        Line(sb, "connected_slaves", replicas.Count);
        if (repl.MinReplicasToWrite > 0) Line(sb, "min_slaves_good_slaves", repl.GoodReplicas());
        for (int i = 0; i < replicas.Count; i++)
        {
            var r = replicas[i];
            long lag = r.LastAckMs > 0 ? (now - r.LastAckMs) / 1000 : 0;
            sb.Append(CultureInfo.InvariantCulture, $"slave{i}:ip={r.Ip},port={r.ListeningPort},state={r.StateName},offset={r.AckOffset},lag={lag}\r\n");
        }
        Line(sb, "master_failover_state", "no-failover");
        Line(sb, "master_replid", repl.ReplId);
        Line(sb, "master_replid2", repl.ReplId2);
        Line(sb, "master_repl_offset", backlog.Offset);
        Line(sb, "second_repl_offset", repl.SecondReplOffset);
        Line(sb, "repl_backlog_active", backlog.Active ? 1 : 0);
        Line(sb, "repl_backlog_size", backlog.Size);
        Line(sb, "repl_backlog_first_byte_offset", backlog.FirstByteOffset);
        Line(sb, "repl_backlog_histlen", backlog.HistoryLength);
    }

    /// <summary>The INFO stats lines of replication: full and partial resyncs this node served.</summary>
    public static void AppendStats(ServerState server, StringBuilder sb)
    {
        var repl = server.Replication;
        Line(sb, "sync_full", repl.SyncFull);
        Line(sb, "sync_partial_ok", repl.SyncPartialOk);
        Line(sb, "sync_partial_err", repl.SyncPartialErr);
    }

    private static void Line(StringBuilder sb, string name, object value) =>
        sb.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
}
