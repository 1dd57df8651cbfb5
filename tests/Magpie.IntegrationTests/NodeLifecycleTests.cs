using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>Start-up options, expiry and eviction, each on a node of its own.</summary>
public class NodeLifecycleTests
{
    [Theory]
    [InlineData("--port", "70000", "port")]
    [InlineData("--maxmemory-policy", "sometimes", "maxmemory-policy")]
    [InlineData("--maxmemory", "lots", "maxmemory")]
    [InlineData("--databases", "zero", "databases")]
    [InlineData("--bind", "not-an-ip", "bind")]
    public async Task Bad_option_stops_the_node_with_a_message_naming_it(string option, string value, string name)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "magpie.dll");
        string[] args = option == "--port"
            ? [dll, "server", option, value]
            : [dll, "server", "--port", MagpieNode.FreePort().ToString(), "--http-port", "-1", option, value];
        var result = await Tools.RunAsync("dotnet", args, timeoutSeconds: 30);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{name}:", result.StdErr);
    }

    [Fact]
    public async Task Environment_variables_configure_the_node()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "magpie.dll");
        var env = new Dictionary<string, string> { ["MAGPIE_MAXMEMORYPOLICY"] = "bogus" };
        var result = await Tools.RunAsync("dotnet", [dll, "server", "--port", MagpieNode.FreePort().ToString(), "--http-port", "-1"], timeoutSeconds: 30, env: env);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("maxmemory-policy: 'bogus'", result.StdErr);
    }

    [Fact]
    public async Task Active_expiry_reclaims_keys_nobody_reads()
    {
        await using var node = await MagpieNode.StartAsync("--hz", "50");
        var script = string.Concat(Enumerable.Range(0, 500).Select(i => $"SET exp:{i} v PX 200\n")) + "SET keep v\n";
        await Tools.RunAsync("redis-cli", ["-p", node.Port.ToString()], stdin: script);
        Assert.Equal("501", await Tools.RedisCliAsync(node.Port, "DBSIZE"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string size;
        do
        {
            await Task.Delay(200);
            size = await Tools.RedisCliAsync(node.Port, "DBSIZE");
        } while (size != "1" && DateTime.UtcNow < deadline);
        Assert.Equal("1", size);
        Assert.Contains("expired_keys:500", await Tools.RedisCliAsync(node.Port, "INFO", "stats"));
    }

    [Fact]
    public async Task Eviction_keeps_memory_under_maxmemory()
    {
        await using var node = await MagpieNode.StartAsync("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru");
        var value = new string('v', 200);
        var script = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"SET ev:{i} {value}\n"));
        var result = await Tools.RunAsync("redis-cli", ["-p", node.Port.ToString()], stdin: script, timeoutSeconds: 120);
        Assert.DoesNotContain("OOM", result.StdOut);
        long keys = long.Parse(await Tools.RedisCliAsync(node.Port, "DBSIZE"));
        Assert.InRange(keys, 1000, 19_999);
        var info = await Tools.RedisCliAsync(node.Port, "INFO", "memory");
        long used = long.Parse(info.Split('\n').First(l => l.StartsWith("used_memory:"))["used_memory:".Length..].Trim());
        Assert.True(used <= 2 * 1024 * 1024, $"used_memory {used} is over maxmemory");
        Assert.Contains("evicted_keys:", await Tools.RedisCliAsync(node.Port, "INFO", "stats"));
    }

    [Fact]
    public async Task Noeviction_answers_oom_and_keeps_reads_working()
    {
        await using var node = await MagpieNode.StartAsync("--maxmemory", "1mb");
        var value = new string('v', 1000);
        var script = string.Concat(Enumerable.Range(0, 3000).Select(i => $"SET oom:{i} {value}\n"));
        var result = await Tools.RunAsync("redis-cli", ["-p", node.Port.ToString()], stdin: script, timeoutSeconds: 120);
        Assert.Contains("OOM command not allowed when used memory > 'maxmemory'.", result.StdOut);
        Assert.Equal(value, await Tools.RedisCliAsync(node.Port, "GET", "oom:0"));
        Assert.Equal("1", await Tools.RedisCliAsync(node.Port, "DEL", "oom:0"));
    }
}

