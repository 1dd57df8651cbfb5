using System.Diagnostics;
using Magpie.Protocol;
using Magpie.Protocol.Replies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Client;

/// <summary>
/// One multiplexed, pipelined connection to one server, shared by all callers. Commands queue in
/// a backlog; the current socket's writer drains it in batches and its reader matches replies in
/// order. A lost socket fails its in-flight commands at once and is replaced in the background
/// with exponential backoff; queued commands wait for the new socket (up to the sync timeout).
/// </summary>
public sealed class MagpieConnection : IAsyncDisposable, IDisposable
{
    private readonly ILogger _logger;
    private readonly Timer _timeoutTimer;
    private readonly long _timeoutTicks;
    private readonly List<PendingCommand> _expired = new();
    private readonly CancellationTokenSource _disposed = new();
    private PhysicalConnection? _physical;
    private Task? _connectLoop;
    private MagpieSubscriber? _subscriber;
    private readonly ClusterRouter? _router;
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sweeping;
    private bool _everConnected;
    private int _failedAttempts;

    private MagpieConnection(MagpieConnectionOptions options, ILogger? logger, bool isSubscriberConnection)
    {
        Options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        IsSubscriberConnection = isSubscriberConnection;
        _timeoutTicks = (long)(Options.SyncTimeout.TotalSeconds * Stopwatch.Frequency);
        // Timeouts are checked by a sweep rather than a timer per command; a tenth of the timeout is precise enough.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(Options.SyncTimeout.TotalMilliseconds / 10, 5, 500));
        if (Options.Cluster) _router = new ClusterRouter(this, _logger);
        _timeoutTimer = new Timer(static state => ((MagpieConnection)state!).SweepTimeouts(), this, period, period);
    }

    public MagpieConnectionOptions Options { get; }

    public string EndPoint => Options.EndPoint;

    /// <summary>The protocol the current socket negotiated (RESP2 until connected).</summary>
    public RespVersion Protocol => _physical?.Protocol ?? RespVersion.Resp2;

    public bool IsConnected => _physical is not null;

    /// <summary>
    /// Down, as opposed to still coming up: no socket, and either one was lost or a connect attempt
    /// failed. Callers with a fallback (the tiered cache) skip the server then rather than queue.
    /// </summary>
    public bool IsUnavailable => _physical is null && (Volatile.Read(ref _everConnected) || Volatile.Read(ref _failedAttempts) > 0);

    /// <summary>Raised after every successful (re)connect, on a pool thread. Used to redo subscriptions and tracking.</summary>
    public event Action<MagpieConnection>? Connected;

    /// <summary>Raised when a socket is lost.</summary>
    public event Action<MagpieConnection, Exception?>? ConnectionLost;

    /// <summary>Out-of-band pushes (RESP3 '>' frames, or RESP2 messages on a subscriber socket), raised on the reader loop.</summary>
    internal event Action<RespValue>? PushReceived;

    internal object Sync { get; } = new();

    internal Queue<PendingCommand> Backlog { get; } = new();

    /// <summary>WATCH state is per socket, so transactions on this connection take turns.</summary>
    internal SemaphoreSlim TransactionLock { get; } = new(1, 1);

    internal bool IsSubscriberConnection { get; }

    /// <summary>Commands waiting to be written.</summary>
    public int QueuedCount { get { lock (Sync) return Backlog.Count; } }

    /// <summary>Commands written and waiting for their reply.</summary>
    public int InFlightCount { get { lock (Sync) return _physical?.Pending.Count ?? 0; } }

