using Magpie.Client.Tests.Fixtures;

namespace Magpie.Client.Tests.Cluster;

/// <summary>MOVED and ASK from a real Redis Cluster: surfaced as typed errors, or followed with cluster=true.</summary>
public sealed class ClusterRedirectTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    // "foo" hashes to slot 12182 (node B), "bar" to 5061 (node A).
    private const int FooSlot = 12182, BarSlot = 5061;

    [Fact(Timeout = 30_000)]
    public async Task Plain_connection_surfaces_MOVED_with_slot_and_endpoint()
    {
        Assert.Equal(FooSlot, ((MagpieKey)"foo").HashSlot);
        await using var conn = await cluster.A.ConnectAsync();
        var moved = await Assert.ThrowsAsync<MagpieRedirectException>(() => conn.GetDatabase().StringGetAsync("foo").Within());
        Assert.False(moved.IsAsk);
        Assert.Equal(FooSlot, moved.Slot);
        Assert.Equal(cluster.B.EndPoint, moved.EndPoint);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cluster_connection_follows_MOVED_and_learns_the_slot()
    {
        await using var conn = await cluster.A.ConnectAsync(o => o.Cluster = true);
        var db = conn.GetDatabase();
        Assert.True(await db.StringSetAsync("foo", "on-b").Within());
        Assert.Equal("on-b", (string?)await db.StringGetAsync("foo").Within());
        Assert.Equal(2, conn.Router!.Nodes.Count);

        // Many keys across both halves, concurrently: every reply still reaches its caller.
        var keys = Enumerable.Range(0, 200).Select(i => $"k{i}").ToArray();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, k))).Within();
        var values = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k))).Within();
        Assert.Equal(keys, values.Select(v => v.ToString()));
        Assert.Contains(keys, k => ((MagpieKey)k).HashSlot < 8192);
        Assert.Contains(keys, k => ((MagpieKey)k).HashSlot >= 8192);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cluster_connection_loads_the_slot_map_on_connect()
    {
        await using var conn = await cluster.A.ConnectAsync(o => o.Cluster = true);
        Assert.True(await TestTimeouts.EventuallyAsync(() => conn.Router!.NodeFor(FooSlot).EndPoint == cluster.B.EndPoint, TimeSpan.FromSeconds(5)));
        Assert.Equal(cluster.A.EndPoint, conn.Router!.NodeFor(BarSlot).EndPoint);
        Assert.Equal("B", (string?)await SetThenGet(conn, "foo", "B"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Non_cluster_server_leaves_routing_to_the_seed()
    {
        await using var server = new RedisServerFixture();
        await server.InitializeAsync();
        await using var conn = await server.ConnectAsync(o => o.Cluster = true);
        Assert.Equal("x", (string?)await SetThenGet(conn, "foo", "x"));
        Assert.Same(conn, conn.Router!.NodeFor(FooSlot));
    }

    private static async Task<MagpieValue> SetThenGet(MagpieConnection conn, string key, string value)
    {
        await conn.GetDatabase().StringSetAsync(key, value).Within();
        return await conn.GetDatabase().StringGetAsync(key).Within();
    }

    [Fact(Timeout = 30_000)]
    public async Task Cluster_connection_follows_ASK_during_a_slot_migration()
    {
        Assert.Equal(BarSlot, ((MagpieKey)"bar").HashSlot);
        await using var a = await cluster.A.ConnectAsync();
        await using var b = await cluster.B.ConnectAsync();
        var idA = (await a.GetDatabase().ExecuteAsync("CLUSTER", "MYID").Within()).ToString();
        var idB = (await b.GetDatabase().ExecuteAsync("CLUSTER", "MYID").Within()).ToString();
        await b.GetDatabase().ExecuteAsync("CLUSTER", "SETSLOT", BarSlot, "IMPORTING", idA).Within();
        await a.GetDatabase().ExecuteAsync("CLUSTER", "SETSLOT", BarSlot, "MIGRATING", idB).Within();
        try
        {
            var ask = await Assert.ThrowsAsync<MagpieRedirectException>(() => a.GetDatabase().StringGetAsync("bar").Within());
            Assert.True(ask.IsAsk);

            await using var conn = await cluster.A.ConnectAsync(o => o.Cluster = true);
            var db = conn.GetDatabase();
            Assert.True(await db.StringSetAsync("bar", "migrating").Within()); // A: ASK → B, with ASKING
            Assert.Equal("migrating", (string?)await db.StringGetAsync("bar").Within());
        }
        finally
        {
            await a.GetDatabase().ExecuteAsync("CLUSTER", "SETSLOT", BarSlot, "STABLE").Within();
            await b.GetDatabase().ExecuteAsync("CLUSTER", "SETSLOT", BarSlot, "STABLE").Within();
        }
    }
}
