namespace Magpie.Groups;

/// <summary>What a loader found: a value (with an optional time-to-live) or nothing.</summary>
public readonly struct LoadResult
{
    private LoadResult(byte[]? value, TimeSpan? timeToLive)
    {
        Value = value;
        TimeToLive = timeToLive;
    }

    /// <summary>The origin has no such key. Not cached: the next get asks the loader again.</summary>
    public static LoadResult NotFound => default;

    /// <summary>
    /// The value, cached for <paramref name="timeToLive"/> or, when null, the group's default TTL.
    /// <see cref="Timeout.InfiniteTimeSpan"/> keeps it until evicted; zero or less returns it to the
    /// callers without caching it.
    /// </summary>
    public static LoadResult Found(byte[] value, TimeSpan? timeToLive = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new LoadResult(value, timeToLive);
    }

    public bool IsFound => Value is not null;

    public byte[]? Value { get; }

    public TimeSpan? TimeToLive { get; }
}

/// <summary>What a loader is told besides the key.</summary>
/// <param name="GroupName">The group loading.</param>
/// <param name="Slot">The key's hash slot.</param>
/// <param name="NodeId">The node running the loader.</param>
public readonly record struct LoaderContext(string GroupName, int Slot, string NodeId);
