using System.Diagnostics;
using Magpie.IntegrationTests.Infrastructure;
using Magpie.Ecosystem.Tests.Infrastructure;
using StackExchange.Redis;

namespace Magpie.Ecosystem.Tests;

/// <summary>
/// The real redis_exporter (Debian's prometheus-redis-exporter) pointed at a Magpie node: what an
/// operator's existing Redis dashboards and alerts read must be there.
/// </summary>
public sealed class RedisExporterTests(ServersFixture servers) : IClassFixture<ServersFixture>
{
    private const string Exporter = "/usr/bin/prometheus-redis-exporter";

    [Fact]
    public async Task Redis_exporter_reads_a_magpie_node()
    {
        Assert.True(File.Exists(Exporter), "prometheus-redis-exporter is not installed (scripts/install-test-deps.sh installs it)");
        await using (var mux = await Infrastructure.Connections.ConnectAsync(servers.Magpie.Port))
        {
            var db = mux.GetDatabase();
            await db.StringSetAsync("exporter:a", "1");
            await db.StringSetAsync("exporter:b", "2", TimeSpan.FromMinutes(5));
            await db.StringGetAsync("exporter:a");
        }

        int port = MagpieNode.FreePort();
        var psi = new ProcessStartInfo(Exporter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-redis.addr", $"redis://127.0.0.1:{servers.Magpie.Port}", "-web.listen-address", $"127.0.0.1:{port}" })
            psi.ArgumentList.Add(a);
        using var exporter = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        exporter.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        exporter.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        exporter.BeginOutputReadLine();
        exporter.BeginErrorReadLine();
        try
        {
            string body = await ScrapeAsync(port);
            var series = body.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToArray();
            string Has(string prefix) => series.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException($"no {prefix} series; exporter log:\n{log}\n{body}");

            Assert.Equal("redis_up 1", Has("redis_up "));
            Has("redis_memory_used_bytes ");
            Has("redis_memory_max_bytes ");
            Has("redis_connected_clients ");
            Has("redis_commands_processed_total ");
            Has("redis_commands_total{cmd=\"get\"}");
            Has("redis_keyspace_hits_total ");
            Has("redis_db_keys{db=\"db0\"}");
            Assert.Equal("redis_db_keys_expiring{db=\"db0\"} 1", Has("redis_db_keys_expiring{db=\"db0\"}"));
            Has("redis_connected_slaves ");
            Assert.Contains("role=\"master\"", Has("redis_instance_info{"));
            Has("redis_uptime_in_seconds ");
        }
        finally
        {
            exporter.Kill(entireProcessTree: true);
            await exporter.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Every magpie_* series the Grafana dashboard (deploy/grafana) queries is one the node exports.</summary>
    [Fact]
    public async Task Grafana_dashboard_queries_only_metrics_the_node_exports()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Magpie.slnx"))) dir = dir.Parent;
        var json = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "deploy", "grafana", "magpie-dashboard.json"));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var queried = System.Text.RegularExpressions.Regex.Matches(json, @"magpie_[a-z_]+").Select(m => m.Value).ToHashSet();
        Assert.True(queried.Count > 10);

        await using (var mux = await Infrastructure.Connections.ConnectAsync(servers.Magpie.Port))
            await mux.GetDatabase().StringSetAsync("dashboard:probe", "1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var exported = await http.GetStringAsync($"http://127.0.0.1:{servers.Magpie.HttpPort}/metrics");
        // Group families appear once a group is registered; the node here has none.
        var missing = queried.Where(name => !name.StartsWith("magpie_group_", StringComparison.Ordinal) && !exported.Contains(name + " ", StringComparison.Ordinal) && !exported.Contains(name + "{", StringComparison.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, "the dashboard queries series the node does not export: " + string.Join(", ", missing));
    }

    private static async Task<string> ScrapeAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                return await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
