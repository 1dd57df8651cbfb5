using System.Numerics;
using Magpie.Server.Commands;
using Magpie.Server.Hosting;

namespace Magpie.Server.Introspection;

/// <summary>SLOWLOG, the latency monitor, per-command latency histograms and MONITOR, fed by the dispatcher.</summary>
public sealed class IntrospectionState
{
    public IntrospectionState(ServerState server)
    {
        Monitors = new MonitorFeed(server);
        Pause = new ClientPause(server);
        server.ClientDisconnected += Monitors.Remove;
        server.ClientReset += Monitors.Remove;
    }

    public SlowLog SlowLog { get; } = new();

    public LatencyMonitor Latency { get; } = new();

    public MonitorFeed Monitors { get; }

    public ClientPause Pause { get; }

    /// <summary>latency-tracking: per-command histograms for LATENCY HISTOGRAM and INFO latencystats.</summary>
    public bool LatencyTracking { get; set; } = true;

    /// <summary>Called by the dispatcher after every command it ran (cheap: a few compares unless something is logged).</summary>
    public void AfterCommand(CommandContext ctx, CommandSpec spec, long micros)
    {
        if (LatencyTracking) LatencyHistogram.Record(spec.Stats, micros);
        if (spec.HasFlag(CommandFlags.SkipSlowlog)) return;
        var latency = Latency;
        if (latency.ThresholdMs > 0 && micros / 1000 >= latency.ThresholdMs)
            latency.AddSample(spec.HasFlag(CommandFlags.Fast) ? "fast-command" : "command", micros / 1000);
        var slow = SlowLog;
        if (slow.LogSlowerThan >= 0 && micros >= slow.LogSlowerThan) slow.Record(ctx, micros);
    }
}

/// <summary>
/// Per-command latency histograms as Redis reports them: the buckets of an HDR histogram in
/// nanoseconds (2 significant figures) iterated logarithmically from 1024 ns by powers of two.
/// </summary>
public static class LatencyHistogram
{
    public const int Buckets = 21; // 1024 ns << 20 ≈ 1 s, Redis's LATENCY_HISTOGRAM_MAX_VALUE

    /// <summary>The highest value (ns) that still counts into bucket i: 1024·2^i plus one HDR unit, less one.</summary>
    private static long Ceiling(int i) => (1024L << i) + ((1024L << i) >> 7) - 1;

    public static void Record(CommandStats stats, long micros)
    {
        var h = stats.LatencyBuckets ??= new long[Buckets];
        long ns = Math.Max(micros, 1) * 1000;
        int i = ns <= 1024 ? 0 : Math.Min(Buckets - 1, 64 - BitOperations.LeadingZeroCount((ulong)(ns - 1) >> 10));
        if (i > 0 && ns <= Ceiling(i - 1)) i--;
        h[i]++;
    }

    /// <summary>Writes {"calls": n, "histogram_usec": {bucket_us: cumulative, ...}} for one command.</summary>
    public static void Write(Magpie.Protocol.RespWriter w, long[] h)
    {
        long total = 0;
        int samples = 0;
        foreach (var c in h) { total += c; if (c > 0) samples++; }
        w.WriteMapHeader(2);
        w.WriteBulk("calls"u8);
        w.WriteInteger(total);
        w.WriteBulk("histogram_usec"u8);
        w.WriteMapHeader(samples);
        long cumulative = 0;
        for (int i = 0; i < h.Length; i++)
        {
            if (h[i] == 0) continue;
            cumulative += h[i];
            w.WriteInteger(Ceiling(i) / 1000);
            w.WriteInteger(cumulative);
        }
    }
}
