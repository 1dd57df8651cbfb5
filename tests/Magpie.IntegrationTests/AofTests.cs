using System.Text;
using Magpie.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Magpie.IntegrationTests;

/// <summary>
/// The append-only file with the real processes: Redis 7's multi-part layout that redis-check-aof
/// accepts, an AOF directory written by redis-server 7.0.15 loading into Magpie, kill -9 crash tests
/// per fsync policy, CONFIG SET appendonly at runtime (the AOF then wins over the snapshot), and
/// truncated or corrupted files.
/// </summary>
[Collection("Persistence")]
public class AofTests(ITestOutputHelper output)
{
    private static string NewDir() => Directory.CreateTempSubdirectory("magpie-aof-").FullName;

    private static string Aof(string dir, string file = "") => Path.Combine(dir, "appendonlydir", file);

    private static Dictionary<string, string> Contents(RespClient c)
    {
        var map = new Dictionary<string, string>();
        foreach (var db in new[] { "0", "3" })
        {
            c.Call("SELECT", db);
            foreach (var key in ((object?[])c.Call("KEYS", "*")!).Cast<byte[]>())
                map[$"{db}/{Convert.ToHexString(key)}"] = DumpRestoreTests.Describe(c, key);
        }
        c.Call("SELECT", "0");
        return map;
    }

    private static void Fill(RespClient c)
    {
        foreach (var (_, _, build) in DumpRestoreTests.DataSet())
            foreach (var cmd in build) c.Call(cmd);
        c.Call("SET", "ttl", "v", "EX", "1000");
        c.Call("SADD", "spop", "a", "b", "c", "d");
        c.Call("SPOP", "spop");
        c.Call("INCRBYFLOAT", "float", "1.25");
        c.Call("SELECT", "3");
        c.Call("RPUSH", "db3", "x", "y");
        c.Call("MULTI");
        c.Call("INCR", "counter");
        c.Call("LPOP", "db3");
        c.Call("EXEC");
        c.Call("SELECT", "0");
    }

    private static async Task WaitForRewrite(RespClient c)
    {
        for (int i = 0; i < 200; i++)
        {
            var info = c.CallString("INFO", "persistence");
            if (info.Contains("aof_rewrite_in_progress:0") && !info.Contains("aof_rewrite_scheduled:1")) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("BGREWRITEAOF did not finish");
    }

    [Fact]
    public async Task Magpie_aof_passes_redis_check_aof_survives_rewrite_and_restart()
    {
        var dir = NewDir();
        Dictionary<string, string> expected;
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes"))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            Fill(c);
            Assert.Equal("Background append only file rewriting started", c.Call("BGREWRITEAOF"));
            c.Call("SET", "during", "rewrite");
            await WaitForRewrite(c);
            c.Call("SET", "after", "rewrite");
            c.Call("XADD", "stream", "*", "f", "v");
            var info = c.CallString("INFO", "persistence");
            Assert.Contains("aof_enabled:1", info);
            Assert.Contains("aof_last_bgrewrite_status:ok", info);
            Assert.Equal("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", await File.ReadAllTextAsync(Aof(dir, "appendonly.aof.manifest")));
            expected = Contents(c);
            await magpie.KillAsync();
        }
        var check = await Tools.RunAsync("redis-check-aof", [Aof(dir, "appendonly.aof.manifest")]);
        Assert.True(check.ExitCode == 0, check.StdOut + check.StdErr);
        Assert.Contains("All AOF files and manifest are valid", check.StdOut);
        // redis-server loads Magpie's AOF directory, and so does Magpie.
        await using (var redis = await RedisServerProcess.StartAsync(dir, "--appendonly", "yes"))
        {
            using var r = await RespClient.ConnectAsync(redis.Port);
            Assert.Equal(expected, Contents(r));
        }
        await using var again = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes");
        using var a = await RespClient.ConnectAsync(again.Port);
        Assert.Equal(expected, Contents(a));
    }

    [Fact]
    public async Task Redis_server_aof_directory_loads_into_magpie()
    {
        var dir = NewDir();
        Dictionary<string, string> expected;
        await using (var redis = await RedisServerProcess.StartAsync(dir, "--appendonly", "yes"))
        {
            using var r = await RespClient.ConnectAsync(redis.Port);
            Fill(r);
            Assert.Equal("Background append only file rewriting started", r.Call("BGREWRITEAOF"));
            await WaitForRewrite(r);
            r.Call("SET", "after", "rewrite");
            r.Call("EXPIRE", "after", "500");
            r.Call("XADD", "stream", "*", "f", "v");
            expected = Contents(r);
        }
        await using var magpie = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes");
        using var c = await RespClient.ConnectAsync(magpie.Port);
        Assert.Equal(expected, Contents(c));
        Assert.Contains("DB loaded from append only file", magpie.Log);
    }

