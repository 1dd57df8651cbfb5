using Magpie.Caching;

namespace Magpie.Caching.Tests;

public class WTinyLfuCacheTests
{
    private static readonly byte[] Value100 = new byte[100];

    private static long EntryWeight(string key) => CacheWeigher.Weigh(key, Value100.Length);

    private static WTinyLfuCache<byte[]> Cache(long maxWeight, ManualClock? clock = null) => new(maxWeight, 128, new CacheClock(clock), CacheWeigher.Weigh);

    [Fact(Timeout = 10_000)]
    public async Task Entries_are_weighed_by_key_value_and_overhead()
    {
        await Task.Yield();
        var cache = Cache(1 << 20);
        cache.Set("abc", new byte[10], null);
        cache.Set("de", new byte[1000], null);
        Assert.Equal(2 * 3 + 10 + CacheWeigher.EntryOverhead + 2 * 2 + 1000 + CacheWeigher.EntryOverhead, cache.Weight);
        Assert.Equal(2, cache.Count);

        cache.Set("de", new byte[1], null); // replacing re-weighs
        Assert.Equal(2 * 3 + 10 + 2 * 2 + 1 + 2 * CacheWeigher.EntryOverhead, cache.Weight);
        Assert.True(cache.TryGet("de", out var v) && v.Length == 1);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_byte_budget_holds_under_many_inserts()
    {
        await Task.Yield();
        long budget = 50 * EntryWeight("key-00000");
        var cache = Cache(budget);
        for (int i = 0; i < 5000; i++) cache.Set($"key-{i:00000}", Value100, null);
        Assert.InRange(cache.Weight, budget - 2 * EntryWeight("key-00000"), budget);
        Assert.Equal(5000 - cache.Count, cache.Evictions);
    }

    [Fact(Timeout = 10_000)]
    public async Task An_entry_heavier_than_the_budget_is_not_kept()
    {
        await Task.Yield();
        var cache = Cache(1000);
        cache.Set("small", new byte[10], null);
        Assert.False(cache.Set("huge", new byte[2000], null));
        Assert.False(cache.TryGet("huge", out _));
        Assert.True(cache.TryGet("small", out _));
    }

    [Fact(Timeout = 10_000)]
    public async Task Frequently_read_keys_survive_a_scan_of_one_hit_wonders()
    {
        await Task.Yield();
        long budget = 100 * EntryWeight("hot-000");
        var cache = Cache(budget);
        string[] hot = Enumerable.Range(0, 60).Select(i => $"hot-{i:000}").ToArray();
        foreach (var key in hot) cache.Set(key, Value100, null);
        for (int round = 0; round < 8; round++)
        {
            foreach (var key in hot) Assert.True(cache.TryGet(key, out _));
            cache.Maintain();
        }

        for (int i = 0; i < 10_000; i++) cache.Set($"scan-{i:00000}", Value100, null);

        int survivors = hot.Count(k => cache.TryGet(k, out _));
        Assert.True(survivors >= 55, $"only {survivors} of 60 popular keys survived the scan");
        Assert.True(cache.Weight <= budget);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_new_key_that_becomes_popular_gets_admitted()
    {
        await Task.Yield();
        long budget = 50 * EntryWeight("old-000");
        var cache = Cache(budget);
        for (int i = 0; i < 200; i++) cache.Set($"old-{i:000}", Value100, null);
        // A newcomer seen many times builds frequency in the sketch and wins its admission duel.
        for (int round = 0; round < 6; round++)
        {
            cache.Set("rising", Value100, null);
            cache.TryGet("rising", out _);
            cache.Maintain();
            for (int i = 0; i < 5; i++) cache.Set($"filler-{round}-{i}", Value100, null);
        }
        Assert.True(cache.TryGet("rising", out _));
        Assert.True(cache.FrequencyOf("rising") > cache.FrequencyOf("old-000"));
    }

    [Fact(Timeout = 10_000)]
    public async Task Entries_expire_after_their_time_to_live()
    {
        await Task.Yield();
        var clock = new ManualClock();
        var cache = Cache(1 << 20, clock);
        cache.Set("short", Value100, TimeSpan.FromSeconds(1));
        cache.Set("long", Value100, TimeSpan.FromSeconds(10));
        cache.Set("forever", Value100, null);

        Assert.True(cache.TryGet("short", out _, out var ttl));
        Assert.Equal(TimeSpan.FromSeconds(1), ttl);

        clock.Advance(TimeSpan.FromMilliseconds(1001));
        Assert.False(cache.TryGet("short", out _));
        Assert.True(cache.TryGet("long", out _));
        Assert.True(cache.TryGet("forever", out _, out var none));
        Assert.Null(none);
        Assert.Equal(1, cache.Expirations);

        clock.Advance(TimeSpan.FromSeconds(10));
        cache.Set("trigger-sweep", Value100, null); // writes reclaim expired entries nobody reads
        Assert.Equal(2, cache.Count);
        Assert.Equal(2, cache.Expirations);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_ttl_of_zero_or_less_is_not_stored_and_infinite_never_expires()
    {
        await Task.Yield();
        var clock = new ManualClock();
        var cache = Cache(1 << 20, clock);
        cache.Set("k", Value100, null);
        Assert.False(cache.Set("k", Value100, TimeSpan.Zero));
        Assert.False(cache.TryGet("k", out _)); // the stale write still replaced the old value
        Assert.False(cache.Set("k", Value100, TimeSpan.FromMilliseconds(-5)));
        Assert.True(cache.Set("forever", Value100, Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromDays(365));
        Assert.True(cache.TryGet("forever", out _, out var ttl));
        Assert.Null(ttl);
        Assert.Equal(1, cache.Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task Remove_and_clear_release_weight()
    {
        await Task.Yield();
        var cache = Cache(1 << 20);
        cache.Set("a", Value100, null);
        cache.Set("b", Value100, null);
        Assert.True(cache.Remove("a"));
        Assert.False(cache.Remove("a"));
        Assert.Equal(EntryWeight("b"), cache.Weight);
        cache.Clear();
        Assert.Equal(0, cache.Weight);
        Assert.Equal(0, cache.Count);
    }

    [Fact(Timeout = 20_000)]
    public async Task Concurrent_readers_and_writers_keep_the_budget_and_the_index_consistent()
    {
        long budget = 200 * EntryWeight("key-0000");
        var cache = Cache(budget);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var workers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                string key = $"key-{random.Next(1000):0000}";
                if (random.Next(4) == 0) cache.Set(key, Value100, null);
                else if (random.Next(50) == 0) cache.Remove(key);
                else if (cache.TryGet(key, out var v)) Assert.Same(Value100, v);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        cache.Maintain();
        Assert.InRange(cache.Weight, 0, budget);
        Assert.Equal(cache.Weight, cache.Count * EntryWeight("key-0000"));
    }

    [Fact(Timeout = 10_000)]
    public async Task Hits_allocate_nothing()
    {
        await Task.Yield();
        var cache = Cache(1 << 20);
        string[] keys = Enumerable.Range(0, 100).Select(i => $"k{i}").ToArray();
        foreach (var key in keys) cache.Set(key, Value100, TimeSpan.FromHours(1));
        for (int i = 0; i < 10_000; i++) cache.TryGet(keys[i % keys.Length], out _); // warm up, fill and drain buffers

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++) cache.TryGet(keys[i % keys.Length], out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