    /// <summary>Connects and waits for the first socket; throws <see cref="MagpieConnectionException"/> if that fails.</summary>
    public static async Task<MagpieConnection> ConnectAsync(MagpieConnectionOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var connection = new MagpieConnection(options, logger, isSubscriberConnection: false);
        try
        {
            var physical = await PhysicalConnection.ConnectAsync(connection, connection.Options, cancellationToken).ConfigureAwait(false);
            connection.Attach(physical);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static Task<MagpieConnection> ConnectAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(MagpieConnectionOptions.Parse(connectionString), logger, cancellationToken);

    /// <summary>
    /// Returns at once and connects in the background, retrying with backoff. Commands issued before
    /// the first connect wait in the backlog. This is what dependency injection uses.
    /// </summary>
    public static MagpieConnection Create(MagpieConnectionOptions options, ILogger? logger = null)
    {
        var connection = new MagpieConnection(options, logger, isSubscriberConnection: false);
        connection.StartConnectLoop(firstAttemptImmediately: true);
        return connection;
    }

    internal static MagpieConnection CreateSubscriberConnection(MagpieConnectionOptions options, ILogger logger)
    {
        var connection = new MagpieConnection(options, logger, isSubscriberConnection: true);
        connection.StartConnectLoop(firstAttemptImmediately: true);
        return connection;
    }

    /// <summary>Completes when a socket is up (at once if it already is).</summary>
    public Task WaitForConnectionAsync(CancellationToken cancellationToken = default)
    {
        Task first;
        lock (Sync) first = _physical is not null ? Task.CompletedTask : _firstConnect.Task;
        return first.WaitAsync(cancellationToken);
    }

    public IMagpieDatabase GetDatabase(int db = -1) => new MagpieDatabase(this, db < 0 ? Options.DefaultDatabase : db);

    /// <summary>Routes keyed commands to cluster nodes when <see cref="MagpieConnectionOptions.Cluster"/> is on; null otherwise.</summary>
    internal ClusterRouter? Router => _router;

    /// <summary>The connection's subscriber: pushes on this socket in RESP3, a dedicated socket in RESP2.</summary>
    public IMagpieSubscriber GetSubscriber()
    {
        lock (Sync) return _subscriber ??= new MagpieSubscriber(this, _logger);
    }

    internal void Enqueue(PendingCommand command)
    {
        PhysicalConnection? physical;
        lock (Sync)
        {
            ThrowIfDisposed();
            Backlog.Enqueue(command);
            physical = _physical;
        }
        physical?.SignalWrite();
    }

    /// <summary>Queues a raw command and returns its reply.</summary>
    internal Task<RespValue> SendAsync(PendingCommand<RespValue> command)
    {
        Enqueue(command);
        return command.Task;
    }

    /// <summary>Queues commands back to back, so nothing else is written between them (batches, MULTI/EXEC).</summary>
    internal void SendAll(IReadOnlyList<PendingCommand> commands)
    {
        PhysicalConnection? physical;
        lock (Sync)
        {
            ThrowIfDisposed();
            long now = Stopwatch.GetTimestamp();
            foreach (var command in commands)
            {
                command.QueuedAt = now; // one timestamp, so a timeout sweep takes all or none of them
                Backlog.Enqueue(command);
            }
            physical = _physical;
        }
        physical?.SignalWrite();
    }

    internal bool IsCurrent(PhysicalConnection physical) => ReferenceEquals(_physical, physical);

    internal void OnPush(in RespValue push) => PushReceived?.Invoke(push);

    /// <summary>Called by a socket's loops when it fails; fails its in-flight commands and starts reconnecting.</summary>
    internal void OnConnectionFailed(PhysicalConnection physical, Exception? reason)
    {
        PendingCommand[] lost;
        lock (Sync)
        {
            if (!ReferenceEquals(_physical, physical)) return;
            _physical = null;
            lost = physical.Pending.ToArray();
            physical.Pending.Clear();
        }
        physical.Abort();
        string why = reason?.Message ?? "the connection was closed";
        FailOffThread(lost, command => new MagpieConnectionException(
            $"Connection to {EndPoint} was lost before the reply to {command.Name} arrived: {why}", reason));
        if (_disposed.IsCancellationRequested) return;
        ClientLog.ConnectionLost(_logger, EndPoint, lost.Length, why);
        ConnectionLost?.Invoke(this, reason);
        StartConnectLoop(firstAttemptImmediately: false);
        _ = physical.DisposeAsync().AsTask();
    }

    private void Attach(PhysicalConnection physical)
    {
        TaskCompletionSource first;
        lock (Sync)
        {
            _physical = physical;
            first = _firstConnect;
            _everConnected = true;
            _failedAttempts = 0;
        }
        physical.Start();
        physical.SignalWrite(); // write whatever queued while we were down
        ClientLog.Connected(_logger, EndPoint, (int)physical.Protocol);
        first.TrySetResult();
        Connected?.Invoke(this);
    }

    private void StartConnectLoop(bool firstAttemptImmediately)
    {
        lock (Sync)
        {
            if (_connectLoop is { IsCompleted: false }) return;
            _connectLoop = Task.Run(() => ConnectLoopAsync(firstAttemptImmediately));
        }
    }

    private async Task ConnectLoopAsync(bool firstAttemptImmediately)
    {
        var delay = Options.ReconnectMinDelay;
        for (int attempt = 1; !_disposed.IsCancellationRequested; attempt++)
        {
            if (attempt > 1 || !firstAttemptImmediately)
            {
                // Jitter spreads the reconnects of many clients after a server restart.
                var jittered = delay * (0.8 + Random.Shared.NextDouble() * 0.4);
                try { await Task.Delay(jittered, _disposed.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.ReconnectMaxDelay.Ticks));
            }
            try
            {
                var physical = await PhysicalConnection.ConnectAsync(this, Options, _disposed.Token).ConfigureAwait(false);
                lock (Sync) _connectLoop = null;
                Attach(physical);
                return;
            }
            catch (Exception ex)
            {
                // Whatever went wrong (refused, TLS, a bad handshake reply), keep trying until disposed.
                if (_disposed.IsCancellationRequested) return;
                Interlocked.Increment(ref _failedAttempts);
                if (ReconnectLogPolicy.ShouldWarn(attempt)) ClientLog.ReconnectFailed(_logger, EndPoint, attempt, ex.Message);
            }
        }
    }

    /// <summary>Fails commands whose reply is overdue. FIFO order means the oldest are at the heads of the queues.</summary>
    private void SweepTimeouts()
    {
        // Timer callbacks may overlap when one runs long; the sweep reuses one list, so let only one in.
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        try
        {
            SweepTimeoutsCore();
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void SweepTimeoutsCore()
    {
        int queued, inFlight;
        bool connected;
        long now = Stopwatch.GetTimestamp();
        lock (Sync)
        {
            if (_physical is { } physical)
            {
                foreach (var command in physical.Pending)
                {
                    if (now - command.QueuedAt < _timeoutTicks) break;
                    if (!command.IsCompleted) _expired.Add(command);
                }
            }
            // Counted before the expired ones leave, so the message shows the congestion they met.
            queued = Backlog.Count;
            inFlight = _physical?.Pending.Count ?? 0;
            // Never-written commands can simply be dropped from the backlog.
            while (Backlog.TryPeek(out var head) && now - head.QueuedAt >= _timeoutTicks)
            {
                Backlog.Dequeue();
                head.ReleaseBuffer();
                _expired.Add(head);
            }
            connected = _physical is not null;
        }
        if (_expired.Count == 0) return;
        var expired = _expired.ToArray();
        _expired.Clear();
        FailOffThread(expired, command => new MagpieTimeoutException(command.Name, EndPoint,
            (long)Stopwatch.GetElapsedTime(command.QueuedAt, now).TotalMilliseconds, queued, inFlight, connected));
    }

    /// <summary>
    /// Fails commands on a pool thread: their continuations run inline, and must not hold up the
    /// reader loop or the timeout sweep that noticed the failure.
    /// </summary>
    private static void FailOffThread(PendingCommand[] commands, Func<PendingCommand, Exception> error)
    {
        if (commands.Length == 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            foreach (var command in state.commands) command.TrySetException(state.error(command));
        }, (commands, error), preferLocal: false);
    }

    private void ThrowIfDisposed()
    {
        if (_disposed.IsCancellationRequested) throw new ObjectDisposedException(nameof(MagpieConnection));
    }

    /// <summary>For hosts that dispose synchronously (a plain ServiceProvider); prefer DisposeAsync.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        PhysicalConnection? physical;
        PendingCommand[] queued;
        lock (Sync)
        {
            if (_disposed.IsCancellationRequested) return;
            _disposed.Cancel();
            physical = _physical;
            _physical = null;
            queued = Backlog.ToArray();
            Backlog.Clear();
        }
        await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        if (_subscriber is not null) await _subscriber.DisposeAsync().ConfigureAwait(false);
        if (_router is not null) await _router.DisposeAsync().ConfigureAwait(false);
        var disposedError = new MagpieConnectionException($"The connection to {EndPoint} was disposed.");
        foreach (var command in queued) command.TrySetException(disposedError);
        if (physical is not null)
        {
            PendingCommand[] inFlight;
            lock (Sync) inFlight = physical.Pending.ToArray();
            foreach (var command in inFlight) command.TrySetException(disposedError);
            await physical.DisposeAsync().ConfigureAwait(false);
        }
        _firstConnect.TrySetException(disposedError);
        if (_connectLoop is { } loop) await loop.ConfigureAwait(false);
    }
}
