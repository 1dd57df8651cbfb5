namespace Magpie.Client.Caching;

public sealed class TieredCacheOptions
{
    /// <summary>Prefix of every key the cache writes to the server (and of the tracked key space).</summary>
    public string KeyPrefix { get; set; } = "cache:";

    public InvalidationMode Invalidation { get; set; } = InvalidationMode.Auto;

    /// <summary>The pub/sub channel used when invalidation runs over pub/sub.</summary>
    public string InvalidationChannel { get; set; } = "__magpie:invalidate";

    /// <summary>Used when a call passes no options.</summary>
    public CacheEntryOptions DefaultEntryOptions { get; set; } = CacheEntryOptions.Default;
}
