namespace Magpie.Groups;

/// <summary>A typed view of a byte group. Deserialises on every get (values are not shared objects).</summary>
public sealed class TypedCacheGroup<T>(ICacheGroup inner, ICacheSerializer<T> serializer) : ICacheGroup<T>
{
    public string Name => inner.Name;

    public GroupStats Stats => inner.Stats;

    public async ValueTask<T> GetAsync(string key, CancellationToken cancellationToken = default) =>
        serializer.Deserialize(await inner.GetAsync(key, cancellationToken).ConfigureAwait(false));

    public async ValueTask<(bool Found, T? Value)> TryGetAsync(string key, CancellationToken cancellationToken = default)
    {
        var bytes = await inner.TryGetAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? (false, default) : (true, serializer.Deserialize(bytes));
    }

    public async ValueTask<IReadOnlyDictionary<string, T>> GetManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        var found = await inner.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        return found.ToDictionary(kv => kv.Key, kv => serializer.Deserialize(kv.Value), StringComparer.Ordinal);
    }

    public ValueTask SetAsync(string key, T value, GroupEntryOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.SetAsync(key, serializer.Serialize(value), options, cancellationToken);

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        inner.RemoveAsync(key, cancellationToken);
}

public static class CacheGroupExtensions
{
    /// <summary>A typed view of the group using <paramref name="serializer"/> (JSON by default).</summary>
    public static ICacheGroup<T> As<T>(this ICacheGroup group, ICacheSerializer<T>? serializer = null) =>
        new TypedCacheGroup<T>(group, serializer ?? JsonCacheSerializer<T>.Default);
}
