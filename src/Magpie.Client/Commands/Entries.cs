namespace Magpie.Client;

/// <summary>One field of a hash.</summary>
public readonly record struct HashEntry(MagpieValue Name, MagpieValue Value);

/// <summary>One member of a sorted set with its score.</summary>
public readonly record struct SortedSetEntry(MagpieValue Element, double Score);

/// <summary>Options for <c>StringSetAsync</c>, so new SET flags don't multiply overloads.</summary>
public readonly record struct StringSetOptions
{
    /// <summary>Time to live; null means none (or keep it, with <see cref="KeepTtl"/>).</summary>
    public TimeSpan? Expiry { get; init; }

    public When When { get; init; }

    /// <summary>SET ... KEEPTTL: keep the key's current time to live.</summary>
    public bool KeepTtl { get; init; }
}
