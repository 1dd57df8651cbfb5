using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Hosting;

/// <summary>Says where the node listens once Kestrel has bound its ports.</summary>
internal sealed partial class StartupLog(MagpieOptions options, IHostApplicationLifetime lifetime, ILogger<StartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Connections.ProtectedMode.Exposed(options)) LogExposed(logger, options.Bind);
        lifetime.ApplicationStarted.Register(() =>
            LogReady(logger, options.Bind, options.Port, options.HttpPort >= 0 ? options.HttpPort.ToString() : "off", options.MaxMemory, options.MaxMemoryPolicy));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping(logger);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Ready to accept connections: RESP on {Bind}:{Port}, HTTP port {HttpPort}, maxmemory {MaxMemory} ({Policy})")]
    private static partial void LogReady(ILogger logger, string bind, int port, string httpPort, string maxMemory, string policy);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "WARNING: listening on {Bind} with no password for the default user. Protected mode refuses clients that are not on loopback; set --requirepass or ACL users (--aclfile) before exposing this node, see docs/security.md")]
    private static partial void LogExposed(ILogger logger, string bind);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Shutting down")]
    private static partial void LogStopping(ILogger logger);
}
