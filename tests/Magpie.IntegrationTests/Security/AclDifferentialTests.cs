using System.Diagnostics;
using System.Net.Sockets;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Security;

/// <summary>
/// The same ACL SETUSER lines on redis-server 7.0 and on Magpie, then the same commands run as those
/// users (and ACL DRYRUN, GETUSER, LIST): the replies must be byte for byte the same.
/// </summary>
[Collection(SecurityCollection.Name)]
public class AclDifferentialTests
{
    private static readonly string[][] Setup =
    [
        ["ACL", "SETUSER", "u1", "on", ">p1", "+@read", "-get", "+set", "~k*", "%R~r*", "&ch*"],
        ["ACL", "SETUSER", "u2", "on", "nopass", "allcommands", "-@dangerous", "+config|get", "allkeys", "allchannels"],
        ["ACL", "SETUSER", "u3", "on", ">p3", "-@all", "+get", "~g*", "(+set ~s*)"],
        ["ACL", "SETUSER", "u4", "on", ">p4", "+@all", "~*", "resetchannels", "&news.*", "-config", "+config|get"],
        ["ACL", "SETUSER", "u5", "off", "#" + new string('a', 64), "+get", "~x"],
        ["ACL", "SETUSER", "bad", "+nosuchcommand"],
        ["ACL", "SETUSER", "bad", "foo"],
        ["ACL", "SETUSER", "bad", "(foo"],
        ["ACL", "SETUSER", "bad", "#abc"],
        ["ACL", "SETUSER", "bad", "<nope"],
        ["ACL", "SETUSER", "bad", "+@nosuchcategory"],
        ["ACL", "USERS"],
        ["ACL", "GETUSER", "u1"],
        ["ACL", "GETUSER", "u3"],
        ["ACL", "GETUSER", "u4"],
        ["ACL", "GETUSER", "nobody"],
        ["ACL", "CAT"],
        ["ACL", "DRYRUN", "u1", "get", "k1"],
        ["ACL", "DRYRUN", "u1", "set", "x", "1"],
        ["ACL", "DRYRUN", "u1", "set", "k1", "1"],
        ["ACL", "DRYRUN", "u1", "lrange", "r1", "0", "1"],
        ["ACL", "DRYRUN", "u1", "mget", "k1", "r1", "x"],
        ["ACL", "DRYRUN", "u1", "publish", "ch1", "m"],
        ["ACL", "DRYRUN", "u1", "publish", "other", "m"],
        ["ACL", "DRYRUN", "u1", "nosuchcommand"],
        ["ACL", "DRYRUN", "u1", "get"],
        ["ACL", "DRYRUN", "nobody", "get", "a"],
        ["ACL", "DRYRUN", "u2", "config", "get", "maxmemory"],
        ["ACL", "DRYRUN", "u2", "config", "set", "maxmemory", "1"],
        ["ACL", "DRYRUN", "u3", "set", "s1", "v"],
        ["ACL", "DRYRUN", "u3", "set", "g1", "v"],
        ["ACL", "DRYRUN", "u3", "get", "s1"],
        ["ACL", "DRYRUN", "u3", "get", "g1"],
        ["ACL", "DRYRUN", "u4", "publish", "news.today", "m"],
        ["ACL", "DRYRUN", "u4", "publish", "sports", "m"],
        ["ACL", "DRYRUN", "u4", "config", "set", "maxmemory", "1"],
        ["ACL", "DRYRUN", "u4", "config", "get", "maxmemory"],
        ["ACL", "DELUSER", "default"],
        ["AUTH", "x"],
        ["AUTH", "u1", "wrong"],
        ["AUTH", "u5", "whatever"],
        ["HELLO", "3", "AUTH", "bob", "x"],
        ["ACL", "WHOAMI"],
    ];

    // Run after AUTH as the named user, on a connection of its own.
    private static readonly (string User, string Password, string[][] Commands)[] AsUsers =
    [
        ("u1", "p1", [["ACL", "WHOAMI"], ["SET", "k1", "v"], ["GET", "k1"], ["SET", "zz", "v"], ["GET", "r1"], ["MGET", "k1", "r1"], ["STRLEN", "k1"],
            ["PUBLISH", "ch1", "m"], ["PUBLISH", "other", "m"], ["DEL", "k1"], ["FLUSHALL"], ["ACL", "LIST"]]),
        ("u3", "p3", [["SET", "s1", "v"], ["SET", "g1", "v"], ["GET", "g1"], ["GET", "s1"], ["INCR", "g1"]]),
        ("u4", "p4", [["PUBLISH", "news.x", "m"], ["PUBLISH", "x", "m"], ["CONFIG", "SET", "maxmemory", "0"], ["SET", "any", "v"]]),
    ];

    [Fact]
    public async Task Acl_rules_answer_as_redis_server_does()
    {
        await using var magpie = await MagpieNode.StartAsync();
        await using var redis = await RedisServerProcess.StartAsync();
        using var m = await RawConnection.OpenAsync(magpie.Port);
        using var r = await RawConnection.OpenAsync(redis.Port);
        foreach (var command in Setup)
        {
            var expected = await r.RequestAsync(command);
            Assert.Equal(Normalize(expected), Normalize(await m.RequestAsync(command)));
        }
        foreach (var user in new[] { "u1", "u2", "u4", "u5" })
        {
            var expected = Line(await r.RequestAsync("ACL", "LIST"), user);
            Assert.Equal(Normalize(expected), Normalize(Line(await m.RequestAsync("ACL", "LIST"), user)));
        }
        foreach (var (user, password, commands) in AsUsers)
        {
            using var mu = await RawConnection.OpenAsync(magpie.Port);
            using var ru = await RawConnection.OpenAsync(redis.Port);
            Assert.Equal("+OK\r\n", await ru.RequestAsync("AUTH", user, password));
            Assert.Equal("+OK\r\n", await mu.RequestAsync("AUTH", user, password));
            foreach (var command in commands)
            {
                var expected = await ru.RequestAsync(command);
                Assert.Equal(expected, await mu.RequestAsync(command));
            }
        }
    }

