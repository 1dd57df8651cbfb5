using Magpie.Client;
using Magpie.Cluster;
using Magpie.Groups;
using Magpie.Groups.Peers;
using Magpie.Protocol.Replies;

namespace Magpie.Server.Peers;

/// <summary>
/// Group calls to other nodes as RESP commands through Magpie.Client (<c>MAGPIE.GROUPGET</c>, …).
/// An error reply becomes <see cref="PeerLoadException"/> (the peer is healthy); connection errors
/// and timeouts pass through as they are, so the group fails over.
/// </summary>
public sealed class RespGroupPeerClient(PeerConnections connections) : IGroupPeerClient
{
    public async ValueTask<PeerGetResult> GetAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(peer, "MAGPIE.GROUPGET", [group, key], cancellationToken).ConfigureAwait(false);
        if (reply.IsNull) return PeerGetResult.NotFound;
        if (reply.Count != 2 || reply[0].Bytes is not { } value)
            throw new InvalidDataException($"MAGPIE.GROUPGET from {peer.Id}: unexpected reply {reply}");
        long pttl = reply[1].AsInt64();
        return PeerGetResult.Found(value, pttl < 0 ? null : TimeSpan.FromMilliseconds(pttl));
    }

    public async ValueTask SetAsync(NodeInfo peer, string group, string key, byte[] value, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        object?[] args = timeToLive is { } ttl
            ? [group, key, value, "PX", Math.Max(1L, (long)Math.Ceiling(ttl.TotalMilliseconds))]
            : [group, key, value];
        await SendAsync(peer, "MAGPIE.GROUPSET", args, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken) =>
        await SendAsync(peer, "MAGPIE.GROUPDEL", [group, key], cancellationToken).ConfigureAwait(false);

    public async ValueTask InvalidateAsync(NodeInfo peer, string group, string key, CancellationToken cancellationToken) =>
        await SendAsync(peer, "MAGPIE.GROUPINVALIDATE", [group, key], cancellationToken).ConfigureAwait(false);

    private async Task<RespValue> SendAsync(NodeInfo peer, string command, object?[] args, CancellationToken cancellationToken)
    {
        var db = await connections.DatabaseAsync(peer, cancellationToken).ConfigureAwait(false);
        RespValue reply;
        try
        {
            reply = await db.ExecuteAsync(command, args).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MagpieServerException ex) when (ex is not MagpieRedirectException)
        {
            throw new PeerLoadException(peer.Id, StripErr(ex.Error));
        }
        if (reply.IsError) throw new PeerLoadException(peer.Id, StripErr(reply.ToString()));
        return reply;
    }

    private static string StripErr(string error) => error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error;
}
