using Magpie.Client.Tests.Fixtures;
using Magpie.Protocol;
using Magpie.Protocol.Replies;

namespace Magpie.Client.Tests.Commands;

/// <summary>Typed commands against a real server, over RESP3 and RESP2.</summary>
public abstract class CommandTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    public static TheoryData<RespVersion> Protocols => new() { RespVersion.Resp2, RespVersion.Resp3 };

    private Task<MagpieConnection> Connect(RespVersion protocol) => server.ConnectAsync(o => o.Protocol = protocol);

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Protocols))]
    public async Task Strings_and_keys(RespVersion protocol)
    {
        await using var conn = await Connect(protocol);
        Assert.Equal(protocol, conn.Protocol);
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();

        Assert.True((await db.StringGetAsync(key).Within()).IsNull);
        Assert.True(await db.StringSetAsync(key, "hello").Within());
        Assert.Equal("hello", (string?)await db.StringGetAsync(key).Within());
        Assert.False(await db.StringSetAsync(key, "other", when: When.NotExists).Within());
        Assert.True(await db.StringSetAsync(key, new byte[] { 0, 1, 255 }, when: When.Exists).Within());
        Assert.Equal(new byte[] { 0, 1, 255 }, (byte[]?)await db.StringGetAsync(key).Within());

        Assert.True(await db.KeyExistsAsync(key).Within());
        Assert.Null(await db.KeyTimeToLiveAsync(key).Within());
        Assert.True(await db.KeyExpireAsync(key, TimeSpan.FromSeconds(100)).Within());
        var ttl = await db.KeyTimeToLiveAsync(key).Within();
        Assert.InRange(ttl!.Value.TotalSeconds, 90, 100);
        Assert.True(await db.KeyDeleteAsync(key).Within());
        Assert.False(await db.KeyExistsAsync(key).Within());

        Assert.Equal(1, await db.StringIncrementAsync(key).Within());
        Assert.Equal(11, await db.StringIncrementAsync(key, 10).Within());
        Assert.Equal(12.5, await db.StringIncrementAsync(key, 1.5).Within());
        Assert.True(await db.StringSetAsync(key, 42L, TimeSpan.FromSeconds(5)).Within());
        Assert.Equal(42L, (long)await db.StringGetAsync(key).Within());
        Assert.Equal(1, await db.KeyDeleteAsync([key, TestTimeouts.UniqueKey()]).Within());
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Protocols))]
    public async Task Hashes(RespVersion protocol)
    {
        await using var conn = await Connect(protocol);
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        Assert.True(await db.HashSetAsync(key, "a", "1").Within());
        Assert.False(await db.HashSetAsync(key, "a", "2", When.NotExists).Within());
        await db.HashSetAsync(key, [new HashEntry("b", "2"), new HashEntry("c", 3)]).Within();
        Assert.Equal("1", (string?)await db.HashGetAsync(key, "a").Within());
        Assert.True((await db.HashGetAsync(key, "zz").Within()).IsNull);
        var all = (await db.HashGetAllAsync(key).Within()).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" }, all);
        Assert.True(await db.HashDeleteAsync(key, "a").Within());
        Assert.False(await db.HashDeleteAsync(key, "a").Within());
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Protocols))]
    public async Task Lists(RespVersion protocol)
    {
        await using var conn = await Connect(protocol);
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        Assert.Equal(1, await db.ListRightPushAsync(key, "b").Within());
        Assert.Equal(2, await db.ListLeftPushAsync(key, "a").Within());
        Assert.Equal(4, await db.ListRightPushAsync(key, ["c", "d"]).Within());
        Assert.Equal(["a", "b", "c", "d"], (await db.ListRangeAsync(key).Within()).Select(v => v.ToString()));
        Assert.Equal("a", (string?)await db.ListLeftPopAsync(key).Within());
        Assert.Equal("d", (string?)await db.ListRightPopAsync(key).Within());
        Assert.Equal(["b"], (await db.ListRangeAsync(key, 0, 0).Within()).Select(v => v.ToString()));
        Assert.True((await db.ListLeftPopAsync(TestTimeouts.UniqueKey()).Within()).IsNull);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Protocols))]
    public async Task Sets(RespVersion protocol)
    {
        await using var conn = await Connect(protocol);
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        Assert.True(await db.SetAddAsync(key, "x").Within());
        Assert.False(await db.SetAddAsync(key, "x").Within());
        Assert.Equal(2, await db.SetAddAsync(key, ["y", "z"]).Within());
        Assert.True(await db.SetContainsAsync(key, "y").Within());
        Assert.True(await db.SetRemoveAsync(key, "y").Within());
        Assert.False(await db.SetContainsAsync(key, "y").Within());
        Assert.Equal(["x", "z"], (await db.SetMembersAsync(key).Within()).Select(v => v.ToString()).Order());
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Protocols))]
    public async Task Sorted_sets(RespVersion protocol)
    {
        await using var conn = await Connect(protocol);
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        Assert.True(await db.SortedSetAddAsync(key, "b", 2).Within());
        Assert.Equal(2, await db.SortedSetAddAsync(key, [new SortedSetEntry("a", 1.5), new SortedSetEntry("c", 3)]).Within());
        Assert.False(await db.SortedSetAddAsync(key, "a", 9, When.NotExists).Within());
        Assert.Equal(1.5, await db.SortedSetScoreAsync(key, "a").Within());
        Assert.Null(await db.SortedSetScoreAsync(key, "nope").Within());
        Assert.Equal(["a", "b", "c"], (await db.SortedSetRangeByRankAsync(key).Within()).Select(v => v.ToString()));
        Assert.Equal(["c", "b"], (await db.SortedSetRangeByRankAsync(key, 0, 1, Order.Descending).Within()).Select(v => v.ToString()));
        var withScores = await db.SortedSetRangeByRankWithScoresAsync(key).Within();
        Assert.Equal([new SortedSetEntry("a", 1.5), new SortedSetEntry("b", 2), new SortedSetEntry("c", 3)], withScores);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Protocols))]
    public async Task Execute_returns_raw_replies_and_throws_server_errors(RespVersion protocol)
    {
        await using var conn = await Connect(protocol);
        var db = conn.GetDatabase();
        var key = TestTimeouts.UniqueKey();
        Assert.True((await db.ExecuteAsync("SET", key, "v").Within()).IsSimple("OK"u8));
        Assert.Equal("v", (await db.ExecuteAsync("GET", key).Within()).ToString());
        Assert.Equal(RespValueKind.Integer, (await db.ExecuteAsync("EXISTS", key).Within()).Kind);
        var error = await Assert.ThrowsAsync<MagpieServerException>(() => db.ExecuteAsync("HGET", key, "f").Within());
        Assert.Equal("WRONGTYPE", error.Code);
        Assert.Contains("HGET", error.Message);
        await Assert.ThrowsAsync<MagpieServerException>(() => db.ExecuteAsync("NOSUCHCOMMAND").Within());
        // The connection stays usable after errors.
        Assert.Equal("v", (string?)await db.StringGetAsync(key).Within());
    }

    [Fact(Timeout = 30_000)]
    public async Task Databases_are_selected_per_command()
    {
        await using var conn = await server.ConnectAsync();
        var key = TestTimeouts.UniqueKey();
        var db0 = conn.GetDatabase(0);
        var db3 = conn.GetDatabase(3);
        await Task.WhenAll(db0.StringSetAsync(key, "zero"), db3.StringSetAsync(key, "three")).Within();
        var results = await Task.WhenAll(db0.StringGetAsync(key), db3.StringGetAsync(key), db0.StringGetAsync(key)).Within();
        Assert.Equal(["zero", "three", "zero"], results.Select(v => v.ToString()));
    }
}