    private static readonly string[][] KeySpecCases =
    [
        ["ACL", "SETUSER", "ks", "on", ">pk", "+@all", "%R~src*", "%W~dst*", "~both*"],
        ["ACL", "DRYRUN", "ks", "copy", "src1", "dst1"],
        ["ACL", "DRYRUN", "ks", "copy", "dst1", "src1"],
        ["ACL", "DRYRUN", "ks", "lmove", "src1", "dst1", "left", "right"],
        ["ACL", "DRYRUN", "ks", "lmove", "both1", "dst1", "left", "right"],
        ["ACL", "DRYRUN", "ks", "rpoplpush", "src1", "dst1"],
        ["ACL", "DRYRUN", "ks", "smove", "both1", "dst1", "m"],
        ["ACL", "DRYRUN", "ks", "set", "dst1", "v"],
        ["ACL", "DRYRUN", "ks", "set", "dst1", "v", "get"],
        ["ACL", "DRYRUN", "ks", "set", "src1", "v"],
        ["ACL", "DRYRUN", "ks", "get", "dst1"],
        ["ACL", "DRYRUN", "ks", "get", "src1"],
        ["ACL", "DRYRUN", "ks", "incr", "src1"],
        ["ACL", "DRYRUN", "ks", "incr", "both1"],
        ["ACL", "DRYRUN", "ks", "getdel", "src1"],
        ["ACL", "DRYRUN", "ks", "exists", "dst1"],
        ["ACL", "DRYRUN", "ks", "del", "dst1"],
        ["ACL", "DRYRUN", "ks", "sinterstore", "dst1", "src1", "src2"],
        ["ACL", "DRYRUN", "ks", "sinterstore", "src1", "dst1"],
        ["ACL", "DRYRUN", "ks", "rename", "src1", "dst1"],
        ["ACL", "DRYRUN", "ks", "sort", "src1"],
        ["ACL", "DRYRUN", "ks", "sort", "src1", "limit", "0", "1", "store", "dst1"],
        ["ACL", "DRYRUN", "ks", "sort", "src1", "store", "src2"],
        ["ACL", "DRYRUN", "ks", "zrangestore", "dst1", "src1", "0", "-1"],
        ["ACL", "DRYRUN", "ks", "lpush", "dst1", "x"],
        ["ACL", "DRYRUN", "ks", "mset", "dst1", "x", "src1", "y"],
    ];

    [Fact]
    public async Task Key_permissions_follow_each_key_specs_flags_and_exec_rechecks_queued_commands()
    {
        await using var magpie = await MagpieNode.StartAsync();
        await using var redis = await RedisServerProcess.StartAsync();
        using var m = await RawConnection.OpenAsync(magpie.Port);
        using var r = await RawConnection.OpenAsync(redis.Port);
        foreach (var command in KeySpecCases)
            Assert.Equal(await r.RequestAsync(command), await m.RequestAsync(command));

        // ACL rules changed between MULTI and EXEC: each queued command is checked again as it runs.
        Assert.Equal("+OK\r\n", await r.RequestAsync("ACL", "SETUSER", "tx", "on", ">pt", "+@all", "~*", "&*"));
        Assert.Equal("+OK\r\n", await m.RequestAsync("ACL", "SETUSER", "tx", "on", ">pt", "+@all", "~*", "&*"));
        using var mu = await RawConnection.OpenAsync(magpie.Port);
        using var ru = await RawConnection.OpenAsync(redis.Port);
        string[][] session = [["AUTH", "tx", "pt"], ["MULTI"], ["SET", "a", "1"], ["GET", "a"], ["PUBLISH", "ch", "m"], ["INCR", "b"]];
        foreach (var command in session) Assert.Equal(await ru.RequestAsync(command), await mu.RequestAsync(command));
        string[] change = ["ACL", "SETUSER", "tx", "-get", "resetkeys", "~a", "resetchannels"];
        Assert.Equal(await r.RequestAsync(change), await m.RequestAsync(change));
        var expected = await ru.RequestAsync("EXEC");
        Assert.Contains("ACLs rules changed", expected);
        Assert.Equal(expected, await mu.RequestAsync("EXEC"));
        Assert.Equal(await r.RequestAsync("GET", "a"), await m.RequestAsync("GET", "a"));
        Assert.Equal(await r.RequestAsync("EXISTS", "b"), await m.RequestAsync("EXISTS", "b"));
    }

    /// <summary>
    /// redis-server prints single-command rules in its command dictionary's order, which is seeded
    /// randomly per process; so rule lists are compared as sets of words, line by line.
    /// </summary>
    private static string Normalize(string reply) =>
        string.Join("\r\n", reply.Split("\r\n").Select(line => string.Join(' ', line.Split(' ').Order(StringComparer.Ordinal))));

    private static string Line(string aclList, string user) =>
        aclList.Split("\r\n").First(l => l.StartsWith($"user {user} ", StringComparison.Ordinal));
}

/// <summary>A throw-away redis-server 7.0 on a free loopback port, persistence off.</summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisServerProcess> StartAsync(params string[] args)
    {
        int port = MagpieNode.FreePort();
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", .. args]) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
        return new RedisServerProcess(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}
