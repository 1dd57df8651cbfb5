using Magpie.Protocol;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Connections;

/// <summary>Checks on a parsed request before it runs, and their log lines (Redis's texts).</summary>
public static partial class RequestGuards
{
    private static long _lastHttpWarningMs = long.MinValue;

    /// <summary>
    /// "POST" or "Host:" as a command name: an HTTP request sent to the RESP port, typically by a web
    /// page in a local browser (cross-protocol scripting). Redis closes such a connection.
    /// </summary>
    public static bool LooksLikeHttp(RespRequest request) =>
        request.Count > 0 && (RedisNumbers.EqualsIgnoreCase(request[0], "post"u8) || RedisNumbers.EqualsIgnoreCase(request[0], "host:"u8));

    /// <summary>Logs the attack warning at most once a minute, as Redis does.</summary>
    public static void LogHttpAttack(ILogger logger)
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastHttpWarningMs);
        if (last != long.MinValue && now - last < 60_000) return;
        Interlocked.Exchange(ref _lastHttpWarningMs, now);
        LogSecurityAttack(logger);
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.")]
    private static partial void LogSecurityAttack(ILogger logger);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Closing client {ClientId} that reached max query buffer length (qbuf={Bytes})")]
    public static partial void LogQueryBufferLimit(ILogger logger, long clientId, long bytes);
}
