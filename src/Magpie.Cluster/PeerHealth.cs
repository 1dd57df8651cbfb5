using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Cluster;

/// <summary>
/// Up/down state of every peer. Failed requests and failed probes count against a peer; after
/// <see cref="PeerHealthOptions.FailuresBeforeDown"/> consecutive failures it is down, and the first
/// success (a request or a probe) brings it back up. This node itself is always up.
/// Thread-safe; reads take no lock.
/// </summary>
public sealed partial class PeerHealth
{
    private readonly Dictionary<string, PeerStatus> _peers; // fixed after construction
    private readonly INodeProbe? _probe;
    private readonly PeerHealthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _version;

    public PeerHealth(
        string selfId,
        IEnumerable<NodeInfo> nodes,
        INodeProbe? probe = null,
        PeerHealthOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<PeerHealth>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(selfId);
        SelfId = selfId;
        _options = options ?? new PeerHealthOptions();
        _options.Validate();
        _probe = probe;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<PeerHealth>.Instance;
        _peers = nodes.Where(n => n.Id != selfId).ToDictionary(n => n.Id, n => new PeerStatus(n), StringComparer.Ordinal);
    }

    public string SelfId { get; }

    /// <summary>Changes every time a peer goes up or down; lets callers cache views derived from health.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Raised after a peer changes state (on the thread that saw the change).</summary>
    public event Action<NodeInfo, NodeState>? StateChanged;

    public bool IsUp(string nodeId) => nodeId == SelfId || !_peers.TryGetValue(nodeId, out var s) || s.IsUp;

    public NodeState StateOf(string nodeId) => IsUp(nodeId) ? NodeState.Up : NodeState.Down;

    /// <summary>The peers (not this node) with their current state.</summary>
    public IReadOnlyList<NodeInfo> Peers() =>
        _peers.Values.Select(s => s.Node with { State = s.IsUp ? NodeState.Up : NodeState.Down })
            .OrderBy(n => n.Id, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// A token cancelled when the peer is next marked down (already cancelled while it is down), so
    /// requests waiting on a peer can fail over as soon as anyone sees it die. None for self or unknown ids.
    /// </summary>
    public CancellationToken WhenDown(string nodeId) =>
        _peers.TryGetValue(nodeId, out var status) ? status.DownSignal.Token : CancellationToken.None;

    /// <summary>A request to the peer, or a probe, succeeded.</summary>
    public void ReportSuccess(string nodeId)
    {
        if (!_peers.TryGetValue(nodeId, out var status)) return;
        bool cameUp;
        lock (status)
        {
            status.ConsecutiveFailures = 0;
            cameUp = !status.IsUp;
            status.IsUp = true;
            status.SeenUp = true;
            if (cameUp) status.DownSignal = new CancellationTokenSource();
        }
        if (cameUp) Changed(status.Node, NodeState.Up);
    }

    /// <summary>A request to the peer, or a probe, failed or timed out.</summary>
    public void ReportFailure(string nodeId)
    {
        if (!_peers.TryGetValue(nodeId, out var status)) return;
        CancellationTokenSource? downSignal = null;
        lock (status)
        {
            status.ConsecutiveFailures++;
            if (status.IsUp && status.ConsecutiveFailures >= _options.FailuresBeforeDown)
            {
                status.IsUp = false;
                downSignal = status.DownSignal; // the one waiters hold, even if the peer comes back meanwhile
            }
        }
        if (downSignal is null) return;
        Changed(status.Node, NodeState.Down);
        downSignal.Cancel(); // outside the lock: it runs waiters' callbacks. Not disposed: tokens are still held.
    }

    /// <summary>Probes every peer once, concurrently, each bounded by the probe timeout.</summary>
    public Task ProbeOnceAsync(CancellationToken cancellationToken = default)
    {
        if (_probe is null) throw new InvalidOperationException("PeerHealth was created without an INodeProbe.");
        return Task.WhenAll(_peers.Values.Select(s => ProbeAsync(s.Node, cancellationToken)));
    }

    /// <summary>Probes every peer each <see cref="PeerHealthOptions.ProbeInterval"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ProbeInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await ProbeOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    private async Task ProbeAsync(NodeInfo node, CancellationToken cancellationToken)
    {
        bool ok;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ProbeTimeout);
            ok = await _probe!.ProbeAsync(node, timeout.Token).AsTask()
                .WaitAsync(_options.ProbeTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogProbeFailed(node.Id, ex.Message);
            ok = false;
        }
        if (ok) ReportSuccess(node.Id);
        else ReportFailure(node.Id);
    }

    private void Changed(NodeInfo node, NodeState state)
    {
        Interlocked.Increment(ref _version);
        var status = _peers[node.Id];
        // Nodes of a cluster start one after another: a peer that has never answered is still starting,
        // not down. It is routed around all the same, but only reported as down once it was up before.
        if (state == NodeState.Down && status.SeenUp) LogPeerDown(node.Id, node.Endpoint);
        else if (state == NodeState.Down) LogPeerNotStarted(node.Id, node.Endpoint);
        else if (status.ReportedDown) LogPeerUp(node.Id, node.Endpoint);
        else LogPeerJoined(node.Id, node.Endpoint);
        status.ReportedDown = state == NodeState.Down && status.SeenUp;
        StateChanged?.Invoke(node, state);
    }

    [LoggerMessage(EventId = 503, Level = LogLevel.Debug, Message = "Peer {NodeId} ({Endpoint}) has not answered yet (still starting?)")]
    private partial void LogPeerNotStarted(string nodeId, string endpoint);

    [LoggerMessage(EventId = 504, Level = LogLevel.Information, Message = "Peer {NodeId} ({Endpoint}) is up")]
    private partial void LogPeerJoined(string nodeId, string endpoint);

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Peer {NodeId} ({Endpoint}) is down; its slots go to the next live node")]
    private partial void LogPeerDown(string nodeId, string endpoint);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Peer {NodeId} ({Endpoint}) is up again")]
    private partial void LogPeerUp(string nodeId, string endpoint);

    [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Probe of peer {NodeId} failed: {Reason}")]
    private partial void LogProbeFailed(string nodeId, string reason);

    private sealed class PeerStatus(NodeInfo node)
    {
        public NodeInfo Node { get; } = node;
        public int ConsecutiveFailures;
        public volatile bool IsUp = true;
        public volatile bool SeenUp;
        public bool ReportedDown;
        public volatile CancellationTokenSource DownSignal = new();
    }
}
