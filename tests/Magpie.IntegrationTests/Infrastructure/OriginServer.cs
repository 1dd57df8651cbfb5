using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>
/// A slow HTTP origin in the test process: <c>GET /scores/{key}</c> answers <c>value-of-{key}</c> after
/// <see cref="Delay"/>, 404 for keys starting with "missing", and counts requests per key.
/// </summary>
public sealed class OriginServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    private OriginServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>How long each request takes, so concurrent misses overlap.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(300);

    public string Template => $"http://127.0.0.1:{Port}/scores/{{key}}";

    public int CallsFor(string key) => _calls.GetValueOrDefault(key);

    public static string ValueOf(string key) => $"value-of-{key}";

    public static async Task<OriginServer> StartAsync()
    {
        int port = MagpieNode.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new OriginServer(app, port);
        app.MapGet("/scores/{key}", async (string key) =>
        {
            server._calls.AddOrUpdate(key, 1, (_, n) => n + 1);
            await Task.Delay(server.Delay);
            return key.StartsWith("missing", StringComparison.Ordinal)
                ? Results.NotFound()
                : Results.Text(ValueOf(key));
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
