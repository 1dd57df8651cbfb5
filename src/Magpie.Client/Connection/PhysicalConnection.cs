using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Magpie.Protocol;
using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// One socket to the server and its two loops. The writer drains the owner's backlog into the
/// pipe and flushes once per batch; the reader parses replies and completes pending commands in
/// the order they were written. Replaced as a whole on reconnect.
/// </summary>
internal sealed class PhysicalConnection : IAsyncDisposable
{
    private readonly MagpieConnection _owner;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Queue<PendingCommand> _pending = new(); // written, reply not yet read; guarded by _owner.Sync
    private readonly Channel<byte> _writeSignal = Channel.CreateBounded<byte>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly List<PendingCommand> _batch = new();
    private int _currentDatabase;
    private Task? _readLoop;
    private Task? _writeLoop;

    private PhysicalConnection(MagpieConnection owner, Socket socket, Stream stream)
    {
        _owner = owner;
        _socket = socket;
        _stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024));
    }

    public RespVersion Protocol { get; private set; } = RespVersion.Resp2;

    /// <summary>Commands written and not yet answered. Read under the owner's lock.</summary>
    public Queue<PendingCommand> Pending => _pending;

    /// <summary>Opens the socket, does TLS and the HELLO/AUTH handshake; the loops start with <see cref="Start"/>.</summary>
    public static async Task<PhysicalConnection> ConnectAsync(MagpieConnection owner, MagpieConnectionOptions options, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, options.CertificateValidation);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.SslHost ?? options.Host, ClientCertificates = options.ClientCertificates }, timeout.Token).ConfigureAwait(false);
                stream = ssl;
            }
            var connection = new PhysicalConnection(owner, socket, stream);
            try
            {
                connection.Protocol = await Handshake.RunAsync(connection._input, connection._output, options, timeout.Token).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return connection;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new MagpieConnectionException($"Connect to {options.EndPoint} timed out after {(long)options.ConnectTimeout.TotalMilliseconds} ms.");
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            socket.Dispose();
            throw new MagpieConnectionException($"Could not connect to {options.EndPoint}: {ex.Message}", ex);
        }
    }

    public void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    private int _signaled;

    /// <summary>Wakes the writer; cheap and safe to call for every command (only the first call per batch touches the channel).</summary>
    public void SignalWrite()
    {
        if (Interlocked.Exchange(ref _signaled, 1) == 0) _writeSignal.Writer.TryWrite(0);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _writeSignal.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _writeSignal.Reader.TryRead(out _);
                // Cleared before draining: a command queued after this point signals again.
                Volatile.Write(ref _signaled, 0);
                while (TakeBatch())
                {
                    foreach (var command in _batch)
                    {
                        WriteBytes(command.Encoded);
                        command.OnWritten();
                    }
                    _batch.Clear();
                }
                var flush = await _output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted) break;
            }
        }
        catch (Exception ex)
        {
            _owner.OnConnectionFailed(this, ex);
            return;
        }
        _owner.OnConnectionFailed(this, null);
    }

    /// <summary>Moves queued commands to the pending queue, in order, injecting SELECT where the database changes.</summary>
    private bool TakeBatch()
    {
        lock (_owner.Sync)
        {
            var backlog = _owner.Backlog;
            if (!_owner.IsCurrent(this) || backlog.Count == 0) return false;
            // A bounded batch keeps the lock short and lets the reader start on replies sooner.
            for (int i = 0; i < 256 && backlog.TryDequeue(out var command); i++)
            {
                if (command.PinnedTo is not null && command.PinnedTo != this)
                {
                    command.TrySetException(new MagpieConnectionException(
                        $"{command.Name} was bound to a connection to {_owner.EndPoint} that has since been lost (WATCH state is gone)."));
                    continue;
                }
                command.WrittenOn = this;
                if (command.Database >= 0 && command.Database != _currentDatabase)
                {
                    var select = PendingCommand.Raw("SELECT", 1).Add(command.Database);
                    select.ErrorsAsValues = true;
                    _pending.Enqueue(select);
                    _batch.Add(select);
                    _currentDatabase = command.Database;
                }
                _pending.Enqueue(command);
                _batch.Add(command);
            }
            return true;
        }
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = _output.GetSpan(Math.Min(bytes.Length, 4096));
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            _output.Advance(n);
            bytes = bytes[n..];
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        var replies = new List<RespValue>();
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (RespReplyParser.TryParse(ref buffer, out var reply)) replies.Add(reply);
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (replies.Count > 0) Dispatch(replies);
                replies.Clear();
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        _owner.OnConnectionFailed(this, failure ?? new IOException("The server closed the connection."));
    }

    /// <summary>
    /// Matches one read's replies to pending commands under a single lock. Pushes are handled right
    /// here, before the batch's commands complete, so an invalidation is applied before any reply
    /// that followed it on the wire is seen.
    /// </summary>
    private void Dispatch(List<RespValue> replies)
    {
        var batch = new CompletionBatch(replies.Count);
        int pushes = 0;
        lock (_owner.Sync)
        {
            foreach (var reply in replies)
            {
                if (IsOutOfBand(reply))
                {
                    pushes++;
                    continue;
                }
                if (!_pending.TryDequeue(out var command))
                    throw new RespProtocolException("Protocol error: a reply arrived for no pending command.");
                batch.Add(command, reply);
            }
        }
        if (pushes > 0)
            foreach (var reply in replies)
                if (IsPushKind(reply)) _owner.OnPush(reply);
        if (batch.Count > 0) ThreadPool.UnsafeQueueUserWorkItem(batch, preferLocal: false);
    }

    /// <summary>True for pushes and RESP2 subscriber messages; a subscription confirmation answers the pending SUBSCRIBE. Called under the lock.</summary>
    private bool IsOutOfBand(in RespValue reply)
    {
        if (reply.Kind == RespValueKind.Push) return !IsSubscriptionConfirmation(reply);
        // In RESP2 a subscribed connection gets messages as plain arrays.
        return _owner.IsSubscriberConnection && reply.Kind == RespValueKind.Array && IsMessage(reply);
    }

    private bool IsPushKind(in RespValue reply) =>
        (reply.Kind == RespValueKind.Push && !IsConfirmationKind(reply)) ||
        (_owner.IsSubscriberConnection && reply.Kind == RespValueKind.Array && IsMessage(reply));

    private bool IsSubscriptionConfirmation(in RespValue push) =>
        IsConfirmationKind(push) && _pending.TryPeek(out var head) && head.ReplyIsPush;

    private static bool IsConfirmationKind(in RespValue push)
    {
        if (push.Count == 0) return false;
        var kind = push[0].Span;
        return kind.SequenceEqual("subscribe"u8) || kind.SequenceEqual("unsubscribe"u8) ||
               kind.SequenceEqual("psubscribe"u8) || kind.SequenceEqual("punsubscribe"u8);
    }

    private static bool IsMessage(in RespValue array) =>
        array.Count >= 3 && (array[0].Span.SequenceEqual("message"u8) || array[0].Span.SequenceEqual("pmessage"u8));

    /// <summary>Closes the socket; the loops see it and report the failure to the owner.</summary>
    public void Abort()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception) { /* already closed */ }
        _socket.Dispose();
        _writeSignal.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        foreach (var loop in new[] { _readLoop, _writeLoop })
            if (loop is not null) await loop.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
