namespace Magpie.Client.Caching;

/// <summary>
/// One level of a tiered cache (L1 in-process, L2 remote, …). Levels store items and drop them when
/// told; freshness, backfill, singleflight and invalidation are the tiered cache's job.
/// </summary>
public interface ICacheLevel
{
    /// <summary>Short name for metrics and logs ("memory", "remote").</summary>
    string Name { get; }

    /// <summary>True for levels inside this process, whose copies other processes must be able to drop.</summary>
    bool IsLocal { get; }

    /// <summary>The item if present and not past <see cref="CacheItem.StaleUntil"/>; may be stale.</summary>
    ValueTask<CacheItem?> GetAsync(string key, CancellationToken cancellationToken);

    ValueTask SetAsync(string key, CacheItem item, CancellationToken cancellationToken);

    ValueTask RemoveAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes every item carrying <paramref name="tag"/>; returns their keys.</summary>
    ValueTask<IReadOnlyCollection<string>> RemoveByTagAsync(string tag, CancellationToken cancellationToken);

    /// <summary>Drops everything held by this level (used after missed invalidations; remote levels ignore it).</summary>
    void Clear();
}
