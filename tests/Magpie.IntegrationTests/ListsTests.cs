using System.Diagnostics;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>The list family, blocking commands included, through real clients: redis-py and redis-cli.</summary>
public class ListsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private int Port => fixture.Node.Port;

    [Fact]
    public async Task Redis_py_drives_every_list_command()
    {
        var output = await Tools.PythonScriptAsync("lists.py", Port);
        Assert.Contains("ALL OK", output);
    }

    private async Task WaitForBlockedClients(int expected)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var info = await Tools.RedisCliAsync(Port, "INFO", "clients");
            if (info.Contains($"blocked_clients:{expected}")) return;
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"blocked_clients never reached {expected}:\n{info}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Redis_cli_blpop_is_woken_by_a_push_from_another_client()
    {
        var blpop = Tools.RunAsync("redis-cli", ["-p", Port.ToString(), "BLPOP", "cli:q", "5"], timeoutSeconds: 10);
        await WaitForBlockedClients(1);
        Assert.Equal("1", await Tools.RedisCliAsync(Port, "RPUSH", "cli:q", "hello"));
        var result = await blpop;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("cli:q\nhello", result.StdOut.TrimEnd('\n'));
        Assert.Equal("0", await Tools.RedisCliAsync(Port, "EXISTS", "cli:q"));
        await WaitForBlockedClients(0);
    }

    [Fact]
    public async Task Redis_cli_blpop_times_out_after_the_fractional_timeout()
    {
        var sw = Stopwatch.StartNew();
        var result = await Tools.RunAsync("redis-cli", ["-p", Port.ToString(), "BLPOP", "cli:empty", "0.4"], timeoutSeconds: 10);
        sw.Stop();
        Assert.Equal(0, result.ExitCode);
        // redis-cli prints a nil array reply as an empty line in raw mode.
        Assert.Equal("", result.StdOut.Trim());
        Assert.InRange(sw.ElapsedMilliseconds, 350, 3000);
    }

    [Fact]
    public async Task A_killed_blocked_client_is_cleaned_up()
    {
        var blpop = Tools.RunAsync("redis-cli", ["-p", Port.ToString(), "BLPOP", "cli:killed", "0"], timeoutSeconds: 10);
        await WaitForBlockedClients(1);
        var list = await Tools.RedisCliAsync(Port, "CLIENT", "LIST");
        var line = list.Split('\n').Single(l => l.Contains("cmd=blpop"));
        Assert.Contains("flags=b", line);
        var id = line.Split(' ')[0]["id=".Length..];
        Assert.Equal("1", await Tools.RedisCliAsync(Port, "CLIENT", "KILL", "ID", id));
        await blpop;
        await WaitForBlockedClients(0);
        // Nobody waits any more: a push stays in the list.
        Assert.Equal("1", await Tools.RedisCliAsync(Port, "RPUSH", "cli:killed", "v"));
        Assert.Equal("v", await Tools.RedisCliAsync(Port, "LPOP", "cli:killed"));
    }

    [Fact]
    public async Task Commands_pipelined_behind_a_blocked_one_run_after_it_is_served()
    {
        using var blocked = await RawConnection.OpenAsync(Port);
        await blocked.SendAsync("BLPOP raw:q 5\r\nPING\r\nECHO after\r\n");
        await WaitForBlockedClients(1);
        Assert.Equal("", await blocked.ReadAvailableAsync(timeoutMs: 300));
        using var pusher = await RawConnection.OpenAsync(Port);
        Assert.Equal(":1\r\n", await pusher.RequestAsync("RPUSH", "raw:q", "v"));
        Assert.Equal("*2\r\n$5\r\nraw:q\r\n$1\r\nv\r\n+PONG\r\n$5\r\nafter\r\n", await blocked.ReadAvailableAsync());
        await WaitForBlockedClients(0);
    }

    [Fact]
    public async Task Resp3_timeout_is_a_null()
    {
        using var conn = await RawConnection.OpenAsync(Port);
        Assert.StartsWith("%7", await conn.RequestAsync("HELLO", "3"));
        await conn.SendAsync("BLPOP raw:none 0.1\r\nBRPOPLPUSH raw:none raw:d 0.1\r\n");
        Assert.Equal("_\r\n_\r\n", await conn.ReadAvailableAsync(quietMs: 400));
    }

    [Fact]
    public async Task Redis_cli_list_session()
    {
        Assert.Equal("3", await Tools.RedisCliAsync(Port, "RPUSH", "cli:l", "a", "b", "c"));
        Assert.Equal("a\nb\nc", await Tools.RedisCliAsync(Port, "LRANGE", "cli:l", "0", "-1"));
        Assert.Equal("c", await Tools.RedisCliAsync(Port, "RPOPLPUSH", "cli:l", "cli:l"));
        Assert.Equal("c\na\nb", await Tools.RedisCliAsync(Port, "LRANGE", "cli:l", "0", "-1"));
        Assert.Equal("ERR index out of range", await Tools.RedisCliAsync(Port, "LSET", "cli:l", "9", "x"));
        Assert.Equal("cli:l\nc\na", await Tools.RedisCliAsync(Port, "LMPOP", "1", "cli:l", "LEFT", "COUNT", "2"));
        Assert.Equal("quicklist", await Tools.RedisCliAsync(Port, "OBJECT", "ENCODING", "cli:l"));
    }
}
