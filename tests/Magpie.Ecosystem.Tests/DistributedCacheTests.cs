using Magpie.Client.DependencyInjection;
using Magpie.Ecosystem.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;

namespace Magpie.Ecosystem.Tests;

/// <summary>
/// The caches .NET services put in front of Redis, pointed at a Magpie node: RedisCache
/// (Microsoft.Extensions.Caching.StackExchangeRedis), HybridCache over Magpie.Client's
/// IDistributedCache and over RedisCache, and FusionCache with Magpie as L2 and its
/// StackExchange.Redis backplane.
/// </summary>
public sealed class DistributedCacheTests(ServersFixture servers) : IClassFixture<ServersFixture>
{
    private int Port => servers.Magpie.Port;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private RedisCache NewRedisCache(string instance) => new(new RedisCacheOptions
    {
        ConfigurationOptions = Connections.Options(Port),
        InstanceName = instance,
    });

    [Fact]
    public async Task RedisCache_sets_gets_refreshes_and_removes()
    {
        using var cache = NewRedisCache("rc:");
        await cache.SetStringAsync("a", "hello", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) }).WaitAsync(Timeout);
        await cache.SetAsync("bytes", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });

        Assert.Equal("hello", await cache.GetStringAsync("a"));
        Assert.Equal([1, 2, 3], await cache.GetAsync("bytes"));
        Assert.Null(await cache.GetAsync("missing"));
        await cache.RefreshAsync("a");

        // What RedisCache wrote is a hash with its expiry fields and a TTL, as on redis-server.
        await using var mux = await Connections.ConnectAsync(Port);
        var db = mux.GetDatabase();
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync("rc:a"));
        Assert.True(await db.HashExistsAsync("rc:a", "data"));
        var ttl = await db.KeyTimeToLiveAsync("rc:a");
        Assert.True(ttl > TimeSpan.FromMinutes(4) && ttl <= TimeSpan.FromMinutes(5), $"ttl {ttl}");

        await cache.RemoveAsync("a");
        Assert.Null(await cache.GetStringAsync("a"));
        Assert.False(await db.KeyExistsAsync("rc:a"));
    }

    [Fact]
    public async Task RedisCache_entry_expires()
    {
        using var cache = NewRedisCache("rcx:");
        await cache.SetStringAsync("short", "v", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(3) }).WaitAsync(Timeout);
        // RedisCache sends EXPIRE in whole seconds (under a second becomes 0: gone at once, on redis-server too).
        Assert.Equal("v", await cache.GetStringAsync("short"));
        await Task.Delay(3600);
        Assert.Null(await cache.GetStringAsync("short"));
    }

    [Fact]
    public async Task HybridCache_over_magpie_client_IDistributedCache_loads_once_and_shares_L2()
    {
        await using var first = HybridOver(s => s.AddMagpie(o => o.ConnectionString = $"127.0.0.1:{Port}"));
        await using var second = HybridOver(s => s.AddMagpie(o => o.ConnectionString = $"127.0.0.1:{Port}"));
        await AssertHybridSharesL2(first.GetRequiredService<HybridCache>(), second.GetRequiredService<HybridCache>(), "hm", "dc:hm:item");
        // The entry reached Magpie through Magpie.Client's IDistributedCache (prefix "dc:").
        await using var mux = await Connections.ConnectAsync(Port);
        Assert.True(await mux.GetDatabase().KeyExistsAsync("dc:hm:item"));
    }

    [Fact]
    public async Task HybridCache_over_RedisCache_loads_once_and_shares_L2()
    {
        await using var first = HybridOver(s => s.AddStackExchangeRedisCache(o => { o.ConfigurationOptions = Connections.Options(Port); o.InstanceName = "hr1:"; }));
        await using var second = HybridOver(s => s.AddStackExchangeRedisCache(o => { o.ConfigurationOptions = Connections.Options(Port); o.InstanceName = "hr1:"; }));
        await AssertHybridSharesL2(first.GetRequiredService<HybridCache>(), second.GetRequiredService<HybridCache>(), "hr", "hr1:hr:item");
        await using var mux = await Connections.ConnectAsync(Port);
        Assert.Equal(RedisType.Hash, await mux.GetDatabase().KeyTypeAsync("hr1:hr:item"));
    }

    private static ServiceProvider HybridOver(Action<IServiceCollection> addL2)
    {
        var services = new ServiceCollection();
        // What a generic host registers: AddMagpie binds its options from configuration.
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        addL2(services);
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }

    private async Task AssertHybridSharesL2(HybridCache first, HybridCache second, string prefix, string l2Key)
    {
        string key = $"{prefix}:item";
        int loads = 0;
        // Ten concurrent callers in one process: one load (HybridCache's own stampede protection).
        var values = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => first.GetOrCreateAsync(key, async ct =>
        {
            Interlocked.Increment(ref loads);
            await Task.Delay(100, ct);
            return "loaded-once";
        }).AsTask())).WaitAsync(Timeout);
        Assert.All(values, v => Assert.Equal("loaded-once", v));
        Assert.Equal(1, loads);

        // HybridCache writes L2 after handing the value back: wait until the entry is in Magpie.
        await using (var mux = await Connections.ConnectAsync(Port))
            await Eventually(async () => await mux.GetDatabase().KeyExistsAsync(l2Key));

        // The second process has an empty L1; it finds the value in Magpie (L2) and does not load.
        var fromL2 = await second.GetOrCreateAsync(key, _ => { Interlocked.Increment(ref loads); return ValueTask.FromResult("second load"); }).AsTask().WaitAsync(Timeout);
        Assert.Equal("loaded-once", fromL2);
        Assert.Equal(1, loads);

        // Remove clears L2 for everyone; the next caller loads again.
        await first.RemoveAsync(key);
        var afterRemove = await second.GetOrCreateAsync(key, _ => ValueTask.FromResult("reloaded"),
            new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheRead }).AsTask().WaitAsync(Timeout);
        Assert.Equal("reloaded", afterRemove);
    }

    [Fact]
    public async Task FusionCache_with_magpie_L2_and_backplane_sees_other_nodes_invalidations()
    {
        var a = NewFusion();
        var b = NewFusion();
        try
        {
            // Both instances read the same value into their L1.
            Assert.Equal(1, await a.GetOrSetAsync<int>("price", _ => Task.FromResult(1)).AsTask().WaitAsync(Timeout));
            Assert.Equal(1, await b.GetOrSetAsync<int>("price", _ => Task.FromResult(99)).AsTask().WaitAsync(Timeout));

            // A writes a new value: L2 (Magpie) is updated and the backplane (Magpie pub/sub) tells B to drop its L1 copy.
            await a.SetAsync("price", 2).AsTask().WaitAsync(Timeout);
            await Eventually(async () => await b.GetOrDefaultAsync<int>("price") == 2);

            // A removes it: B sees the removal too.
            await a.RemoveAsync("price").AsTask().WaitAsync(Timeout);
            await Eventually(async () => (await b.TryGetAsync<int>("price")).HasValue == false);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private FusionCache NewFusion()
    {
        var cache = new FusionCache(new FusionCacheOptions
        {
            CacheName = "prices",
            DefaultEntryOptions = new FusionCacheEntryOptions { Duration = TimeSpan.FromMinutes(5) },
        });
        cache.SetupDistributedCache(NewRedisCache("fc:"), new ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson.FusionCacheSystemTextJsonSerializer());
        cache.SetupBackplane(new RedisBackplane(new RedisBackplaneOptions { ConfigurationOptions = Connections.Options(Port) }));
        return cache;
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the other FusionCache instance never saw the change");
            await Task.Delay(50);
        }
    }
}
