using System.Diagnostics.Metrics;
using Magpie.Client.Caching;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Magpie.Client.DependencyInjection;

public static class MagpieServiceCollectionExtensions
{
    /// <summary>
    /// Registers a shared <see cref="MagpieConnection"/> (connecting in the background), <see cref="IMagpieDatabase"/>,
    /// the tiered cache (<see cref="ITieredCache"/>), and <see cref="IDistributedCache"/> / <see cref="IBufferDistributedCache"/>.
    /// Options bind from the "Magpie" configuration section, then <paramref name="configure"/> runs; they are validated at start.
    /// </summary>
    public static IServiceCollection AddMagpie(this IServiceCollection services, Action<MagpieClientOptions>? configure = null,
        string configurationSection = MagpieClientOptions.DefaultSectionName)
    {
        var builder = services.AddOptions<MagpieClientOptions>().BindConfiguration(configurationSection).ValidateOnStart();
        if (configure is not null) builder.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MagpieClientOptions>, MagpieClientOptionsValidator>());

        services.TryAddSingleton(sp => MagpieConnection.Create(
            MagpieConnectionOptions.Parse(sp.GetRequiredService<IOptions<MagpieClientOptions>>().Value.ConnectionString),
            CreateLogger(sp)));
        services.TryAddSingleton(sp => sp.GetRequiredService<MagpieConnection>().GetDatabase());
        services.TryAddSingleton(sp => new CacheMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<ITieredCache>(sp => CreateTieredCache(sp));
        services.TryAddSingleton<MagpieDistributedCache>(sp => new MagpieDistributedCache(
            sp.GetRequiredService<MagpieConnection>().GetDatabase(), sp.GetRequiredService<IOptions<MagpieClientOptions>>().Value.DistributedCachePrefix));
        services.TryAddSingleton<IDistributedCache>(sp => sp.GetRequiredService<MagpieDistributedCache>());
        services.TryAddSingleton<IBufferDistributedCache>(sp => sp.GetRequiredService<MagpieDistributedCache>());
        return services;
    }

    private static TieredCache CreateTieredCache(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<MagpieClientOptions>>().Value;
        var connection = sp.GetRequiredService<MagpieConnection>();
        var logger = CreateLogger(sp);
        var memory = new MemoryCacheLevelOptions { MaximumCount = options.MemoryMaximumCount, MaximumBytes = options.MemoryMaximumBytes };
        var cacheOptions = new TieredCacheOptions
        {
            KeyPrefix = options.KeyPrefix,
            Invalidation = options.Invalidation,
            InvalidationChannel = options.InvalidationChannel,
            DefaultEntryOptions = new CacheEntryOptions
            {
                Duration = options.DefaultDuration,
                IsFailSafeEnabled = options.FailSafe,
                FailSafeMaxDuration = options.FailSafeMaxDuration,
            },
        };
        var cache = new TieredCache(
            [new MemoryCacheLevel(memory), new RemoteCacheLevel(connection.GetDatabase(), options.KeyPrefix)],
            cacheOptions, serializer: null, sp.GetRequiredService<CacheMetrics>(), logger);
        // A DI factory cannot await: invalidation comes up as soon as the connection does.
        _ = cache.StartInvalidationAsync(connection).ContinueWith(
            t => ClientLog.InvalidationSetupFailed(logger, options.Invalidation.ToString(), t.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return cache;
    }

    private static ILogger CreateLogger(IServiceProvider sp) =>
        sp.GetService<ILoggerFactory>()?.CreateLogger("Magpie.Client") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}
