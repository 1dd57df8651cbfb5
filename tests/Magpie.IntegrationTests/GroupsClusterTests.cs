using System.Diagnostics;
using System.Net;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// Read-through groups across three real node processes and a gateway, over HTTP and RESP
/// (docs/groups.md). The origin is an HTTP server in the test process that counts calls per key.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GroupsClusterTests(GroupsCluster cluster) : IClassFixture<GroupsCluster>
{
    [Fact]
    public async Task Concurrent_cold_gets_across_three_nodes_make_one_origin_call_and_later_reads_none()
    {
        string key = $"cold-{Guid.NewGuid():N}";
        var gets = Enumerable.Range(0, 1000).Select(i => cluster.GetAsync(i % 3, key)).ToArray();
        var results = await Task.WhenAll(gets);

        Assert.All(results, r => Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(key)), r));
        Assert.Equal(1, cluster.Origin.CallsFor(key));

        for (int node = 0; node < 3; node++)
            Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(key)), await cluster.GetAsync(node, key));
        Assert.Equal(1, cluster.Origin.CallsFor(key));
    }

    [Fact]
    public async Task Put_and_delete_on_one_node_are_seen_on_all_three_with_no_stale_hot_copy()
    {
        string key = $"write-{Guid.NewGuid():N}";
        int owner = cluster.OwnerOf(key);
        int writer = (owner + 1) % 3;                       // not the owner: the write is forwarded
        for (int node = 0; node < 3; node++) Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(key)), await cluster.GetAsync(node, key)); // hot copies everywhere

        using (var put = await cluster.Http.PutAsync(cluster.Url(writer, key), new ByteArrayContent("new-value"u8.ToArray())))
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        // The owner answers a forwarded write only after every node dropped its copy, so all three
        // serve the new value the moment the PUT returns: no polling, no stale hot copy.
        for (int node = 0; node < 3; node++) Assert.Equal((HttpStatusCode.OK, "new-value"), await cluster.GetAsync(node, key));

        int deleter = (writer + 1) % 3;
        using (var delete = await cluster.Http.DeleteAsync(cluster.Url(deleter, key)))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        for (int node = 0; node < 3; node++) Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(key)), await cluster.GetAsync(node, key));
        Assert.Equal(2, cluster.Origin.CallsFor(key));   // the first load, and one reload after the delete
    }

    [Fact]
    public async Task Killed_owner_is_failed_over_within_the_peer_timeout_and_rejoins_when_restarted()
    {
        const int owner = 2;
        const int reader = 0;
        string key = cluster.KeyOwnedBy(owner, "failover");
        await cluster.Nodes[owner].KillAsync();

        var watch = Stopwatch.StartNew();
        var (status, body) = await cluster.GetAsync(reader, key);
        watch.Stop();
        Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(key)), (status, body));
        Assert.True(watch.ElapsedMilliseconds < GroupsCluster.PeerTimeoutMs + 500, $"took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(1, cluster.Origin.CallsFor(key));
        await cluster.WaitForStateAsync(reader, owner, "down", TimeSpan.FromSeconds(5));

        await cluster.RestartAsync(owner);
        await cluster.WaitForStateAsync(reader, owner, "up", TimeSpan.FromSeconds(10));
        string fresh = cluster.KeyOwnedBy(owner, "rejoined");
        var readerBefore = await cluster.StatsAsync(reader);
        var ownerBefore = await cluster.StatsAsync(owner);
        Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(fresh)), await cluster.GetAsync(reader, fresh));
        var readerAfter = await cluster.StatsAsync(reader);
        // The restarted owner did the load; the reader asked it instead of loading.
        Assert.Equal(ownerBefore.GetProperty("loads").GetInt64() + 1, (await cluster.StatsAsync(owner)).GetProperty("loads").GetInt64());
        Assert.Equal(readerBefore.GetProperty("loads").GetInt64(), readerAfter.GetProperty("loads").GetInt64());
        Assert.Equal(readerBefore.GetProperty("peerHits").GetInt64() + 1, readerAfter.GetProperty("peerHits").GetInt64());
    }

    [Fact]
    public async Task Gateway_owns_no_slots_and_forwards_gets_and_writes()
    {
        int gw = cluster.GatewayIndex;
        string key = $"gateway-{Guid.NewGuid():N}";
        var before = await cluster.StatsAsync(gw);

        Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(key)), await cluster.GetAsync(gw, key));
        Assert.Equal((HttpStatusCode.OK, OriginServer.ValueOf(key)), await cluster.GetAsync(cluster.OwnerOf(key), key));
        Assert.Equal(1, cluster.Origin.CallsFor(key));
        var after = await cluster.StatsAsync(gw);
        Assert.Equal(before.GetProperty("loads").GetInt64(), after.GetProperty("loads").GetInt64());
        Assert.Equal(before.GetProperty("peerHits").GetInt64() + 1, after.GetProperty("peerHits").GetInt64());

        using (var put = await cluster.Http.PutAsync(cluster.Url(gw, key), new ByteArrayContent("via-gateway"u8.ToArray())))
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "via-gateway"), await cluster.GetAsync(cluster.OwnerOf(key), key));

        string nodes = await cluster.Http.GetStringAsync($"http://127.0.0.1:{cluster.Nodes[gw].HttpPort}/api/nodes");
        Assert.Contains("\"count\":4", nodes);
        Assert.Matches("\"role\":\"gateway\",\"state\":\"up\",\"self\":true,\"slotCount\":0,\"rangeCount\":0\\}", nodes);
        Assert.DoesNotContain("\"slots\"", nodes);
        // ?full=1 adds every node's slot runs; together they cover the 16384 slots once.
        using var full = System.Text.Json.JsonDocument.Parse(await cluster.Http.GetStringAsync($"http://127.0.0.1:{cluster.Nodes[gw].HttpPort}/api/nodes?full=1"));
        int covered = 0;
        foreach (var n in full.RootElement.GetProperty("nodes").EnumerateArray())
        {
            int inRuns = n.GetProperty("slots").EnumerateArray().Sum(r => r[1].GetInt32() - r[0].GetInt32() + 1);
            Assert.Equal(n.GetProperty("slotCount").GetInt32(), inRuns);
            Assert.Equal(n.GetProperty("rangeCount").GetInt32(), n.GetProperty("slots").GetArrayLength());
            covered += inRuns;
        }
        Assert.Equal(16384, covered);
    }

    [Fact]
    public async Task Http_api_answers_404_for_missing_keys_and_groups_and_400_for_empty_keys()
    {
        int node = 1;
        string baseUrl = $"http://127.0.0.1:{cluster.Nodes[node].HttpPort}";
        using (var missing = await cluster.Http.GetAsync($"{baseUrl}/api/cache?group=scores&key=missing-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("text/plain", missing.Content.Headers.ContentType!.MediaType);
        }
        using (var noGroup = await cluster.Http.GetAsync($"{baseUrl}/api/cache/nosuchgroup/key"))
            Assert.Equal(HttpStatusCode.NotFound, noGroup.StatusCode);
        using (var empty = await cluster.Http.GetAsync($"{baseUrl}/api/cache?group=scores&key="))
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var ok = await cluster.Http.GetAsync($"{baseUrl}/api/cache?group=scores&key=query-form");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("application/octet-stream", ok.Content.Headers.ContentType!.MediaType);
        Assert.Equal(OriginServer.ValueOf("query-form"), await ok.Content.ReadAsStringAsync());
        Assert.Equal("{\"status\":\"ok\"}", await cluster.Http.GetStringAsync($"{baseUrl}/health"));
        string metrics = await cluster.Http.GetStringAsync($"{baseUrl}/metrics");
        Assert.Matches("magpie_group_hits_total\\{otel_scope_name=\"Magpie.Groups\",group=\"scores\"\\} \\d+", metrics);
        Assert.Matches("magpie_group_bytes\\{otel_scope_name=\"Magpie.Groups\",group=\"scores\"\\} \\d+", metrics);
    }

    [Fact]
    public async Task Magpie_groupget_over_redis_cli_answers_as_the_owner()
    {
        string key = $"resp-{Guid.NewGuid():N}";
        int owner = cluster.OwnerOf(key);
        string reply = await Tools.RedisCliAsync(cluster.Nodes[owner].Port, "MAGPIE.GROUPGET", "scores", key);
        var lines = reply.Split('\n');
        Assert.Equal(OriginServer.ValueOf(key), lines[0]);
        Assert.InRange(long.Parse(lines[1]), 290_000, 300_000);   // DefaultTtl 5 min, in ms
        Assert.Equal(1, cluster.Origin.CallsFor(key));

        Assert.Equal("ERR unknown group 'nope'", await Tools.RedisCliAsync(cluster.Nodes[owner].Port, "MAGPIE.GROUPGET", "nope", key));
        Assert.Equal("OK", await Tools.RedisCliAsync(cluster.Nodes[owner].Port, "MAGPIE.GROUPSET", "scores", key, "set-by-resp", "PX", "60000"));
        Assert.Equal((HttpStatusCode.OK, "set-by-resp"), await cluster.GetAsync((owner + 1) % 3, key));
        Assert.Equal("", await Tools.RedisCliAsync(cluster.Nodes[owner].Port, "MAGPIE.GROUPGET", "scores", $"missing-{key}"));
    }
}
