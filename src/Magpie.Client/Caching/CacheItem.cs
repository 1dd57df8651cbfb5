namespace Magpie.Client.Caching;

/// <summary>
/// What a cache level stores for one key. <see cref="Value"/> is the live object (in-process levels);
/// <see cref="Payload"/> its serialized bytes (remote levels). An item is fresh until
/// <see cref="ExpiresAt"/>; after that it may still be served as stale (fail-safe) until <see cref="StaleUntil"/>,
/// when levels drop it.
/// </summary>
public sealed class CacheItem
{
    public CacheItem(object? value, byte[]? payload, DateTimeOffset expiresAt, DateTimeOffset staleUntil, long size, string[]? tags = null)
    {
        Value = value;
        Payload = payload;
        ExpiresAt = expiresAt;
        StaleUntil = staleUntil < expiresAt ? expiresAt : staleUntil;
        Size = size;
        Tags = tags;
    }

    /// <summary>The deserialized value, or null when only <see cref="Payload"/> is known yet.</summary>
    public object? Value { get; internal set; }

    /// <summary>True once <see cref="Value"/> holds the object (which may itself be null).</summary>
    public bool HasValue { get; internal set; }

    public byte[]? Payload { get; internal set; }

    public DateTimeOffset ExpiresAt { get; }

    public DateTimeOffset StaleUntil { get; }

    /// <summary>Weight for size-bounded levels: payload bytes if known, else what the caller said.</summary>
    public long Size { get; }

    public string[]? Tags { get; }

    public bool IsFresh(DateTimeOffset now) => now < ExpiresAt;

    public bool IsUsable(DateTimeOffset now) => now < StaleUntil;

    internal static CacheItem ForValue(object? value, byte[]? payload, DateTimeOffset expiresAt, DateTimeOffset staleUntil, long size, string[]? tags) =>
        new(value, payload, expiresAt, staleUntil, size, tags) { HasValue = true };

    /// <summary>A copy with a later fresh-until, used when fail-safe serves a stale value for a while.</summary>
    internal CacheItem WithExpiry(DateTimeOffset expiresAt) =>
        new(Value, Payload, expiresAt, StaleUntil < expiresAt ? expiresAt : StaleUntil, Size, Tags) { HasValue = HasValue };
}
