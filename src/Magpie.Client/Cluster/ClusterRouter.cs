using System.Collections.Concurrent;
using Magpie.Protocol;
using Microsoft.Extensions.Logging;

namespace Magpie.Client;

/// <summary>
/// Follows cluster redirects. Keyed commands go to the node the slot map names (the seed connection
/// until a MOVED teaches otherwise); a MOVED updates the map and re-sends the command there, an ASK
/// re-sends it once, preceded by ASKING, without touching the map. Nodes get their own multiplexed
/// connection, made on first use. Transactions and batches are not routed: they go to the seed.
/// </summary>
internal sealed class ClusterRouter : IAsyncDisposable
{
    private const int MaxRedirects = 5;

    private readonly MagpieConnection _seed;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, MagpieConnection> _nodes = new(StringComparer.OrdinalIgnoreCase);
    private readonly MagpieConnection?[] _slots = new MagpieConnection?[HashSlot.Count];
    private readonly Func<PendingCommand, MagpieRedirectException, bool> _onRedirect;

    public ClusterRouter(MagpieConnection seed, ILogger logger)
    {
        _seed = seed;
        _logger = logger;
        _nodes[seed.EndPoint] = seed;
        _onRedirect = OnRedirect;
    }

    /// <summary>Connections to nodes learned from redirects (the seed included).</summary>
    public IReadOnlyCollection<MagpieConnection> Nodes => (IReadOnlyCollection<MagpieConnection>)_nodes.Values;

    /// <summary>Prepares a command for routing; call before its keys are added.</summary>
    public void Track(PendingCommand command)
    {
        command.TrackSlot();
        command.Redirect = _onRedirect;
    }

    public void Send(PendingCommand command)
    {
        var target = command.Slot >= 0 ? Volatile.Read(ref _slots[command.Slot]) ?? _seed : _seed;
        target.Enqueue(command);
    }

    private bool OnRedirect(PendingCommand command, MagpieRedirectException redirect)
    {
        if (++command.Redirects > MaxRedirects) return false;
        var node = Node(redirect.EndPoint);
        ClientLog.Redirected(_logger, command.Name, redirect.IsAsk ? "ASK" : "MOVED", redirect.Slot, redirect.EndPoint);
        if (redirect.IsAsk)
        {
            // ASKING lets the importing node serve the next command for a slot it does not own yet.
            var asking = PendingCommand.Raw("ASKING", 0);
            asking.ErrorsAsValues = true;
            node.SendAll([asking, command]);
        }
        else
        {
            Volatile.Write(ref _slots[redirect.Slot], node);
            node.Enqueue(command);
        }
        return true;
    }

    private MagpieConnection Node(string endPoint) => _nodes.GetOrAdd(endPoint, ep =>
    {
        var options = _seed.Options.Clone();
        int colon = ep.LastIndexOf(':');
        options.Host = ep[..colon].Trim('[', ']');
        options.Port = int.Parse(ep[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        options.Cluster = false; // node connections send where they are told
        return MagpieConnection.Create(options, _logger);
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values)
            if (!ReferenceEquals(node, _seed)) await node.DisposeAsync().ConfigureAwait(false);
    }
}
