namespace Magpie.Groups;

/// <summary>Per-write options of a cache group (Magpie.Client's tiered cache has its own <c>CacheEntryOptions</c>).</summary>
/// <param name="TimeToLive">How long the value lives; null uses the group's <see cref="GroupOptions.DefaultTtl"/>.</param>
public sealed record GroupEntryOptions(TimeSpan? TimeToLive = null)
{
    public static GroupEntryOptions Default { get; } = new();
}
