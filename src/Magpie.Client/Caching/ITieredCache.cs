namespace Magpie.Client.Caching;

/// <summary>
/// A multi-level cache: reads go down the levels and backfill the ones above on a hit; writes and
/// deletes go to every level and drop other processes' in-process copies.
/// </summary>
public interface ITieredCache
{
    /// <summary>
    /// The cached value, or the factory's result, cached. However many callers ask for one key at once,
    /// the factory runs once in this process; the others wait for it (each may stop waiting via its token).
    /// </summary>
    ValueTask<T> GetOrSetAsync<T>(string key, Func<CancellationToken, Task<T>> factory, CacheEntryOptions? options = null,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default);

    ValueTask<CacheResult<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default);

    ValueTask SetAsync<T>(string key, T value, CacheEntryOptions? options = null, IReadOnlyCollection<string>? tags = null,
        CancellationToken cancellationToken = default);

    ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes every entry that was stored with <paramref name="tag"/>.</summary>
    ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default);
}
