namespace Magpie.Server.Introspection;

/// <summary>
/// The latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR): per event ("command",
/// "fast-command", ...), the last 160 samples of at least latency-monitor-threshold milliseconds,
/// one per second at most, as Redis's latency.c keeps them.
/// </summary>
public sealed class LatencyMonitor
{
    public const int HistoryLength = 160;

    private readonly SortedDictionary<string, LatencyEvent> _events = new(StringComparer.Ordinal);

    /// <summary>latency-monitor-threshold in milliseconds; 0 turns the monitor off.</summary>
    public long ThresholdMs { get; set; }

    public IEnumerable<KeyValuePair<string, LatencyEvent>> Events => _events;

    public LatencyEvent? Find(string name) => _events.GetValueOrDefault(name);

    /// <summary>latencyAddSampleIfNeeded: records when on and the latency reached the threshold.</summary>
    public void AddSampleIfNeeded(string eventName, long ms)
    {
        if (ThresholdMs > 0 && ms >= ThresholdMs) AddSample(eventName, ms);
    }

    /// <summary>latencyAddSample: one sample a second; a second sample in the same second keeps the max.</summary>
    public void AddSample(string eventName, long ms)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!_events.TryGetValue(eventName, out var e)) _events[eventName] = e = new LatencyEvent();
        if (ms > e.Max) e.Max = ms;
        int prev = (e.Index + HistoryLength - 1) % HistoryLength;
        if (e.Samples[prev].Time == now)
        {
            if (ms > e.Samples[prev].Latency) e.Samples[prev].Latency = ms;
            return;
        }
        e.Samples[e.Index] = (now, ms);
        e.Index = (e.Index + 1) % HistoryLength;
    }

    /// <summary>LATENCY RESET: all events, or the named ones; returns how many were reset.</summary>
    public int Reset(IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            int all = _events.Count;
            _events.Clear();
            return all;
        }
        int n = 0;
        foreach (var name in names) if (_events.Remove(name)) n++;
        return n;
    }
}

public sealed class LatencyEvent
{
    public (long Time, long Latency)[] Samples { get; } = new (long, long)[LatencyMonitor.HistoryLength];

    public int Index { get; set; }

    public long Max { get; set; }

    /// <summary>Samples oldest first, skipping empty slots.</summary>
    public IEnumerable<(long Time, long Latency)> History()
    {
        for (int j = 0; j < LatencyMonitor.HistoryLength; j++)
        {
            var s = Samples[(Index + j) % LatencyMonitor.HistoryLength];
            if (s.Time != 0) yield return s;
        }
    }

    public (long Time, long Latency) Latest => Samples[(Index + LatencyMonitor.HistoryLength - 1) % LatencyMonitor.HistoryLength];
}
