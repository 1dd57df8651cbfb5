namespace Magpie.Client.Caching;

/// <summary>The outcome of a cache lookup: a value, or none.</summary>
public readonly record struct CacheResult<T>(bool HasValue, T? Value)
{
    public static CacheResult<T> None => default;

    public T? GetValueOrDefault(T? fallback = default) => HasValue ? Value : fallback;
}
