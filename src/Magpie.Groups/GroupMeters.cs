using System.Diagnostics.Metrics;

namespace Magpie.Groups;

/// <summary>
/// Publishes every registered group's <see cref="GroupStats"/> as <c>System.Diagnostics.Metrics</c>
/// instruments on the meter <c>Magpie.Groups</c>, for the server's Prometheus exposition. The only tag
/// is the group name (never keys or node ids). Values are read when a listener collects, so the hit
/// path pays nothing for metrics.
/// </summary>
public sealed class GroupMeters : IDisposable
{
    public const string MeterName = "Magpie.Groups";

    private readonly Meter _meter;

    public GroupMeters(IMeterFactory meterFactory, GroupRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(registry);
        _meter = meterFactory.Create(MeterName);
        Counter("magpie.group.hits", "{request}", "Gets answered from the main or hot cache.", registry, s => s.Hits);
        Counter("magpie.group.misses", "{request}", "Gets that found nothing in either cache.", registry, s => s.Misses);
        Counter("magpie.group.loads", "{load}", "Loader calls on this node.", registry, s => s.Loads);
        Counter("magpie.group.load_errors", "{load}", "Loads that failed or timed out, here or on the owner.", registry, s => s.LoadErrors);
        Counter("magpie.group.peer_hits", "{request}", "Misses answered by the owner peer.", registry, s => s.PeerHits);
        Counter("magpie.group.peer_errors", "{request}", "Peer requests that failed or timed out.", registry, s => s.PeerErrors);
        Counter("magpie.group.hot_hits", "{request}", "Hits served from the hot cache.", registry, s => s.HotHits);
        Counter("magpie.group.evictions", "{entry}", "Entries dropped to stay within the byte budget.", registry, s => s.Evictions);
        Gauge("magpie.group.bytes", "By", "Bytes held by the group (main and hot cache).", registry, s => s.Bytes);
        Gauge("magpie.group.items", "{entry}", "Entries held by the group (main and hot cache).", registry, s => s.Items);
        Gauge("magpie.group.hot_bytes", "By", "Bytes held by the hot cache.", registry, s => s.HotBytes);
    }

    public void Dispose() => _meter.Dispose();

    private void Counter(string name, string unit, string description, GroupRegistry registry, Func<GroupStats, long> read) =>
        _meter.CreateObservableCounter(name, () => Measure(registry, read), unit, description);

    private void Gauge(string name, string unit, string description, GroupRegistry registry, Func<GroupStats, long> read) =>
        _meter.CreateObservableGauge(name, () => Measure(registry, read), unit, description);

    private static IEnumerable<Measurement<long>> Measure(GroupRegistry registry, Func<GroupStats, long> read) =>
        registry.Groups.Select(g => new Measurement<long>(read(g.Stats), new KeyValuePair<string, object?>("group", g.Name)));
}
