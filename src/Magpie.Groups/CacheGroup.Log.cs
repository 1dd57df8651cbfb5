using Microsoft.Extensions.Logging;

namespace Magpie.Groups;

public sealed partial class CacheGroup
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Group {Group}: loader failed for key {Key}: {Reason}")]
    private partial void LogLoadFailed(string group, string key, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Group {Group}: owner {PeerId} failed to load key {Key}: {Reason}")]
    private partial void LogPeerLoadFailed(string group, string key, string peerId, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Group {Group}: peer {PeerId} did not answer within {TimeoutMs} ms ({Reason}); failing over")]
    private partial void LogPeerUnreachable(string group, string peerId, double timeoutMs, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Group {Group}: invalidation on peer {PeerId} failed: {Reason}")]
    private partial void LogInvalidateFailed(string group, string peerId, string reason);
}
