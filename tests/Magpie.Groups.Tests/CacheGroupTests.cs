namespace Magpie.Groups.Tests;

public class CacheGroupTests
{
    private static (CacheGroup Group, FakeOrigin Origin) Single(Action<GroupOptions>? configure = null, TimeProvider? time = null)
    {
        var origin = new FakeOrigin { ["Tom"] = "630", ["Jack"] = "589", ["Sam"] = "567" };
        var options = new GroupOptions { Name = "scores", MaxBytes = 1 << 20 };
        configure?.Invoke(options);
        return (new CacheGroup(options, origin.LoadAsync, timeProvider: time), origin);
    }

    [Fact(Timeout = 10_000)]
    public async Task First_get_loads_and_later_gets_hit()
    {
        var (group, origin) = Single();
        Assert.Equal("630", Bytes.Text(await group.GetAsync("Tom")));
        Assert.Equal("630", Bytes.Text(await group.GetAsync("Tom")));
        Assert.Equal("630", Bytes.Text(await group.TryGetAsync("Tom")));
        Assert.Equal(1, origin.LoadsOf("Tom"));
        var stats = group.Stats;
        Assert.Equal((2L, 1L, 1L, 0L), (stats.Hits, stats.Misses, stats.Loads, stats.HotHits));
        Assert.Equal(1, stats.Items);
        Assert.True(stats.Bytes > 0);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_key_the_loader_does_not_find_throws_on_get_returns_null_on_try_get_and_is_not_cached()
    {
        var (group, origin) = Single();
        var miss = await Assert.ThrowsAsync<CacheMissException>(() => group.GetAsync("Nobody").AsTask());
        Assert.Equal(("scores", "Nobody"), (miss.Group, miss.Key));
        Assert.Null(await group.TryGetAsync("Nobody"));
        Assert.Equal(2, origin.LoadsOf("Nobody"));

        origin["Nobody"] = "1";
        Assert.Equal("1", Bytes.Text(await group.GetAsync("Nobody")));
    }

    [Fact(Timeout = 10_000)]
    public async Task Get_many_returns_the_keys_that_exist()
    {
        var (group, origin) = Single();
        var found = await group.GetManyAsync(["Tom", "Nobody", "Sam", "Tom"]);
        Assert.Equal(["Sam", "Tom"], found.Keys.Order());
        Assert.Equal("567", Bytes.Text(found["Sam"]));
        Assert.Equal(1, origin.LoadsOf("Tom"));
    }

    [Fact(Timeout = 10_000)]
    public async Task Set_replaces_the_value_and_remove_makes_the_next_get_load_again()
    {
        var (group, origin) = Single();
        await group.GetAsync("Tom");
        await group.SetAsync("Tom", Bytes.Of("700"));
        Assert.Equal("700", Bytes.Text(await group.GetAsync("Tom")));
        Assert.Equal(1, origin.LoadsOf("Tom"));

        await group.RemoveAsync("Tom");
        Assert.Equal("630", Bytes.Text(await group.GetAsync("Tom")));
        Assert.Equal(2, origin.LoadsOf("Tom"));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_write_during_a_load_is_not_overwritten_by_the_older_loaded_value()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var group = new CacheGroup(new GroupOptions { Name = "g" }, async (_, _, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return LoadResult.Found(Bytes.Of("loaded-before-the-write"));
        });
        var loading = group.GetAsync("k").AsTask();
        await group.SetAsync("k", Bytes.Of("written"));
        gate.SetResult();

        Assert.Equal("loaded-before-the-write", Bytes.Text(await loading)); // that caller asked first
        Assert.Equal("written", Bytes.Text(await group.GetAsync("k")));
        Assert.Equal(1, group.Stats.Loads);
    }

    [Fact(Timeout = 10_000)]
    public async Task Values_expire_after_the_default_ttl_the_loader_ttl_or_the_write_ttl()
    {
        var clock = new ManualClock();
        var origin = new FakeOrigin { ["a"] = "1" };
        var group = new CacheGroup(new GroupOptions { Name = "g", DefaultTtl = TimeSpan.FromSeconds(10) },
            (key, ctx, ct) => key == "short"
                ? ValueTask.FromResult(LoadResult.Found(Bytes.Of("s"), TimeSpan.FromSeconds(1)))
                : origin.LoadAsync(key, ctx, ct),
            timeProvider: clock);

        await group.GetAsync("a");
        await group.GetAsync("short");
        await group.SetAsync("written", Bytes.Of("w"), new GroupEntryOptions(TimeSpan.FromSeconds(30)));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, group.Stats.Misses);
        await group.GetAsync("short");
        Assert.Equal(3, group.Stats.Misses);      // loader TTL of 1 s ran out

        clock.Advance(TimeSpan.FromSeconds(9));
        await group.GetAsync("a");
        Assert.Equal(2, origin.LoadsOf("a"));     // default TTL of 10 s ran out
        Assert.Equal("w", Bytes.Text(await group.TryGetAsync("written"))); // 30 s not yet
    }

