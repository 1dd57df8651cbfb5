using Magpie.Client.Caching;

namespace Magpie.Client.DependencyInjection;

/// <summary>
/// Everything <c>services.AddMagpie()</c> sets up, bindable from configuration (section "Magpie" by default):
/// <code>"Magpie": { "ConnectionString": "localhost:6379,syncTimeout=2000", "KeyPrefix": "app:", "MemoryMaximumCount": 50000 }</code>
/// </summary>
public sealed class MagpieClientOptions
{
    public const string DefaultSectionName = "Magpie";

    /// <summary>"host:port,password=...,ssl=false,connectTimeout=...,syncTimeout=..." (see <see cref="MagpieConnectionOptions.Parse"/>).</summary>
    public string ConnectionString { get; set; } = "localhost:6379";

    /// <summary>Prefix for keys written by the tiered cache.</summary>
    public string KeyPrefix { get; set; } = "cache:";

    /// <summary>Prefix for keys written through <c>IDistributedCache</c> (like RedisCacheOptions.InstanceName).</summary>
    public string DistributedCachePrefix { get; set; } = "dc:";

    public InvalidationMode Invalidation { get; set; } = InvalidationMode.Auto;

    public string InvalidationChannel { get; set; } = "__magpie:invalidate";

    /// <summary>Bound of the in-process level by entries (used unless <see cref="MemoryMaximumBytes"/> is set).</summary>
    public long MemoryMaximumCount { get; set; } = 10_000;

    /// <summary>Bound of the in-process level by payload bytes.</summary>
    public long? MemoryMaximumBytes { get; set; }

    /// <summary>Default freshness of tiered-cache entries.</summary>
    public TimeSpan DefaultDuration { get; set; } = TimeSpan.FromMinutes(5);

    public bool FailSafe { get; set; }

    public TimeSpan FailSafeMaxDuration { get; set; } = TimeSpan.FromHours(1);
}
