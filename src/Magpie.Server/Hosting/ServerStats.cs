namespace Magpie.Server.Hosting;

/// <summary>Node-wide counters for INFO stats and clients.</summary>
public sealed class ServerStats
{
    public long TotalConnectionsReceived;
    public long TotalCommandsProcessed;
    public long RejectedConnections;
    public long TotalNetInputBytes;
    public long TotalNetOutputBytes;
    public long TotalErrorReplies;
    public long UnexpectedErrorReplies;
    public long ProtocolErrors;
    public long ClientOutputBufferLimitDisconnections;

    public void Reset()
    {
        TotalConnectionsReceived = TotalCommandsProcessed = RejectedConnections = 0;
        TotalNetInputBytes = TotalNetOutputBytes = TotalErrorReplies = UnexpectedErrorReplies = ProtocolErrors = 0;
        ClientOutputBufferLimitDisconnections = 0;
    }
}