    [Fact(Timeout = 10_000)]
    public async Task Loader_is_told_the_group_slot_and_node()
    {
        LoaderContext seen = default;
        var group = new CacheGroup(new GroupOptions { Name = "ctx" }, (_, ctx, _) =>
        {
            seen = ctx;
            return ValueTask.FromResult(LoadResult.Found([1]));
        });
        await group.GetAsync("{user:1}:name");
        Assert.Equal("ctx", seen.GroupName);
        Assert.Equal(Magpie.Protocol.HashSlot.Of("user:1"), seen.Slot);
        Assert.Equal("local", seen.NodeId);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_byte_budget_bounds_the_group_and_evictions_are_counted()
    {
        var group = new CacheGroup(new GroupOptions { Name = "small", MaxBytes = 20_000, HotCacheShare = 0 },
            (key, _, _) => ValueTask.FromResult(LoadResult.Found(new byte[500])));
        for (int i = 0; i < 200; i++) await group.GetAsync($"key-{i}");
        var stats = group.Stats;
        Assert.InRange(stats.Bytes, 1, 20_000);
        Assert.True(stats.Evictions > 100, $"evictions {stats.Evictions}");
        Assert.Equal(200, stats.Items + stats.Evictions);
    }

    [Fact(Timeout = 10_000)]
    public async Task Hits_complete_synchronously_without_allocating()
    {
        var (group, _) = Single();
        await group.GetAsync("Tom");
        for (int i = 0; i < 1000; i++) Assert.True(group.TryGetAsync("Tom").IsCompletedSuccessfully); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50_000; i++)
        {
            var pending = group.GetAsync("Tom");
            Assert.True(pending.IsCompletedSuccessfully);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact(Timeout = 10_000)]
    public async Task Invalid_options_are_rejected_with_reasons()
    {
        await Task.Yield();
        var options = new GroupOptions { Name = "", MaxBytes = 0, HotCacheShare = 1.5, Origin = "ftp://x/{key}" };
        var errors = options.Validate();
        Assert.Equal(4, errors.Count);
        Assert.Throws<ArgumentException>(() => new CacheGroup(options, (_, _, _) => default));
        Assert.Empty(new GroupOptions { Name = "ok", Origin = "http://127.0.0.1:9000/scores/{key}" }.Validate());
        Assert.Single(new GroupOptions { Name = "ok", Origin = "http://127.0.0.1:9000/scores" }.Validate());
        var peerFasterThanLoader = new GroupOptions { Name = "t", LoaderTimeout = TimeSpan.FromSeconds(5), PeerTimeout = TimeSpan.FromSeconds(1) };
        Assert.Contains("PeerTimeout must be longer than LoaderTimeout", Assert.Single(peerFasterThanLoader.Validate()));
    }
}
