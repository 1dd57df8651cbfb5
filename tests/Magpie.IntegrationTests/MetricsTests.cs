using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>/metrics (OpenTelemetry's Prometheus exporter), read by a real Prometheus server.</summary>
public class MetricsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Metrics_endpoint_exposes_info_figures_without_keys()
    {
        await Tools.RedisCliAsync(fixture.Node.Port, "SET", "metrics:secret-key-name", "v");
        await Tools.RedisCliAsync(fixture.Node.Port, "GET", "metrics:secret-key-name");
        var response = await Http.GetAsync($"http://127.0.0.1:{fixture.Node.HttpPort}/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE magpie_commands_processed_total counter", body);
        // OpenTelemetry's exporter adds the meter as otel_scope_name before the instrument's own tags.
        Assert.Matches("magpie_db_keys\\{otel_scope_name=\"Magpie.Server\",db=\"db0\"\\} [1-9]", body);
        Assert.Matches("magpie_commands_total\\{otel_scope_name=\"Magpie.Server\",cmd=\"get\"\\} [1-9]", body);
        Assert.Contains("# TYPE magpie_memory_used_bytes gauge", body);
        Assert.DoesNotContain("secret-key-name", body);
    }

    [Fact]
    public async Task Prometheus_scrapes_the_node()
    {
        int promPort = MagpieNode.FreePort();
        var dir = Directory.CreateTempSubdirectory("magpie-prom-");
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: magpie
                static_configs:
                  - targets: ["127.0.0.1:{fixture.Node.HttpPort}"]
            """);
        var psi = new ProcessStartInfo("prometheus") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={dir.FullName}/data", $"--web.listen-address=127.0.0.1:{promPort}" })
            psi.ArgumentList.Add(a);
        using var prometheus = Process.Start(psi)!;
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            await Tools.RedisCliAsync(fixture.Node.Port, "SET", "metrics:k", "v");
            var deadline = DateTime.UtcNow.AddSeconds(45);
            string? value = null;
            while (DateTime.UtcNow < deadline && value is null)
            {
                await Task.Delay(500);
                value = await QueryAsync(promPort, "magpie_commands_processed_total");
            }
            Assert.NotNull(value);
            Assert.True(double.Parse(value!, System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.Equal("1", await QueryAsync(promPort, "up{job=\"magpie\"}"));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The first sample's value of an instant query, or null if none yet.</summary>
    private static async Task<string?> QueryAsync(int port, string query)
    {
        try
        {
            var json = await Http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/api/v1/query?query={Uri.EscapeDataString(query)}");
            var result = json.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 0 ? null : result[0].GetProperty("value")[1].GetString();
        }
        catch (HttpRequestException)
        {
            return null; // Prometheus still starting
        }
    }
}
