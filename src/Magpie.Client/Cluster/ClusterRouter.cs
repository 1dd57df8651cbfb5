using System.Collections.Concurrent;
using Magpie.Protocol;
using Microsoft.Extensions.Logging;

namespace Magpie.Client;

/// <summary>
/// Follows cluster redirects. Keyed commands go to the node the slot map names: the map is loaded
/// with CLUSTER SLOTS whenever the seed connects (servers without it leave it empty, so everything
/// starts at the seed), and a MOVED updates it and re-sends the command there; an ASK re-sends it
/// once, preceded by ASKING, without touching the map. Nodes get their own multiplexed connection,
/// made on first use. Transactions and batches are not routed: they go to the seed.
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
        seed.Connected += OnSeedConnected;
    }

    private void OnSeedConnected(MagpieConnection seed) => LoadSlotMapAsync().ContinueWith(
        static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>Fills the slot map from CLUSTER SLOTS: [[start, end, [host, port, id], replicas…], …].</summary>
    public async Task LoadSlotMapAsync()
    {
        Protocol.Replies.RespValue reply;
        try
        {
            reply = await _seed.SendAsync(PendingCommand.Raw("CLUSTER", 1).AddAscii("SLOTS")).ConfigureAwait(false);
        }
        catch (MagpieException ex)
        {
            ClientLog.SlotMapUnavailable(_logger, _seed.EndPoint, ex.Message);
            return;
        }
        foreach (var range in reply.Items)
        {
            if (range.Count < 3 || range[2].Count < 2) continue;
            var primary = range[2];
            string host = primary[0].ToString();
            if (host.Length == 0 || host == "?") host = _seed.Options.Host; // "" means "the address you reached me on"
            var node = Node(FormatEndPoint(host, primary[1].AsInt64()));
            int start = (int)range[0].AsInt64(), end = (int)range[1].AsInt64();
            for (int slot = Math.Max(0, start); slot <= Math.Min(HashSlot.Count - 1, end); slot++)
                Volatile.Write(ref _slots[slot], node);
        }
    }

    private static string FormatEndPoint(string host, long port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>Connections to nodes learned from redirects (the seed included).</summary>
    public IReadOnlyCollection<MagpieConnection> Nodes => (IReadOnlyCollection<MagpieConnection>)_nodes.Values;

    /// <summary>Prepares a command for routing; call before its keys are added.</summary>
    public void Track(PendingCommand command)
    {
        command.TrackSlot();
        command.Redirect = _onRedirect;
    }

    /// <summary>The connection a command for <paramref name="slot"/> goes to now.</summary>
    public MagpieConnection NodeFor(int slot) => Volatile.Read(ref _slots[slot]) ?? _seed;

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
