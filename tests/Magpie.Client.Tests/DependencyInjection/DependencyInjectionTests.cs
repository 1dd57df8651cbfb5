using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using Magpie.Client.Caching;
using Magpie.Client.DependencyInjection;
using Magpie.Client.Tests.Fixtures;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Magpie.Client.Tests.DependencyInjection;

public abstract class DependencyInjectionTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private ServiceProvider BuildProvider(string prefix, Action<MagpieClientOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Magpie:ConnectionString"] = $"{server.EndPoint},syncTimeout=5000",
            ["Magpie:KeyPrefix"] = prefix,
            ["Magpie:DistributedCachePrefix"] = prefix + "dc:",
            ["Magpie:MemoryMaximumCount"] = "1000",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMetrics();
        services.AddMagpie(configure);
        return services.BuildServiceProvider(validateScopes: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task Distributed_cache_set_get_refresh_remove()
    {
        var prefix = TestTimeouts.UniqueKey("di") + ":";
        await using var provider = BuildProvider(prefix);
        var cache = provider.GetRequiredService<IDistributedCache>();

        await cache.SetAsync("session", Encoding.UTF8.GetBytes("payload"), new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(30),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10),
        }).Within();
        Assert.Equal("payload", Encoding.UTF8.GetString((await cache.GetAsync("session").Within())!));

        var db = provider.GetRequiredService<IMagpieDatabase>();
        var ttl = await db.KeyTimeToLiveAsync(prefix + "dc:session").Within();
        Assert.InRange(ttl!.Value.TotalSeconds, 1, 30); // sliding window, not the 10-minute absolute

        await db.KeyExpireAsync(prefix + "dc:session", TimeSpan.FromSeconds(5)).Within();
        await cache.RefreshAsync("session").Within();
        Assert.InRange((await db.KeyTimeToLiveAsync(prefix + "dc:session").Within())!.Value.TotalSeconds, 20, 30);

        await cache.RemoveAsync("session").Within();
        Assert.Null(await cache.GetAsync("session").Within());

        // The synchronous members work too (they block; prefer the async ones).
        cache.Set("sync", [1, 2, 3], new DistributedCacheEntryOptions());
        Assert.Equal(new byte[] { 1, 2, 3 }, cache.Get("sync"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Buffer_distributed_cache_writes_into_a_buffer_writer()
    {
        var prefix = TestTimeouts.UniqueKey("di") + ":";
        await using var provider = BuildProvider(prefix);
        var cache = provider.GetRequiredService<IBufferDistributedCache>();
        await cache.SetAsync("buf", new ReadOnlySequence<byte>("abc"u8.ToArray()), new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(1),
        }).AsTask().Within();
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(await cache.TryGetAsync("buf", writer).AsTask().Within());
        Assert.Equal("abc"u8.ToArray(), writer.WrittenSpan.ToArray());
        Assert.False(await cache.TryGetAsync("missing", new ArrayBufferWriter<byte>()).AsTask().Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Tiered_cache_from_DI_reports_metrics_without_keys()
    {
        var prefix = TestTimeouts.UniqueKey("di") + ":";
        await using var provider = BuildProvider(prefix);
        var measurements = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CacheMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measurements) measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        });
        listener.Start();

        var cache = provider.GetRequiredService<ITieredCache>();
        Assert.Equal(5, await cache.GetOrSetAsync("metric-key", _ => Task.FromResult(5)).AsTask().Within());
        Assert.Equal(5, await cache.GetOrSetAsync("metric-key", _ => Task.FromResult(6)).AsTask().Within());

        lock (measurements)
        {
            var requests = measurements.Where(m => m.Instrument == "magpie.cache.requests").ToList();
            Assert.Contains(requests, m => (string?)m.Tags["level"] == "memory" && (string?)m.Tags["result"] == "miss");
            Assert.Contains(requests, m => (string?)m.Tags["level"] == "remote" && (string?)m.Tags["result"] == "miss");
            Assert.Contains(requests, m => (string?)m.Tags["level"] == "memory" && (string?)m.Tags["result"] == "hit");
            Assert.DoesNotContain(measurements, m => m.Tags.Values.Any(v => v is string s && s.Contains("metric-key")));
        }
    }

    [Fact]
    public void Invalid_options_fail_validation_at_start()
    {
        using var provider = BuildProvider("x:", o => o.ConnectionString = "host:notaport");
        var validator = provider.GetRequiredService<IStartupValidator>();
        var ex = Assert.Throws<OptionsValidationException>(validator.Validate);
        Assert.Contains("ConnectionString", ex.Message);
    }
}
