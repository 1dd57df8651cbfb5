namespace Magpie.Client.Caching;

/// <summary>How long an entry lives and how it behaves when its factory fails.</summary>
public sealed record CacheEntryOptions
{
    public static CacheEntryOptions Default { get; } = new();

    /// <summary>How long a value stays fresh.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Freshness in in-process levels, if shorter than <see cref="Duration"/> (bounds staleness when invalidation is lost).</summary>
    public TimeSpan? LocalDuration { get; init; }

    /// <summary>Fail-safe: when the factory throws, serve the last value (if not older than <see cref="FailSafeMaxDuration"/>).</summary>
    public bool IsFailSafeEnabled { get; init; }

    /// <summary>How long after expiry a value may still be served by fail-safe; levels keep it that long.</summary>
    public TimeSpan FailSafeMaxDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>After a fail-safe, how long the stale value is treated as fresh before the factory is tried again.</summary>
    public TimeSpan FailSafeThrottleDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Weight in a size-bounded memory level when there is no payload to measure (default 1).</summary>
    public long Size { get; init; } = 1;
}