    /// <summary>Acknowledged INCRs until kill -9; returns (acknowledged, recovered).</summary>
    private async Task<(long Acked, long Recovered)> CrashAfterIncrs(string policy)
    {
        var dir = NewDir();
        long acked = 0;
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes", "--appendfsync", policy))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            var until = DateTime.UtcNow.AddMilliseconds(1500);
            var writer = Task.Run(() =>
            {
                try
                {
                    while (true)
                    {
                        if (c.Call("INCR", "counter") is long v) acked = v;
                        else break;
                    }
                }
                catch (Exception) { }
            });
            while (DateTime.UtcNow < until) await Task.Delay(50);
            await magpie.KillAsync();
            await writer.WaitAsync(TimeSpan.FromSeconds(10));
        }
        await using var again = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes");
        using var a = await RespClient.ConnectAsync(again.Port);
        long recovered = long.Parse(a.CallString("GET", "counter"));
        output.WriteLine($"appendfsync {policy}: {acked} INCRs acknowledged before kill -9, {recovered} recovered, {Math.Max(0, acked - recovered)} lost");
        return (acked, recovered);
    }

    [Fact]
    public async Task Kill_9_with_appendfsync_always_loses_no_acknowledged_write()
    {
        var (acked, recovered) = await CrashAfterIncrs("always");
        Assert.True(acked > 50, $"only {acked} INCRs ran");
        Assert.True(recovered >= acked, $"{acked - recovered} acknowledged INCRs lost");
        Assert.True(recovered <= acked + 1, "more INCRs than were sent");
    }

    [Fact]
    public async Task Kill_9_with_appendfsync_everysec_loses_at_most_about_a_second()
    {
        var (acked, recovered) = await CrashAfterIncrs("everysec");
        Assert.True(acked > 50, $"only {acked} INCRs ran");
        // kill -9 keeps what reached the OS; everysec bounds a power loss, not a crash, to about 1 s.
        Assert.True(acked - recovered < acked / 1.5 + 1, $"lost {acked - recovered} of {acked}");
        Assert.True(recovered <= acked + 1);
    }

    [Fact]
    public async Task Config_set_appendonly_at_runtime_then_the_aof_wins_over_the_snapshot()
    {
        var dir = NewDir();
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            c.Call("SET", "rdbonly", "1");
            c.Call("SET", "kept", "1");
            Assert.Equal("OK", c.Call("SAVE"));
            Assert.Contains("aof_enabled:0", c.CallString("INFO", "persistence"));
            Assert.Equal("OK", c.Call("CONFIG", "SET", "appendonly", "yes"));
            await WaitForRewrite(c);
            Assert.Contains("aof_enabled:1", c.CallString("INFO", "persistence"));
            c.Call("DEL", "rdbonly");
            c.Call("SET", "aofonly", "1");
            Assert.Equal("yes", Encoding.ASCII.GetString((byte[])((object?[])c.Call("CONFIG", "GET", "appendonly")!)[1]!));
            await magpie.KillAsync();
        }
        await using var again = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes");
        using var a = await RespClient.ConnectAsync(again.Port);
        Assert.Equal(0L, a.Call("EXISTS", "rdbonly"));
        Assert.Equal(2L, a.Call("EXISTS", "kept", "aofonly"));
    }

    [Fact]
    public async Task Truncated_and_corrupted_aof_files()
    {
        var dir = NewDir();
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes"))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            c.Call("SET", "a", "1");
            c.Call("SET", "b", "2");
            await WaitForRewrite(c);
            await magpie.KillAsync();
        }
        var incr = Aof(dir, "appendonly.aof.1.incr.aof");
        var good = await File.ReadAllBytesAsync(incr);
        var partial = "*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$5\r\nval"u8.ToArray();
        await File.WriteAllBytesAsync(incr, [.. good, .. partial]);

        var refused = await RunServer("--data-dir", dir, "--appendonly", "yes", "--aof-load-truncated", "no");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"Bad AOF file '{incr}' at offset {good.Length}", refused.StdErr + refused.StdOut);

        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir, "--appendonly", "yes"))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            Assert.Equal("2", c.CallString("GET", "b"));
            Assert.Equal(0L, c.Call("EXISTS", "z"));
            Assert.Contains("short read while loading the AOF file", magpie.Log);
            await magpie.KillAsync();
        }
        Assert.Equal(good, (await File.ReadAllBytesAsync(incr))[..good.Length]);

        var corrupt = (byte[])good.Clone();
        int at = Encoding.ASCII.GetString(good).IndexOf("*3", 5, StringComparison.Ordinal);
        corrupt[at] = (byte)'!';
        await File.WriteAllBytesAsync(incr, corrupt);
        var broken = await RunServer("--data-dir", dir, "--appendonly", "yes");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains($"Bad AOF file '{incr}' at offset {at}", broken.StdErr + broken.StdOut);
    }

    private static Task<ProcessResult> RunServer(params string[] args) =>
        Tools.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "magpie.dll"), "server", "--port", MagpieNode.FreePort().ToString(), "--http-port", "-1", .. args], timeoutSeconds: 60);
}
