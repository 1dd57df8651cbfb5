using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// <c>--otlp-endpoint</c>: the node posts its metrics to an OTLP/HTTP receiver. The receiver here is
/// a plain HTTP listener; protobuf keeps strings as raw UTF-8, so the instrument names can be found in
/// the request bodies without decoding them.
/// </summary>
public class OtlpExportTests
{
    [Fact(Timeout = 60_000)]
    public async Task Metrics_are_exported_over_otlp_http()
    {
        int receiverPort = MagpieNode.FreePort();
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        using var receiver = new HttpListener();
        receiver.Prefixes.Add($"http://127.0.0.1:{receiverPort}/");
        receiver.Start();
        var serving = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                HttpListenerContext context;
                try { context = await receiver.GetContextAsync(); }
                catch (Exception) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        });

        var environment = new Dictionary<string, string> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "300" };
        await using var node = await MagpieNode.StartWithEnvironmentAsync(environment,
            "--otlp-endpoint", $"http://127.0.0.1:{receiverPort}", "--otlp-protocol", "http/protobuf");
        await Tools.RedisCliAsync(node.Port, "SET", "otlp:k", "v");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !received.Any(r => Contains(r.Body, "magpie_commands_processed")))
            await Task.Delay(200);

        var export = Assert.Single(received.Where(r => Contains(r.Body, "magpie_commands_processed")).Take(1));
        Assert.Equal("/v1/metrics", export.Path);
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(Contains(export.Body, "Magpie.Server"), "the meter name is the instrumentation scope");
        Assert.True(Contains(export.Body, "service.name"), "the resource names the service");
        receiver.Stop();
        await serving;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_bad_otlp_endpoint_is_refused_naming_the_option()
    {
        var result = await Tools.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "magpie.dll"), "server",
            "--port", "0", "--http-port", "-1", "--otlp-endpoint", "localhost:4317"], timeoutSeconds: 25);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("otlp-endpoint: 'localhost:4317' is not an http:// or https:// URL", result.StdErr);
    }

    private static bool Contains(byte[] body, string text) =>
        body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
