namespace Magpie.Groups;

/// <summary>A snapshot of one group's counters since start.</summary>
/// <param name="Hits">Gets answered from this node's main or hot cache.</param>
/// <param name="Misses">Gets that found nothing in either cache.</param>
/// <param name="Loads">Loader calls on this node (one per key however many callers waited).</param>
/// <param name="LoadErrors">Loads that threw or timed out, here or on the owner.</param>
/// <param name="PeerHits">Misses answered by asking the owner peer.</param>
/// <param name="PeerErrors">Requests to peers that failed or timed out.</param>
/// <param name="HotHits">Hits served from the hot cache (copies of keys other nodes own); part of <paramref name="Hits"/>.</param>
/// <param name="Evictions">Entries dropped to stay within the byte budget (main and hot).</param>
/// <param name="Bytes">Bytes held (main and hot).</param>
/// <param name="Items">Entries held (main and hot).</param>
/// <param name="HotBytes">Bytes held by the hot cache; part of <paramref name="Bytes"/>.</param>
/// <param name="HotItems">Entries held by the hot cache; part of <paramref name="Items"/>.</param>
public sealed record GroupStats(
    long Hits,
    long Misses,
    long Loads,
    long LoadErrors,
    long PeerHits,
    long PeerErrors,
    long HotHits,
    long Evictions,
    long Bytes,
    long Items,
    long HotBytes,
    long HotItems);
