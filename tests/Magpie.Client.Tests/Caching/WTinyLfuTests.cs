using Magpie.Client.Caching;

namespace Magpie.Client.Tests.Caching;

public sealed class WTinyLfuTests
{
    private static CacheItem Item(object value, long size = 1) =>
        CacheItem.ForValue(value, null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, size, null);

    [Fact]
    public void Count_bound_is_never_exceeded()
    {
        var level = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = 100 });
        int evicted = 0;
        level.Evicted += n => evicted += n;
        for (int i = 0; i < 1_000; i++)
        {
            level.Set($"k{i}", Item(i));
            Assert.True(level.Count <= 100);
        }
        Assert.Equal(100, level.Count);
        Assert.Equal(900, evicted);
    }

    [Fact]
    public void Byte_bound_weighs_entries_by_size()
    {
        var level = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumBytes = 10_000 });
        for (int i = 0; i < 100; i++) level.Set($"k{i}", Item(i, size: 1_000));
        Assert.True(level.Weight <= 10_000);
        Assert.InRange(level.Count, 1, 10);
        // An entry heavier than the whole cache cannot stay.
        level.Set("huge", Item("x", size: 20_000));
        Assert.False(level.TryGet("huge", out _));
        Assert.True(level.Weight <= 10_000);
    }

    [Fact]
    public void Frequently_used_entries_survive_a_scan_of_one_hit_wonders()
    {
        var level = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = 100 });
        for (int i = 0; i < 50; i++) level.Set($"hot{i}", Item(i));
        for (int round = 0; round < 10; round++)
            for (int i = 0; i < 50; i++) Assert.True(level.TryGet($"hot{i}", out _));

        // A plain LRU would lose every hot entry to this scan; TinyLFU refuses to admit the cold keys over them.
        for (int i = 0; i < 2_000; i++) level.Set($"cold{i}", Item(i));

        int hotLeft = Enumerable.Range(0, 50).Count(i => level.TryGet($"hot{i}", out _));
        Assert.True(hotLeft >= 45, $"only {hotLeft} of 50 hot entries survived");
        Assert.Equal(100, level.Count);
    }

    [Fact]
    public void New_entry_that_becomes_popular_gets_admitted()
    {
        var level = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = 100 });
        for (int i = 0; i < 100; i++) level.Set($"old{i}", Item(i));
        // "rising" is asked for often (misses count in the sketch when re-set), then must win admission.
        for (int i = 0; i < 20; i++)
        {
            level.Set("rising", Item(i));
            level.TryGet("rising", out _);
        }
        for (int i = 0; i < 300; i++) level.Set($"filler{i}", Item(i));
        Assert.True(level.TryGet("rising", out _));
    }

    [Fact]
    public void Expired_items_are_dropped_and_removal_works()
    {
        var time = new ManualTimeProvider();
        var level = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = 10 }, time);
        var now = time.GetUtcNow();
        level.Set("a", CacheItem.ForValue("v", null, now.AddSeconds(10), now.AddSeconds(20), 1, ["t1"]));
        level.Set("b", CacheItem.ForValue("v", null, now.AddSeconds(10), now.AddSeconds(20), 1, ["t2"]));
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.True(level.TryGet("a", out var stale)); // stale but still usable (fail-safe window)
        Assert.False(stale.IsFresh(time.GetUtcNow()));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(level.TryGet("a", out _));
        Assert.Equal(1, level.Count);

        level.Set("c", Item("x"));
        Assert.True(level.Remove("c"));
        Assert.False(level.Remove("c"));
    }

    [Fact]
    public async Task Remove_by_tag_drops_only_tagged_entries()
    {
        var level = new MemoryCacheLevel();
        level.Set("a", CacheItem.ForValue(1, null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, 1, ["red"]));
        level.Set("b", CacheItem.ForValue(2, null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, 1, ["blue", "red"]));
        level.Set("c", CacheItem.ForValue(3, null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, 1, ["blue"]));
        var removed = await level.RemoveByTagAsync("red", default);
        Assert.Equal(["a", "b"], removed.Order());
        Assert.True(level.TryGet("c", out _));
    }

    [Fact]
    public async Task Concurrent_readers_and_writers_keep_the_bound()
    {
        var level = new MemoryCacheLevel(new MemoryCacheLevelOptions { MaximumCount = 500 });
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var rng = new Random(w);
            for (int i = 0; i < 50_000; i++)
            {
                var key = $"k{rng.Next(2_000)}";
                if (!level.TryGet(key, out _)) level.Set(key, Item(i));
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(level.Count, 1, 500);
        Assert.Equal(level.Count, level.Weight);
    }
}
