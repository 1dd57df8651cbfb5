using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// RDB snapshots with the real processes: Magpie's dump.rdb passes redis-check-rdb and loads into
/// redis-server 7.0.15 with identical contents, redis-server's dump.rdb loads into Magpie, bad files
/// stop the node naming file and offset, and a crash during BGSAVE leaves the previous dump intact.
/// </summary>
[Collection("Persistence")]
public class SnapshotTests
{
    private static string NewDir() => Directory.CreateTempSubdirectory("magpie-rdb-").FullName;

    /// <summary>Fills databases 0..15 with every type and encoding, binary keys and TTLs.</summary>
    private static void Fill(RespClient c)
    {
        for (int db = 0; db < 16; db++)
        {
            c.Call("SELECT", db.ToString());
            var data = db % 4 == 0 ? DumpRestoreTests.DataSet() : DumpRestoreTests.DataSet().Take(6).ToList();
            foreach (var (_, _, build) in data)
                foreach (var cmd in build) c.Call(cmd);
            c.Call("SET", $"db{db}", $"value-{db}");
            c.Call("SET", "ttl:key", "expires", "EX", "1000");
            c.Call("HSET", "ttl:hash", "f", "v");
            c.Call("PEXPIRE", "ttl:hash", "900000");
        }
        c.Call("SELECT", "0");
    }

    private static Dictionary<string, string> Contents(RespClient c)
    {
        var map = new Dictionary<string, string>();
        for (int db = 0; db < 16; db++)
        {
            c.Call("SELECT", db.ToString());
            foreach (var key in ((object?[])c.Call("KEYS", "*")!).Cast<byte[]>())
                map[$"{db}/{Convert.ToHexString(key)}"] = DumpRestoreTests.Describe(c, key);
        }
        c.Call("SELECT", "0");
        return map;
    }

    [Fact]
    public async Task Magpie_dump_passes_redis_check_rdb_and_loads_into_redis_server()
    {
        var dir = NewDir();
        Dictionary<string, string> expected;
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            Fill(c);
            expected = Contents(c);
            Assert.Equal("OK", c.Call("SAVE"));
            // BGSAVE writes the same contents in the background.
            Assert.Equal("Background saving started", c.Call("BGSAVE"));
            await WaitForBgsave(c);
            Assert.Contains("rdb_last_bgsave_status:ok", c.CallString("INFO", "persistence"));
        }
        var check = await Tools.RunAsync("redis-check-rdb", [Path.Combine(dir, "dump.rdb")]);
        Assert.True(check.ExitCode == 0, check.StdOut + check.StdErr);
        Assert.Contains("RDB looks OK", check.StdOut);

