using Magpie.Cluster;
using Magpie.Groups;
using Magpie.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Peers;

/// <summary>Registers the node's cluster view, peer transport, health loop and group registry.</summary>
public static class ClusterServices
{
    public static IServiceCollection AddMagpieCluster(this IServiceCollection services, MagpieOptions options)
    {
        var config = options.Cluster ?? ClusterConfig.Resolve(options, []);
        services.AddSingleton(config);
        services.AddSingleton(sp => new PeerConnections(config.PeerTimeout, sp.GetRequiredService<ILoggerFactory>(),
            options.PeerUser, options.PeerPassword.Length > 0 ? options.PeerPassword : options.RequirePass,
            sp.GetService<Security.TlsSettings>()));
        services.AddSingleton(sp => StaticCluster.Create(
            config.Self,
            config.Nodes,
            new RespPingProbe(sp.GetRequiredService<PeerConnections>()),
            config.Health,
            loggerFactory: sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new Sharding.ShardedClusterView(sp.GetRequiredService<StaticCluster>()));
        services.AddSingleton(sp =>
        {
            // Cluster mode: group keys follow the node's (reshardable) slot map, as RESP keys do.
            IClusterView cluster = options.ClusterEnabled ? sp.GetRequiredService<Sharding.ShardedClusterView>() : sp.GetRequiredService<StaticCluster>();
            var registry = new GroupRegistry(
                cluster,
                new RespGroupPeerClient(sp.GetRequiredService<PeerConnections>()),
                loggerFactory: sp.GetRequiredService<ILoggerFactory>());
            var origin = sp.GetRequiredService<IHttpClientFactory>().CreateClient("magpie-origin");
            foreach (var group in options.Groups) registry.AddWithHttpOrigin(group, origin);
            return registry;
        });
        services.AddHttpClient("magpie-origin");
        services.AddHostedService<ClusterHealthService>();
        return services;
    }

    /// <summary>
    /// Embedded mode: adds a group with a C# loader to a built node, applying the node's
    /// <c>--peer-timeout</c> (a longer <see cref="GroupOptions.LoaderTimeout"/> is shortened below it).
    /// </summary>
    public static CacheGroup AddGroup(this IServiceProvider services, GroupOptions options, Func<string, LoaderContext, CancellationToken, ValueTask<LoadResult>> loader)
    {
        var config = services.GetRequiredService<ClusterConfig>();
        options.PeerTimeout = config.PeerTimeout;
        if (options.LoaderTimeout >= options.PeerTimeout) options.LoaderTimeout = options.PeerTimeout * 0.8;
        return services.GetRequiredService<GroupRegistry>().Add(options, loader);
    }
}
