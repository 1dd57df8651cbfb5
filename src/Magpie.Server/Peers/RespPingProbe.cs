using Magpie.Cluster;

namespace Magpie.Server.Peers;

/// <summary>Health probe of a peer: RESP <c>PING</c> over its shared connection, up on <c>+PONG</c>.</summary>
public sealed class RespPingProbe(PeerConnections connections) : INodeProbe
{
    public async ValueTask<bool> ProbeAsync(NodeInfo node, CancellationToken cancellationToken)
    {
        var db = await connections.DatabaseAsync(node, cancellationToken).ConfigureAwait(false);
        var reply = await db.ExecuteAsync("PING").WaitAsync(cancellationToken).ConfigureAwait(false);
        return reply.IsSimple("PONG"u8);
    }
}
