namespace Magpie.Groups;

/// <summary>
/// A named read-through cache spread over the cluster. Each key has one owner node (by hash slot);
/// only the owner calls the loader, once per key however many callers miss together. Other nodes ask
/// the owner and keep popular answers in a small hot cache.
/// <para>Values are returned as the cached array itself: treat them as read-only.</para>
/// </summary>
public interface ICacheGroup
{
    string Name { get; }

    /// <summary>The value, loading it on a miss.</summary>
    /// <exception cref="CacheMissException">The loader says the key does not exist.</exception>
    /// <exception cref="TimeoutException">The loader did not finish within the group's loader timeout.</exception>
    ValueTask<byte[]> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The value, loading it on a miss; null when the loader says the key does not exist.</summary>
    ValueTask<byte[]?> TryGetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Several keys at once, missing ones loaded concurrently; keys that do not exist are left out.
    /// If any load fails, the call throws that error (not-found is not an error).
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, byte[]>> GetManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default);

    /// <summary>Stores a value on the key's owner and drops every node's hot copy.</summary>
    ValueTask SetAsync(string key, byte[] value, GroupEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the key on its owner and drops every node's hot copy. The next get loads again.</summary>
    ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default);

    GroupStats Stats { get; }
}

/// <summary>A group whose values are <typeparamref name="T"/>, stored as bytes through an <see cref="ICacheSerializer{T}"/>.</summary>
public interface ICacheGroup<T>
{
    string Name { get; }

    /// <exception cref="CacheMissException">The loader says the key does not exist.</exception>
    ValueTask<T> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Found and the value, or not found.</summary>
    ValueTask<(bool Found, T? Value)> TryGetAsync(string key, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyDictionary<string, T>> GetManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default);

    ValueTask SetAsync(string key, T value, GroupEntryOptions? options = null, CancellationToken cancellationToken = default);

    ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default);

    GroupStats Stats { get; }
}
