using System.Text;
using Magpie.Cluster;
using Magpie.Groups;
using Magpie.Server.Hosting;
using static Magpie.Server.Tests.TestClient;

namespace Magpie.Server.Tests;

/// <summary>MAGPIE.GROUP* handlers on a single node: replies, errors, and loads that finish after the handler returned.</summary>
public sealed class GroupCommandTests
{
    private readonly ServerState _server = new(new MagpieOptions()) { Groups = new GroupRegistry(StaticCluster.SingleNode()) };
    private readonly Dictionary<string, int> _loads = [];
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GroupCommandTests()
    {
        _gate.SetResult();
        _server.Groups!.Add(new GroupOptions { Name = "scores" }, async (key, _, ct) =>
        {
            lock (_loads) _loads[key] = _loads.GetValueOrDefault(key) + 1;
            await _gate.Task.WaitAsync(ct);
            if (key == "boom") throw new InvalidOperationException("origin exploded");
            return key.StartsWith("missing", StringComparison.Ordinal) ? LoadResult.NotFound : LoadResult.Found(Encoding.UTF8.GetBytes("v-" + key));
        });
    }

    /// <summary>Runs a command and, if it blocked on a load, waits for the reply as the connection loop would.</summary>
    private static async Task<string> RunAsync(TestClient client, params string[] args)
    {
        string now = client.Run(args);
        if (client.Context.BlockUntil is not { } pending) return now;
        client.Context.BlockUntil = null;
        await pending.WaitAsync(TimeSpan.FromSeconds(5));
        return now + client.TakeOutput();
    }

    [Fact]
    public async Task Groupget_loads_once_and_answers_value_and_ttl()
    {
        var client = new TestClient(_server);
        Assert.Equal(Array(Bulk("v-Tom"), Int(-1)), await RunAsync(client, "MAGPIE.GROUPGET", "scores", "Tom"));
        Assert.Equal(Array(Bulk("v-Tom"), Int(-1)), await RunAsync(client, "magpie.groupget", "scores", "Tom"));
        Assert.Equal(1, _loads["Tom"]);
        Assert.Equal(Nil, await RunAsync(client, "MAGPIE.GROUPGET", "scores", "missing-1"));
    }

    [Fact]
    public async Task A_slow_load_blocks_only_its_own_client()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new TestClient(_server);
        var other = new TestClient(_server);

        Assert.Equal("", waiting.Run("MAGPIE.GROUPGET", "scores", "slow"));
        var pending = waiting.Context.BlockUntil;
        Assert.NotNull(pending);
        Assert.Equal(Ok, other.Run("SET", "k", "v"));          // the keyspace lock is not held by the load
        Assert.False(pending.IsCompleted);

        _gate.SetResult();
        await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(Array(Bulk("v-slow"), Int(-1)), waiting.TakeOutput());
    }

    [Fact]
    public async Task Errors_name_the_group_or_carry_the_loader_message()
    {
        var client = new TestClient(_server);
        Assert.Equal(Err("ERR unknown group 'nope'"), await RunAsync(client, "MAGPIE.GROUPGET", "nope", "Tom"));
        string failed = await RunAsync(client, "MAGPIE.GROUPGET", "scores", "boom");
        Assert.StartsWith("-ERR ", failed);
        Assert.Contains("origin exploded", failed);
        Assert.Equal(Err("ERR syntax error"), await RunAsync(client, "MAGPIE.GROUPSET", "scores", "k", "v", "EX", "10"));
        Assert.Equal(Err("ERR invalid expire time in 'magpie.groupset' command"), await RunAsync(client, "MAGPIE.GROUPSET", "scores", "k", "v", "PX", "0"));
        Assert.Equal(Ok, await RunAsync(client, "MAGPIE.GROUPINVALIDATE", "nope", "k"));   // unknown groups are ignored
    }

    [Fact]
    public async Task Groupset_and_groupdel_apply_as_the_owner()
    {
        var client = new TestClient(_server);
        Assert.Equal(Ok, await RunAsync(client, "MAGPIE.GROUPSET", "scores", "Tom", "700", "PX", "60000"));
        string reply = await RunAsync(client, "MAGPIE.GROUPGET", "scores", "Tom");
        Assert.StartsWith("*2\r\n" + Bulk("700"), reply);
        long pttl = long.Parse(reply.Split("\r\n")[3].TrimStart(':'));
        Assert.InRange(pttl, 59_000, 60_000);
        Assert.False(_loads.ContainsKey("Tom"));

        Assert.Equal(Ok, await RunAsync(client, "MAGPIE.GROUPDEL", "scores", "Tom"));
        Assert.Equal(Array(Bulk("v-Tom"), Int(-1)), await RunAsync(client, "MAGPIE.GROUPGET", "scores", "Tom"));
        Assert.Equal(1, _loads["Tom"]);
    }

    [Fact]
    public async Task A_load_that_cannot_finish_inside_exec_is_refused()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new TestClient(_server);
        Assert.Equal(Ok, client.Run("MULTI"));
        Assert.Equal("+QUEUED\r\n", client.Run("MAGPIE.GROUPGET", "scores", "slow-in-exec"));
        Assert.Equal(Array(Err("ERR magpie.groupget cannot wait inside a transaction")), client.Run("EXEC"));
        Assert.Null(client.Context.BlockUntil);
        _gate.SetResult();
        Assert.Equal(Array(Bulk("v-slow-in-exec"), Int(-1)), await RunAsync(client, "MAGPIE.GROUPGET", "scores", "slow-in-exec"));
    }
}
