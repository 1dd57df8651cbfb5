using System.Globalization;
using System.Text;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;

namespace Magpie.Server.PubSub;

/// <summary>One class's limit: hard bytes, soft bytes, and how long the soft limit may be exceeded.</summary>
public readonly record struct OutputBufferLimit(long HardBytes, long SoftBytes, long SoftSeconds);

/// <summary>
/// Redis's client-output-buffer-limit. Output that other clients push into a session (pub/sub
/// messages, invalidations) is written while the session's own loop may be stuck behind a slow
/// reader; a session whose unconsumed output passes its class's hard limit, or stays over the soft
/// limit for longer than the given seconds, is disconnected, so a slow subscriber cannot grow memory
/// without bound. Checked under the keyspace lock after each push.
/// </summary>
public sealed class OutputBufferLimits(ServerState server)
{
    public OutputBufferLimit Normal { get; private set; } = new(0, 0, 0);

    public OutputBufferLimit Replica { get; private set; } = new(256L << 20, 64L << 20, 60);

    public OutputBufferLimit PubSub { get; private set; } = new(32L << 20, 8L << 20, 60);

    /// <summary>CONFIG GET form, as Redis 7 prints it (bytes, "slave" for the replica class).</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        Append(sb, "normal", Normal);
        sb.Append(' ');
        Append(sb, "slave", Replica);
        sb.Append(' ');
        Append(sb, "pubsub", PubSub);
        return sb.ToString();

        static void Append(StringBuilder sb, string name, OutputBufferLimit l) =>
            sb.Append(CultureInfo.InvariantCulture, $"{name} {l.HardBytes} {l.SoftBytes} {l.SoftSeconds}");
    }

    /// <summary>Applies "class hard soft seconds [class hard soft seconds ...]"; returns an error text or null.</summary>
    public string? TrySet(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Length % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
        var normal = Normal;
        var replica = Replica;
        var pubsub = PubSub;
        for (int i = 0; i < parts.Length; i += 4)
        {
            var cls = parts[i].ToLowerInvariant();
            if (cls is not ("normal" or "replica" or "slave" or "pubsub")) return "Invalid client class specified in buffer limit configuration.";
            if (!MemoryUnits.TryParse(parts[i + 1], out long hard) || hard < 0 ||
                !MemoryUnits.TryParse(parts[i + 2], out long soft) || soft < 0 ||
                !long.TryParse(parts[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            var limit = new OutputBufferLimit(hard, soft, seconds);
            if (cls == "normal") normal = limit;
            else if (cls == "pubsub") pubsub = limit;
            else replica = limit;
        }
        Normal = normal;
        Replica = replica;
        PubSub = pubsub;
        return null;
    }

    /// <summary>
    /// Called after output was pushed into <paramref name="session"/> by another client: disconnects it
    /// when over its limit, otherwise wakes its loop to flush. Returns false when it was disconnected.
    /// </summary>
    public bool AfterPush(ClientSession session, long nowMs, bool wake = true)
    {
        if (IsOverLimit(session, nowMs))
        {
            session.Kill();
            Interlocked.Increment(ref server.Stats.ClientOutputBufferLimitDisconnections);
            return false;
        }
        if (wake) session.WakeForOutput?.Invoke();
        return true;
    }

    public bool IsOverLimit(ClientSession session, long nowMs)
    {
        var limit = session.IsReplica ? Replica : session.SubscriptionCount > 0 ? PubSub : Normal;
        long pending = session.PendingOutputBytes;
        if (limit.HardBytes > 0 && pending >= limit.HardBytes) return true;
        if (limit.SoftBytes > 0 && pending >= limit.SoftBytes)
        {
            if (session.SoftLimitReachedAtMs == 0)
            {
                session.SoftLimitReachedAtMs = nowMs;
                return false;
            }
            return nowMs - session.SoftLimitReachedAtMs > limit.SoftSeconds * 1000;
        }
        session.SoftLimitReachedAtMs = 0;
        return false;
    }
}
