using Magpie.Groups;

namespace Magpie.Server.Http;

/// <summary>Per-group counters and gauges for /metrics, labelled only with the group name.</summary>
public static class GroupMetrics
{
    private static readonly (string Name, string Help, bool Counter, Func<GroupStats, long> Value)[] Families =
    [
        ("magpie_group_hits_total", "Gets answered from this node's main or hot cache.", true, s => s.Hits),
        ("magpie_group_misses_total", "Gets that found nothing in either cache.", true, s => s.Misses),
        ("magpie_group_loads_total", "Loader calls on this node.", true, s => s.Loads),
        ("magpie_group_load_errors_total", "Loads that failed or timed out, here or on the owner.", true, s => s.LoadErrors),
        ("magpie_group_peer_hits_total", "Misses answered by the owner peer.", true, s => s.PeerHits),
        ("magpie_group_peer_errors_total", "Peer requests that failed or timed out.", true, s => s.PeerErrors),
        ("magpie_group_hot_hits_total", "Hits served from the hot cache.", true, s => s.HotHits),
        ("magpie_group_evictions_total", "Entries dropped for the byte budget.", true, s => s.Evictions),
        ("magpie_group_bytes", "Bytes held, main and hot cache.", false, s => s.Bytes),
        ("magpie_group_items", "Entries held, main and hot cache.", false, s => s.Items),
        ("magpie_group_hot_bytes", "Bytes held by the hot cache.", false, s => s.HotBytes),
    ];

    public static void Write(GroupRegistry registry, PrometheusText text)
    {
        var stats = registry.Groups.Select(g => (g.Name, g.Stats)).ToArray();
        if (stats.Length == 0) return;
        foreach (var family in Families)
        {
            foreach (var (name, s) in stats)
            {
                if (family.Counter) text.Counter(family.Name, family.Help, family.Value(s), ("group", name));
                else text.Gauge(family.Name, family.Help, family.Value(s), ("group", name));
            }
        }
    }
}
