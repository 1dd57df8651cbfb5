namespace Magpie.Cluster;

/// <summary>
/// Health check of one peer (the server implements it with a RESP PING). Return false or throw
/// when the peer does not answer properly; <see cref="PeerHealth"/> bounds each probe by
/// <see cref="PeerHealthOptions.ProbeTimeout"/> and treats a timeout as a failure.
/// </summary>
public interface INodeProbe
{
    ValueTask<bool> ProbeAsync(NodeInfo node, CancellationToken cancellationToken);
}