        await using var redis = await RedisServerProcess.StartAsync(dir);
        using var r = await RespClient.ConnectAsync(redis.Port);
        Assert.Equal(expected, Contents(r));
    }

    [Fact]
    public async Task Redis_server_dump_loads_into_magpie_and_survives_a_restart()
    {
        var dir = NewDir();
        Dictionary<string, string> expected;
        await using (var redis = await RedisServerProcess.StartAsync(dir))
        {
            using var r = await RespClient.ConnectAsync(redis.Port);
            Fill(r);
            expected = Contents(r);
            Assert.Equal("OK", r.Call("SAVE"));
        }
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            Assert.Equal(expected, Contents(c));
            Assert.Contains("DB loaded from disk", magpie.Log);
            // SHUTDOWN SAVE writes it back; the restarted node has the same contents.
            c.Call("SET", "after", "restart");
            expected["0/" + Convert.ToHexString(Encoding.ASCII.GetBytes("after"))] = "string:" + Convert.ToHexString(Encoding.ASCII.GetBytes("restart")) + ":ttl=-1";
            Assert.Equal("ERR No shutdown in progress.", c.Call("SHUTDOWN", "ABORT")?.ToString());
            try { c.Call("SHUTDOWN", "SAVE"); } catch (Exception e) when (e is IOException or EndOfStreamException) { }
            for (int i = 0; i < 100 && !magpie.HasExited; i++) await Task.Delay(100);
            Assert.True(magpie.HasExited, "SHUTDOWN did not stop the node");
        }
        await using (var again = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(again.Port);
            Assert.Equal(expected, Contents(c));
        }
    }

    [Fact]
    public async Task Bad_files_and_directories_stop_the_node_with_a_clear_error()
    {
        var dir = NewDir();
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            Fill(c);
            Assert.Equal("OK", c.Call("SAVE"));
        }
        var path = Path.Combine(dir, "dump.rdb");
        var good = await File.ReadAllBytesAsync(path);

        await File.WriteAllBytesAsync(path, good[..(good.Length / 2)]);
        var truncated = await RunServer("--data-dir", dir);
        Assert.NotEqual(0, truncated.ExitCode);
        Assert.Matches(@"Bad RDB file '.*dump\.rdb' at offset \d+", truncated.StdErr + truncated.StdOut);

        var corrupt = (byte[])good.Clone();
        corrupt[good.Length - 30] ^= 0xFF;
        await File.WriteAllBytesAsync(path, corrupt);
        var flipped = await RunServer("--data-dir", dir);
        Assert.NotEqual(0, flipped.ExitCode);
        Assert.Matches(@"Bad RDB file '.*dump\.rdb' at offset \d+", flipped.StdErr + flipped.StdOut);

        var readOnly = Path.Combine(dir, "file-not-dir");
        await File.WriteAllTextAsync(readOnly, "x");
        var unwritable = await RunServer("--data-dir", readOnly);
        Assert.NotEqual(0, unwritable.ExitCode);
        Assert.Contains("data-dir:", unwritable.StdErr + unwritable.StdOut);
    }

    [Fact]
    public async Task Killing_the_node_during_bgsave_leaves_the_previous_dump_intact()
    {
        var dir = NewDir();
        var path = Path.Combine(dir, "dump.rdb");
        await using (var magpie = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(magpie.Port);
            c.Call("SET", "before", "1");
            Assert.Equal("OK", c.Call("SAVE"));
            var previous = await File.ReadAllBytesAsync(path);
            // Enough data that BGSAVE takes a while, then kill -9 while it runs.
            var python = $"import redis\nr=redis.Redis(port={magpie.Port})\np=r.pipeline(transaction=False)\nfor i in range(200000):\n    p.set('key:%d' % i, 'x' * 200)\n    if i % 5000 == 0: p.execute()\np.execute()\n";
            var fill = await Tools.RunAsync(Tools.Python, ["-c", python], timeoutSeconds: 120);
            Assert.True(fill.ExitCode == 0, fill.StdErr);
            Assert.Equal("Background saving started", c.Call("BGSAVE"));
            await Task.Delay(30);
            await magpie.KillAsync();
            Assert.Equal(previous, await File.ReadAllBytesAsync(path));
        }
        var check = await Tools.RunAsync("redis-check-rdb", [path]);
        Assert.True(check.ExitCode == 0, check.StdOut);
    }

    [Fact]
    public async Task Persistence_commands_follow_redis()
    {
        await using var magpie = await MagpieNode.StartAsync("--data-dir", NewDir(), "--save", "3600 1 300 100");
        using var c = await RespClient.ConnectAsync(magpie.Port);
        long last = (long)c.Call("LASTSAVE")!;
        c.Call("SET", "a", "1");
        Assert.Contains("rdb_changes_since_last_save:1", c.CallString("INFO", "persistence"));
        Assert.Equal("OK", c.Call("MULTI"));
        Assert.Equal("ERR Command not allowed inside a transaction", c.Call("SAVE")?.ToString());
        Assert.Equal("ERR Command not allowed inside a transaction", c.Call("SHUTDOWN")?.ToString());
        Assert.StartsWith("EXECABORT", c.Call("EXEC")?.ToString());
        Assert.Equal("ERR syntax error", c.Call("BGSAVE", "NOW")?.ToString());
        Assert.Equal("ERR syntax error", c.Call("SHUTDOWN", "SAVE", "NOSAVE")?.ToString());
        Assert.Equal("3600 1 300 100", ((object?[])c.Call("CONFIG", "GET", "save")!).Cast<byte[]>().Select(Encoding.UTF8.GetString).Last());
        await Task.Delay(1100);
        Assert.Equal("OK", c.Call("SAVE"));
        Assert.True((long)c.Call("LASTSAVE")! > last);
        var info = c.CallString("INFO", "persistence");
        Assert.Contains("rdb_changes_since_last_save:0", info);
        Assert.Contains("rdb_bgsave_in_progress:0", info);
        Assert.Contains("aof_enabled:0", info);
        Assert.Contains("# Persistence", c.CallString("INFO"));

        // Without --data-dir nothing is written.
        await using var plain = await MagpieNode.StartAsync();
        using var p = await RespClient.ConnectAsync(plain.Port);
        Assert.StartsWith("ERR persistence is off", p.Call("SAVE")?.ToString());
    }

    private static async Task WaitForBgsave(RespClient c)
    {
        for (int i = 0; i < 300; i++)
        {
            if (c.CallString("INFO", "persistence").Contains("rdb_bgsave_in_progress:0")) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("BGSAVE did not finish");
    }

    private static Task<ProcessResult> RunServer(params string[] args) =>
        Tools.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "magpie.dll"), "server", "--port", MagpieNode.FreePort().ToString(), "--http-port", "-1", .. args], timeoutSeconds: 60);
}