public class IdleTimeoutTests
{
    [Fact]
    public async Task Idle_clients_are_closed_after_timeout_and_traffic_is_counted()
    {
        await using var node = await MagpieNode.StartAsync("--timeout", "1");
        using var idle = await RawConnection.OpenAsync(node.Port);
        Assert.Equal("+PONG\r\n", await idle.RequestAsync("PING"));
        Assert.True(await idle.IsClosedByServerAsync(timeoutMs: 5000), "an idle client should be closed after 1 s");
        var stats = await Tools.RedisCliAsync(node.Port, "INFO", "stats");
        long input = long.Parse(stats.Split('\n').First(l => l.StartsWith("total_net_input_bytes:"))[22..].Trim());
        Assert.True(input >= 14, $"input bytes {input}");
    }
}

public class ConfigurationSourcesTests
{
    [Fact]
    public async Task Json_config_file_and_structured_json_logs()
    {
        var dir = Directory.CreateTempSubdirectory("magpie-config-");
        try
        {
            var config = Path.Combine(dir.FullName, "magpie.json");
            await File.WriteAllTextAsync(config, """{ "MaxMemory": "64mb", "MaxMemoryPolicy": "allkeys-lfu", "LogFormat": "json" }""");
            await using var node = await MagpieNode.StartAsync("--config", config);
            Assert.Equal("maxmemory\n67108864", await Tools.RedisCliAsync(node.Port, "CONFIG", "GET", "maxmemory"));
            Assert.Equal("maxmemory-policy\nallkeys-lfu", await Tools.RedisCliAsync(node.Port, "CONFIG", "GET", "maxmemory-policy"));

            // Every log line is one JSON object; the ready line carries its fields.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!node.Log.Contains("Ready to accept connections") && DateTime.UtcNow < deadline) await Task.Delay(100);
            var ready = node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.Contains("Ready to accept connections"));
            using var json = System.Text.Json.JsonDocument.Parse(ready);
            Assert.Equal(1, json.RootElement.GetProperty("EventId").GetInt32());
            Assert.Equal(node.Port, json.RootElement.GetProperty("State").GetProperty("Port").GetInt32());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Command_line_overrides_environment_which_overrides_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("magpie-config-");
        try
        {
            var config = Path.Combine(dir.FullName, "magpie.json");
            await File.WriteAllTextAsync(config, """{ "MaxMemorySamples": 3, "Hz": 20 }""");
            int port = MagpieNode.FreePort();
            var dll = Path.Combine(AppContext.BaseDirectory, "magpie.dll");
            var env = new Dictionary<string, string> { ["MAGPIE_MAXMEMORYSAMPLES"] = "7", ["MAGPIE_HZ"] = "30" };
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { dll, "server", "--config", config, "--port", port.ToString(), "--http-port", "-1", "--hz", "40" }) psi.ArgumentList.Add(a);
            foreach (var (k, v) in env) psi.Environment[k] = v;
            using var process = System.Diagnostics.Process.Start(psi)!;
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                string? samples = null;
                while (DateTime.UtcNow < deadline)
                {
                    var r = await Tools.RunAsync("redis-cli", ["-p", port.ToString(), "CONFIG", "GET", "maxmemory-samples"]);
                    if (r.StdOut.Contains("maxmemory-samples")) { samples = r.StdOut.Trim(); break; }
                    await Task.Delay(200);
                }
                Assert.Equal("maxmemory-samples\n7", samples);            // env beats file
                Assert.Equal("hz\n40", await Tools.RedisCliAsync(port, "CONFIG", "GET", "hz")); // command line beats env
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
