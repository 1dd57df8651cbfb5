using System.Globalization;
using System.Text;
using Magpie.Server.Hosting;

namespace Magpie.Server.Info;

/// <summary>INFO's "# Persistence" section, with Redis 7.0's fields in Redis's order.</summary>
internal static class PersistenceInfo
{
    public static void Append(ServerState s, StringBuilder sb)
    {
        var p = s.Persistence;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        void Line(string name, object value) => sb.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("# Persistence\r\n");
        Line("loading", p.Loading ? 1 : 0);
        Line("async_loading", 0);
        Line("current_cow_peak", 0);
        Line("current_cow_size", 0);
        Line("current_cow_size_age", 0);
        Line("current_fork_perc", "0.00");
        Line("current_save_keys_processed", s.Keyspace.Snapshot?.KeysWritten ?? 0);
        Line("current_save_keys_total", p.BgsaveInProgress ? s.Keyspace.TotalKeys() : 0);
        Line("rdb_changes_since_last_save", p.Dirty);
        Line("rdb_bgsave_in_progress", p.BgsaveInProgress ? 1 : 0);
        Line("rdb_last_save_time", p.LastSaveUnix);
        Line("rdb_last_bgsave_status", p.LastBgsaveOk ? "ok" : "err");
        Line("rdb_last_bgsave_time_sec", p.LastBgsaveSeconds);
        Line("rdb_current_bgsave_time_sec", p.BgsaveInProgress ? now - p.BgsaveStartedUnix : -1);
        Line("rdb_saves", p.SavesCompleted);
        Line("rdb_last_cow_size", 0);
        Line("rdb_last_load_keys_expired", p.LoadedExpired);
        Line("rdb_last_load_keys_loaded", p.LoadedKeys);
        var aof = p.Aof;
        Line("aof_enabled", aof?.Enabled == true ? 1 : 0);
        Line("aof_rewrite_in_progress", aof?.RewriteInProgress == true ? 1 : 0);
        Line("aof_rewrite_scheduled", aof?.RewriteScheduled == true ? 1 : 0);
        Line("aof_last_rewrite_time_sec", aof?.LastRewriteSeconds ?? -1);
        Line("aof_current_rewrite_time_sec", aof?.CurrentRewriteSeconds ?? -1);
        Line("aof_last_bgrewrite_status", aof?.LastRewriteOk == false ? "err" : "ok");
        Line("aof_rewrites", aof?.Rewrites ?? 0);
        Line("aof_rewrites_consecutive_failures", aof?.ConsecutiveFailures ?? 0);
        Line("aof_last_write_status", aof?.LastWriteOk == false ? "err" : "ok");
        Line("aof_last_cow_size", 0);
        Line("module_fork_in_progress", 0);
        Line("module_fork_last_cow_size", 0);
        if (aof is { Enabled: true })
        {
            Line("aof_current_size", aof.CurrentSize);
            Line("aof_base_size", aof.BaseSize);
            Line("aof_pending_rewrite", aof.RewriteScheduled ? 1 : 0);
            Line("aof_buffer_length", aof.BufferLength);
            Line("aof_pending_bio_fsync", 0);
            Line("aof_delayed_fsync", 0);
        }
    }
}
