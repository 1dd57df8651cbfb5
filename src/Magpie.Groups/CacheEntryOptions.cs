namespace Magpie.Groups;

/// <summary>Per-write options.</summary>
/// <param name="TimeToLive">How long the value lives; null uses the group's <see cref="GroupOptions.DefaultTtl"/>.</param>
public sealed record CacheEntryOptions(TimeSpan? TimeToLive = null)
{
    public static CacheEntryOptions Default { get; } = new();
}
