using Magpie.Groups;
using Magpie.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Magpie.Server.Telemetry;

/// <summary>
/// OpenTelemetry for a node: the meters <c>Magpie.Server</c> and <c>Magpie.Groups</c> served on
/// /metrics by the Prometheus exporter, and, with <c>--otlp-endpoint</c>, metrics and the
/// <c>Magpie.Groups</c> spans sent by OTLP.
/// </summary>
public static class NodeTelemetry
{
    public static void AddNodeTelemetry(this WebApplicationBuilder builder, MagpieOptions options)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<NodeMeters>();
        builder.Services.AddSingleton<GroupMeters>();
        var otlp = options.OtlpEndpoint.Length == 0 ? null : new Uri(options.OtlpEndpoint);
        bool http = options.OtlpProtocol == "http/protobuf";

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("magpie", serviceInstanceId: options.Self.Length > 0 ? options.Self : $"127.0.0.1:{options.Port}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(NodeMeters.MeterName, GroupMeters.MeterName);
                // Every scrape reads the current figures (the default caches a scrape for 300 ms).
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is not null) metrics.AddOtlpExporter(o => Configure(o, otlp, http, "v1/metrics"));
            });
        if (otlp is not null)
            telemetry.WithTracing(tracing => tracing
                .AddSource(GroupActivities.SourceName)
                .AddOtlpExporter(o => Configure(o, otlp, http, "v1/traces")));
    }

    /// <summary>Maps /metrics and creates the meters, so their instruments exist before the first scrape.</summary>
    public static void MapNodeTelemetry(this WebApplication app)
    {
        app.Services.GetRequiredService<NodeMeters>();
        app.Services.GetRequiredService<GroupMeters>();
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>OTLP over HTTP posts each signal to its own path under the endpoint; gRPC takes the endpoint as it is.</summary>
    private static void Configure(OtlpExporterOptions o, Uri endpoint, bool http, string signalPath)
    {
        o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        o.Endpoint = http && endpoint.AbsolutePath is "/" or "" ? new Uri(endpoint, signalPath) : endpoint;
    }
}
