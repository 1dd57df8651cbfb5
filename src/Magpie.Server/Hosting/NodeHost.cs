using System.Net;
using Magpie.Server.Connections;
using Magpie.Server.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Hosting;

/// <summary>Builds a node: the generic host with Kestrel serving RESP and HTTP (DESIGN.md decision 2).</summary>
public static class NodeHost
{
    /// <summary>
    /// Reads options from magpie.json (or <paramref name="configFile"/>), MAGPIE_* variables and
    /// <paramref name="overrides"/> (the command line), in that order of precedence, lowest first.
    /// </summary>
    public static IConfiguration LoadConfiguration(string? configFile, IDictionary<string, string?> overrides)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new OptionsException([$"config: file '{configFile}' does not exist"]);
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        else builder.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "magpie.json"), optional: true);
        builder.AddEnvironmentVariables("MAGPIE_");
        builder.AddInMemoryCollection(overrides);
        return builder.Build();
    }

    /// <summary>Binds and validates options; throws <see cref="OptionsException"/> naming every bad option.</summary>
    public static MagpieOptions BindOptions(IConfiguration configuration)
    {
        var options = new MagpieOptions();
        var errors = new List<string>();
        foreach (var property in typeof(MagpieOptions).GetProperties())
        {
            if (property.PropertyType != typeof(int) && property.PropertyType != typeof(bool) && property.PropertyType != typeof(string)) continue;
            var raw = configuration[property.Name];
            if (raw is null) continue;
            try
            {
                object value = property.PropertyType == typeof(int) ? int.Parse(raw, System.Globalization.CultureInfo.InvariantCulture)
                    : property.PropertyType == typeof(bool) ? ParseYesNo(raw)
                    : raw;
                property.SetValue(options, value);
            }
            catch (FormatException)
            {
                string expected = property.PropertyType == typeof(bool) ? "yes or no" : "a whole number";
                errors.Add($"{OptionNames.ToCli(property.Name)}: '{raw}' is not {expected}");
            }
            catch (OverflowException)
            {
                errors.Add($"{OptionNames.ToCli(property.Name)}: '{raw}' is out of range");
            }
        }
        try
        {
            options.Groups = configuration.GetSection("Groups").Get<List<Magpie.Groups.GroupOptions>>() ?? [];
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"groups: {ex.Message}");
        }
        errors.AddRange(options.Validate());
        if (errors.Count > 0) throw new OptionsException(errors);
        return options;
    }

    private static bool ParseYesNo(string raw) => raw.Trim().ToLowerInvariant() switch
    {
        "yes" or "true" or "1" or "on" => true,
        "no" or "false" or "0" or "off" => false,
        _ => throw new FormatException(),
    };

    public static WebApplication Build(MagpieOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.LogFormat == "json") builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
        else builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, true));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Peer and origin HTTP calls would otherwise log four lines per request at Information.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

        builder.Services.AddSingleton(options);
        var tls = Security.TlsSettings.FromOptions(options);
        if (tls.Needed && tls.Reload() is { } tlsError) throw new OptionsException([tlsError]);
        builder.Services.AddSingleton(tls);
        builder.Services.AddMagpieCluster(options);
        builder.Services.AddSingleton(sp =>
        {
            var groups = sp.GetRequiredService<Magpie.Groups.GroupRegistry>();
            var state = new ServerState(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Magpie.Commands")) { Groups = groups, Tls = tls };
            tls.Logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Magpie.Tls");
            if (options.ClusterEnabled) state.ClusterMode = Sharding.ClusterMode.Create(options, sp.GetRequiredService<Peers.ClusterConfig>(), state.Commands);
            if (options.ClusterEnabled) sp.GetRequiredService<Sharding.ShardedClusterView>().Attach(state);
            return state;
        });
        builder.Services.AddSingleton<RespConnectionHandler>();
        Telemetry.NodeTelemetry.AddNodeTelemetry(builder, options);
        builder.Services.AddHostedService<KeyspaceMaintenance>();
        builder.Services.AddHostedService<StartupLog>();
        builder.Services.AddHostedService<Persistence.PersistenceService>();
        builder.Services.AddHostedService<Replication.ReplicationService>();
        if (options.ClusterEnabled) builder.Services.AddHostedService<Sharding.ClusterGossip>();
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));

        // Run connection continuations on the socket's I/O thread instead of hopping to the thread
        // pool: each request otherwise pays two thread switches (measured: docs/performance.md).
        // No zero-byte "wait for data" read before each real read: it doubles recv syscalls per request.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.UnsafePreferInlineScheduling = options.InlineScheduling;
            sockets.WaitForDataBeforeAllocatingBuffer = false;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var address in ParseAddresses(options))
            {
                // As Redis: --port 0 with --tls-port serves TLS only (without --tls-port, 0 picks a free port).
                if (options.Port > 0 || options.TlsPort == 0)
                    kestrel.Listen(address, options.Port, listen => listen.UseConnectionHandler<RespConnectionHandler>());
                // Kestrel's TLS middleware in front of the RESP handler; asked per handshake, so a
                // CONFIG SET tls-cert-file reload applies to the next connection.
                if (options.TlsPort > 0)
                    kestrel.Listen(address, options.TlsPort, listen =>
                    {
                        listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.TlsHandshakeCallbackOptions
                        {
                            OnConnection = _ => ValueTask.FromResult(tls.ServerOptions()),
                        });
                        listen.UseConnectionHandler<RespConnectionHandler>();
                    });
                if (options.HttpPort >= 0)
                    kestrel.Listen(address, options.HttpPort, listen =>
                    {
                        if (options.HttpTls)
                            listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.TlsHandshakeCallbackOptions
                            {
                                OnConnection = _ => ValueTask.FromResult(tls.HttpsOptions()),
                            });
                    });
            }
        });
        configure?.Invoke(builder);
        var app = builder.Build();
        var state = app.Services.GetRequiredService<ServerState>();
        state.RequestShutdown = app.Lifetime.StopApplication;
        state.Persistence.LoadAtStartup();
        MapHttp(app);
        return app;
    }

    private static void MapHttp(WebApplication app)
    {
        app.Use(Http.HttpAuthentication.Middleware);
        app.MapGet("/health", () => Results.Json(new HealthReply("ok"), NodeJsonContext.Default.HealthReply));
        Telemetry.NodeTelemetry.MapNodeTelemetry(app);
        Http.CacheApi.Map(app);
        Http.ClusterApi.Map(app);
        Http.DashboardApi.Map(app);
    }

    private static IEnumerable<IPAddress> ParseAddresses(MagpieOptions options) =>
        options.BindAddresses().Select(a => a switch
        {
            "*" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.Parse(a),
        });
}

public sealed record HealthReply(string Status);

[System.Text.Json.Serialization.JsonSerializable(typeof(HealthReply))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal partial class NodeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>Bad start-up options: each message names its option.</summary>
public sealed class OptionsException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
