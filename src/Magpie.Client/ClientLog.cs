using Microsoft.Extensions.Logging;

namespace Magpie.Client;

/// <summary>Every log line the client writes. Event ids are stable: dashboards and alerts may key on them.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Connected to {EndPoint} using RESP{Protocol}")]
    public static partial void Connected(ILogger logger, string endPoint, int protocol);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Connection to {EndPoint} lost ({InFlight} commands in flight failed): {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string endPoint, int inFlight, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Reconnect attempt {Attempt} to {EndPoint} failed: {Reason}")]
    public static partial void ReconnectFailed(ILogger logger, string endPoint, int attempt, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "{Command} redirected by {Kind} for slot {Slot} to {EndPoint}")]
    public static partial void Redirected(ILogger logger, string command, string kind, int slot, string endPoint);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "No cluster slot map from {EndPoint} ({Reason}); routing by redirects only")]
    public static partial void SlotMapUnavailable(ILogger logger, string endPoint, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "A subscription handler for channel {Channel} threw")]
    public static partial void SubscriptionHandlerFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Resubscribing to {Channel} after reconnect failed: {Reason}")]
    public static partial void ResubscribeFailed(ILogger logger, string channel, string reason);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Cache invalidation uses {Mode}")]
    public static partial void InvalidationMode(ILogger logger, string mode);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Enabling cache invalidation ({Mode}) failed: {Reason}")]
    public static partial void InvalidationSetupFailed(ILogger logger, string mode, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Cache level {Level} failed during {Operation}: {Reason}")]
    public static partial void LevelFailed(ILogger logger, string level, string operation, string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "The cache factory failed; serving a stale value (fail-safe)")]
    public static partial void FailSafeActivated(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Publishing a cache invalidation failed: {Reason}")]
    public static partial void InvalidationPublishFailed(ILogger logger, string reason);
}
