using System.Text;

namespace Magpie.Server.Introspection;

/// <summary>The text of LATENCY DOCTOR and LATENCY GRAPH, after Redis's latency.c.</summary>
public static class LatencyReport
{
    public static string Doctor(LatencyMonitor monitor)
    {
        if (monitor.ThresholdMs == 0 && !monitor.Events.Any())
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
        if (!monitor.Events.Any())
            return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n";
        var sb = new StringBuilder("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        int n = 1;
        foreach (var (name, e) in monitor.Events)
        {
            var samples = e.History().ToList();
            double avg = samples.Average(s => (double)s.Latency);
            double mad = samples.Average(s => Math.Abs(s.Latency - avg));
            long period = samples.Count > 1 ? (samples[^1].Time - samples[0].Time) / (samples.Count - 1) : 0;
            sb.Append($"{n++}. {name}: {samples.Count} latency spikes (average {(long)avg}ms, mean deviation {(long)mad}ms, period {period} sec). Worst all time event {e.Max}ms.\n");
        }
        sb.Append("\nI have a few advices for you:\n\n");
        sb.Append("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
        sb.Append("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
        return sb.ToString();
    }

    /// <summary>A column per sample, scaled between the lowest and highest, with Redis's header.</summary>
    public static string Graph(string name, LatencyEvent e)
    {
        var samples = e.History().ToList();
        long max = samples.Max(s => s.Latency), min = samples.Min(s => s.Latency);
        var sb = new StringBuilder();
        sb.Append($"{name} - high {max} ms, low {min} ms (all time high {e.Max} ms)\n");
        sb.Append(new string('-', 80)).Append('\n');
        const int rows = 4;
        for (int row = rows; row >= 1; row--)
        {
            foreach (var s in samples)
            {
                double level = max == min ? rows : 1 + (double)(s.Latency - min) * (rows - 1) / (max - min);
                sb.Append(level >= row ? (level - row >= 0.5 || row == 1 ? '#' : '_') : ' ');
            }
            sb.Append('\n');
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var ages = samples.Select(s => Age(now - s.Time)).ToList();
        int height = ages.Max(a => a.Length);
        for (int line = 0; line < height; line++)
        {
            foreach (var a in ages) sb.Append(line < a.Length ? a[line] : ' ');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Age(long seconds) =>
        seconds < 60 ? seconds + "s" : seconds < 3600 ? seconds / 60 + "m" : seconds / 3600 + "h";
}
