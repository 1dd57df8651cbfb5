using System.Diagnostics.Metrics;

namespace Magpie.Client.Caching;

/// <summary>
/// The cache's instruments, on the "Magpie.Client" meter. Tags are low-cardinality only (level,
/// result, mode); keys never become tags.
/// </summary>
public sealed class CacheMetrics : IDisposable
{
    public const string MeterName = "Magpie.Client";

    private static readonly KeyValuePair<string, object?> Hit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> Miss = new("result", "miss");
    private static readonly KeyValuePair<string, object?> Stale = new("result", "stale");
    private static readonly KeyValuePair<string, object?> Success = new("result", "success");
    private static readonly KeyValuePair<string, object?> Failure = new("result", "failure");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _loaderDuration;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _invalidations;

    public CacheMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("magpie.cache.requests", "{request}", "Cache lookups, by level and result (hit, miss, stale).");
        _loaderDuration = _meter.CreateHistogram<double>("magpie.cache.loader.duration", "s", "Time spent in cache factories (loaders).");
        _evictions = _meter.CreateCounter<long>("magpie.cache.evictions", "{entry}", "Entries evicted by a size bound, by level.");
        _invalidations = _meter.CreateCounter<long>("magpie.cache.invalidations", "{entry}", "Local entries dropped because another process changed them, by mechanism.");
    }

    public void Request(string level, bool hit) => _requests.Add(1, new KeyValuePair<string, object?>("level", level), hit ? Hit : Miss);

    public void StaleHit(string level) => _requests.Add(1, new KeyValuePair<string, object?>("level", level), Stale);

    public void LoaderDuration(TimeSpan elapsed, bool succeeded) => _loaderDuration.Record(elapsed.TotalSeconds, succeeded ? Success : Failure);

    public void Evictions(string level, int count) => _evictions.Add(count, new KeyValuePair<string, object?>("level", level));

    public void Invalidation(string mode) => _invalidations.Add(1, new KeyValuePair<string, object?>("mode", mode));

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
