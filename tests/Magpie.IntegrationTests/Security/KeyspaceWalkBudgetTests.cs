using System.Diagnostics;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Security;

/// <summary>
/// keyspace-walk-budget-ms bounds SORT (BY/GET lookups and comparisons) and SCAN with a huge COUNT,
/// so no single request holds the node: the bounds are loose and measured with the node's CPU time.
/// </summary>
[Collection(SecurityCollection.Name)]
public class KeyspaceWalkBudgetTests
{
    [Fact]
    public async Task Sort_and_scan_stop_within_the_budget_and_the_node_keeps_answering()
    {
        await using var node = await MagpieNode.StartAsync();
        using var c = await RawConnection.OpenAsync(node.Port);
        const int n = 200_000;
        for (int start = 0; start < n; start += 20_000)
        {
            var push = new List<string> { "RPUSH", "big" };
            var mset = new List<string> { "MSET" };
            for (int i = start; i < start + 20_000; i++)
            {
                push.Add(i.ToString());
                mset.Add("k:" + i);
                mset.Add("v");
            }
            Assert.StartsWith(":", await c.RequestAsync([.. push]));
            Assert.Equal("+OK\r\n", await c.RequestAsync([.. mset]));
        }
        Assert.Equal("+OK\r\n", await c.RequestAsync("CONFIG", "SET", "keyspace-walk-budget-ms", "5"));

        var cpu = node.CpuTime;
        var clock = Stopwatch.StartNew();
        var sorted = await c.RequestAsync("SORT", "big", "BY", "w_*", "GET", "g_*", "GET", "#", "GET", "h_*->f", "GET", "x_*");
        Assert.Equal("-ERR SORT exceeded keyspace-walk-budget-ms (5 ms); sort fewer elements or raise the budget\r\n", sorted);
        var alpha = await c.RequestAsync("SORT", "big", "ALPHA", "DESC");
        Assert.StartsWith("-ERR SORT exceeded keyspace-walk-budget-ms", alpha);

        // SCAN with a COUNT as large as the keyspace returns early, with a cursor to go on from.
        var scan = (await c.RequestAsync("SCAN", "0", "COUNT", "100000000", "MATCH", "*a*a*a*a*b")).Split("\r\n");
        Assert.NotEqual("0", scan[2]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(node.CpuTime - cpu < TimeSpan.FromSeconds(8), $"node CPU {node.CpuTime - cpu}");
        Assert.Equal("+PONG\r\n", await c.RequestAsync("PING"));

        // Within the default budget both finish, with Redis's answers.
        Assert.Equal("+OK\r\n", await c.RequestAsync("CONFIG", "SET", "keyspace-walk-budget-ms", "5000"));
        Assert.Equal("*3\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n", await c.RequestAsync("SORT", "big", "LIMIT", "0", "3"));
        var full = (await c.RequestAsync("SCAN", "0", "COUNT", "100000000")).Split("\r\n");
        Assert.Equal("0", full[2]);
        Assert.Equal($"*{n + 1}", full[3]); // the k:* keys and the list
    }
}
