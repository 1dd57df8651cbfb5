using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Storage;
using Magpie.Storage.Persistence;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Replication;

/// <summary>
/// The replica side: one connection to this node's primary, kept up (retried every second) until
/// REPLICAOF NO ONE. It speaks the handshake redis-server's replicas use (PING, AUTH, REPLCONF
/// listening-port and capa eof psync2, PSYNC replid offset), loads a full sync's RDB (the
/// <c>$length</c> and the diskless <c>$EOF:mark</c> forms) into a fresh keyspace first, so a bad
/// payload leaves the old data served, then applies the write stream through the dispatcher as the
/// master client (replies discarded), answers REPLCONF GETACK and sends REPLCONF ACK every second.
/// </summary>
public sealed partial class ReplicaLink
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReplTimeout = TimeSpan.FromSeconds(60);

    private readonly ReplicationManager _manager;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sendLock = new();
    private Socket? _socket;
    // --tls-replication: the link's SslStream; Send writes through it instead of the socket.
    private Stream? _tls;
    private bool _stopped;
    private long _partialBytes;

    internal ReplicaLink(ReplicationManager manager, string host, int port)
    {
        _manager = manager;
        Host = host;
        Port = port;
        var server = manager.Server;
        MasterSession = new ClientSession(server.Clients.NextId(), null, new RespWriter(_discard), server.Keyspace.Clock()) { Authenticated = true, Name = "master" };
        _context = new CommandContext(server, MasterSession, new RespRequest());
        LinkDownSinceMs = server.Keyspace.Clock();
    }

    private readonly ArrayBufferWriter<byte> _discard = new(4096);
    private readonly CommandContext _context;

    public string Host { get; }

    public int Port { get; }

    /// <summary>The session the primary's commands run as (exempt from read-only and stale checks).</summary>
    public ClientSession MasterSession { get; }

    /// <summary>ROLE's state: connect, connecting, sync, connected.</summary>
    public string State { get; private set; } = "connect";

    /// <summary>master_link_status:up.</summary>
    public bool Connected { get; private set; }

    public bool SyncInProgress => State == "sync";

    /// <summary>Unix ms of the last bytes read from the primary.</summary>
    public long LastIoMs { get; private set; }

    public long LinkDownSinceMs { get; private set; }

    /// <summary>Bytes of RDB received so far in a full sync (master_sync_read_bytes).</summary>
    public long SyncReadBytes { get; private set; }

    /// <summary>The last handshake or sync error, for the log and tests.</summary>
    public string? LastError { get; private set; }

    internal void Start() => _ = Task.Run(RunAsync);

    /// <summary>Ends the link (REPLICAOF NO ONE or another primary). Under the keyspace lock.</summary>
    internal void Stop()
    {
        _stopped = true;
        Connected = false;
        _stop.Cancel();
        try
        {
            _socket?.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ConnectAndReplicateAsync(ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LastError = ex.Message;
                LogLinkFailed(_manager.Logger, Host, Port, ex.Message);
            }
            catch (Exception)
            {
                // Stopped.
            }
            lock (_manager.Server.Keyspace.Sync)
            {
                if (Connected) LinkDownSinceMs = _manager.Server.Keyspace.Clock();
                Connected = false;
                if (!_stopped) State = "connect";
            }
            try
            {
                await Task.Delay(1000, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConnectAndReplicateAsync(CancellationToken ct)
    {
        State = "connecting";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket = socket;
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connectTimeout.CancelAfter(HandshakeTimeout);
        try
        {
            await socket.ConnectAsync(Host, Port, connectTimeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new IOException($"timed out connecting to {Host}:{Port}");
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        _tls = null;
        if (_manager.Server.Tls.ForReplication is { } tls)
        {
            using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            handshakeTimeout.CancelAfter(HandshakeTimeout);
            try
            {
                stream = _tls = await tls.AuthenticateAsync(stream, Host, handshakeTimeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Security.Authentication.AuthenticationException && !ct.IsCancellationRequested)
            {
                await stream.DisposeAsync();
                throw new IOException($"TLS handshake with {Host}:{Port} failed: {ex.Message}");
            }
        }
        await using var ownedStream = stream;
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 16));
        SyncReadBytes = 0;

        // The handshake, as redis-server's replicas do it (syncWithMaster).
        Send(Command("PING"));
        var pong = await ReadLineAsync(reader, ct);
        if (!pong.StartsWith("+", StringComparison.Ordinal) && !pong.StartsWith("-NOAUTH", StringComparison.Ordinal) &&
            !pong.StartsWith("-NOPERM", StringComparison.Ordinal) && !pong.StartsWith("-ERR operation not permitted", StringComparison.Ordinal))
            throw new IOException($"Error reply to PING from primary: '{Printable(pong)}'");
        var auth = _manager.MasterAuth;
        if (auth.Length > 0)
        {
            Send(_manager.MasterUser.Length > 0 ? Command("AUTH", _manager.MasterUser, auth) : Command("AUTH", auth));
            var ok = await ReadLineAsync(reader, ct);
            if (!ok.StartsWith("+", StringComparison.Ordinal)) throw new IOException($"Unable to AUTH to the primary: {Printable(ok)}");
        }
        var server = _manager.Server;
        int ownPort = server.BoundPort != 0 ? server.BoundPort : server.Options.Port;
        Send(Command("REPLCONF", "listening-port", ownPort.ToString(CultureInfo.InvariantCulture)));
        await ReadLineAsync(reader, ct); // Redis ignores an error here too.
        Send(Command("REPLCONF", "capa", "eof", "capa", "psync2"));
        await ReadLineAsync(reader, ct);

        string replid;
        long psyncOffset;
        lock (server.Keyspace.Sync)
        {
            if (_stopped) return;
            bool hasHistory = _manager.Backlog.Active;
            replid = hasHistory ? _manager.ReplId : "?";
            psyncOffset = hasHistory ? _manager.Backlog.Offset + 1 : -1;
        }
        Send(Command("PSYNC", replid, psyncOffset.ToString(CultureInfo.InvariantCulture)));
        string reply;
        do reply = await ReadLineAsync(reader, ct);
        while (reply.Length == 0); // the primary may send newlines while it prepares
        if (reply.StartsWith("+FULLRESYNC ", StringComparison.Ordinal))
        {
            var parts = reply.Split(' ');
            if (parts.Length < 3 || parts[1].Length != 40 || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long offset))
                throw new IOException($"Bad +FULLRESYNC reply from primary: '{Printable(reply)}'");
            await FullSyncAsync(reader, parts[1], offset, ct);
        }
        else if (reply.StartsWith("+CONTINUE", StringComparison.Ordinal))
        {
            var newId = reply.Length > 10 ? reply[10..].Trim() : "";
            lock (server.Keyspace.Sync)
            {
                if (_stopped) return;
                if (newId.Length == 40) _manager.SwitchPrimaryId(newId);
                GoOnline();
            }
            LogPartial(_manager.Logger, Host, Port, psyncOffset);
        }
        else throw new IOException($"Unexpected reply to PSYNC from primary: '{Printable(reply)}'");

        await StreamAsync(reader, ct);
    }

    private void GoOnline()
    {
        Connected = true;
        State = "connected";
        LastIoMs = _manager.Server.Keyspace.Clock();
    }

    private async Task FullSyncAsync(PipeReader reader, string replid, long offset, CancellationToken ct)
    {
        State = "sync";
        string header;
        do header = await ReadLineAsync(reader, ct, ReplTimeout);
        while (header.Length == 0);
        var payload = new MemoryStream();
        if (header.StartsWith("$EOF:", StringComparison.Ordinal))
        {
            var mark = Encoding.ASCII.GetBytes(header[5..]);
            if (mark.Length != 40) throw new IOException("Bad $EOF mark from primary");
            await ReadUntilMarkAsync(reader, payload, mark, ct);
        }
        else if (header.StartsWith("$", StringComparison.Ordinal) && long.TryParse(header.AsSpan(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out long length) && length >= 0)
            await ReadExactlyAsync(reader, payload, length, ct);
        else throw new IOException($"Bad full sync header from primary: '{Printable(header)}'");

        // Load into a keyspace of our own first: a corrupted payload leaves the served data as it was.
        var server = _manager.Server;
        var fresh = new Keyspace(server.Keyspace.DatabaseCount, server.Keyspace.Clock);
        payload.Position = 0;
        RdbLoadResult loaded;
        try
        {
            loaded = RdbFileLoader.Load(payload, fresh, new RdbLoadOptions { DropExpired = false });
        }
        catch (RdbFormatException ex)
        {
            throw new IOException($"The primary sent a bad RDB ({payload.Length} bytes): {ex.Message} at offset {ex.Offset}; the old data is kept");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IOException($"The primary sent a bad RDB ({payload.Length} bytes): {ex.Message}; the old data is kept");
        }
        lock (server.Keyspace.Sync)
        {
            if (_stopped) return;
            var target = server.Keyspace;
            target.FlushAll();
            for (int d = 0; d < fresh.DatabaseCount; d++)
            {
                var from = fresh[d];
                if (from.Count == 0) continue;
                var to = target[d];
                foreach (var e in from.AllEntries()) to.Add(e.Key, e.Value, e.ExpireAt);
            }
            _manager.AdoptPrimaryHistory(replid, offset);
            // The stream continues in the database the primary had selected when the snapshot began.
            MasterSession.Database = loaded.Aux.TryGetValue("repl-stream-db", out var sdb) && int.TryParse(sdb, NumberStyles.Integer, CultureInfo.InvariantCulture, out int streamDb)
                && streamDb >= 0 && streamDb < target.DatabaseCount ? streamDb : 0;
            MasterSession.Transaction.Queue.Clear();
            GoOnline();
        }
        // A primary that sent the diskless form waits for this first ACK before it streams.
        SendAck(offset);
        LogFullSync(_manager.Logger, Host, Port, loaded.KeysLoaded, payload.Length);
    }

    /// <summary>The write stream: parse, run each command as the master client, keep the bytes for chained replicas.</summary>
    private async Task StreamAsync(PipeReader reader, CancellationToken ct)
    {
        var server = _manager.Server;
        using var acks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        _ = AckLoopAsync(acks, ct);
        var request = _context.Request;
        request.Clear();
        _partialBytes = 0;
        while (true)
        {
            var result = await ReadAsync(reader, ct, ReplTimeout);
            var buffer = result.Buffer;
            var original = buffer;
            lock (server.Keyspace.Sync)
            {
                if (_stopped) return;
                LastIoMs = server.Keyspace.Clock();
                while (true)
                {
                    var start = buffer.Start;
                    var status = RespRequestParser.TryParse(ref buffer, request, server.MaxBulkLength, out var error);
                    if (status == RespParseStatus.ProtocolError) throw new IOException($"Protocol error in the primary's stream: {error}");
                    // The parser keeps a half-read command's arguments across reads: every byte it
                    // consumed counts into the offset now, complete command or not.
                    long commandStart = _manager.Backlog.Offset - _partialBytes;
                    var raw = original.Slice(start, buffer.Start);
                    foreach (var segment in raw) _manager.Backlog.AppendFromPrimary(segment.Span);
                    if (status == RespParseStatus.Incomplete)
                    {
                        _partialBytes += raw.Length;
                        break;
                    }
                    _partialBytes = 0;
                    if (request.Count >= 2 && RedisNumbers.EqualsIgnoreCase(request[0], "replconf"u8) && RedisNumbers.EqualsIgnoreCase(request[1], "getack"u8))
                        SendAck(commandStart);
                    else
                    {
                        server.Dispatcher.Execute(_context);
                        _context.BlockUntil = null;
                        _discard.ResetWrittenCount();
                        MasterSession.Writer.BytesWritten = 0;
                    }
                }
                request.TrimIfLarge();
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) throw new IOException("the primary closed the connection");
        }
    }

    private async Task AckLoopAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_stopped) return;
                SendAck(_manager.Backlog.Offset);
            }
        }
        catch (Exception)
        {
            // Timer disposed or the socket gone: the stream loop reconnects.
        }
    }

    private void SendAck(long offset)
    {
        try
        {
            Send(Command("REPLCONF", "ACK", offset.ToString(CultureInfo.InvariantCulture)));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            // The read loop sees the broken link and reconnects.
        }
    }

    private void Send(byte[] bytes)
    {
        lock (_sendLock)
        {
            var socket = _socket ?? throw new IOException("not connected");
            if (_tls is { } tls)
            {
                tls.Write(bytes);
                return;
            }
            int sent = 0;
            while (sent < bytes.Length) sent += socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
        }
    }

    private static byte[] Command(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private async Task<ReadResult> ReadAsync(PipeReader reader, CancellationToken ct, TimeSpan timeout)
    {
        using var timed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timed.CancelAfter(timeout);
        try
        {
            var result = await reader.ReadAsync(timed.Token);
            LastIoMs = _manager.Server.Keyspace.Clock();
            return result;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IOException($"no data from the primary for {timeout.TotalSeconds:0} s (timeout)");
        }
    }

    /// <summary>One reply line without its CRLF (a bare LF ends it too, as the primary's keep-alive newlines).</summary>
    private async Task<string> ReadLineAsync(PipeReader reader, CancellationToken ct, TimeSpan? timeout = null)
    {
        while (true)
        {
            var result = await ReadAsync(reader, ct, timeout ?? HandshakeTimeout);
            var buffer = result.Buffer;
            var lf = buffer.PositionOf((byte)'\n');
            if (lf is { } at)
            {
                var line = buffer.Slice(0, at);
                var text = Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                reader.AdvanceTo(buffer.GetPosition(1, at));
                return text;
            }
            if (buffer.Length > 64 * 1024) throw new IOException("the primary sent a line longer than 64 KB: not a Redis server?");
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) throw new IOException("the primary closed the connection during the handshake");
        }
    }

    private async Task ReadExactlyAsync(PipeReader reader, MemoryStream into, long length, CancellationToken ct)
    {
        while (into.Length < length)
        {
            var result = await ReadAsync(reader, ct, ReplTimeout);
            var buffer = result.Buffer;
            long take = Math.Min(buffer.Length, length - into.Length);
            foreach (var segment in buffer.Slice(0, take)) into.Write(segment.Span);
            SyncReadBytes = into.Length;
            reader.AdvanceTo(buffer.GetPosition(take));
            if (into.Length < length && result.IsCompleted) throw new IOException("the primary closed the connection during the full sync");
        }
    }

    private async Task ReadUntilMarkAsync(PipeReader reader, MemoryStream into, byte[] mark, CancellationToken ct)
    {
        while (true)
        {
            var result = await ReadAsync(reader, ct, ReplTimeout);
            var buffer = result.Buffer;
            foreach (var segment in buffer) into.Write(segment.Span);
            SyncReadBytes = into.Length;
            reader.AdvanceTo(buffer.End);
            if (into.Length >= mark.Length && into.GetBuffer().AsSpan((int)(into.Length - mark.Length), mark.Length).SequenceEqual(mark))
            {
                into.SetLength(into.Length - mark.Length);
                return;
            }
            if (result.IsCompleted) throw new IOException("the primary closed the connection during the full sync");
        }
    }

    private static string Printable(string s)
    {
        var cut = s.Length > 80 ? s[..80] + "..." : s;
        var sb = new StringBuilder();
        foreach (var c in cut) sb.Append(c is >= ' ' and < (char)127 ? c : '?');
        return sb.ToString();
    }

    [LoggerMessage(EventId = 1120, Level = LogLevel.Warning, Message = "Replication link to {Host}:{Port} failed: {Reason}; retrying in 1 s")]
    private static partial void LogLinkFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Information, Message = "Full sync from {Host}:{Port} done: {Keys} keys from {Bytes} bytes of RDB")]
    private static partial void LogFullSync(ILogger logger, string host, int port, long keys, long bytes);

    [LoggerMessage(EventId = 1122, Level = LogLevel.Information, Message = "Partial resync with {Host}:{Port} from offset {Offset} (+CONTINUE)")]
    private static partial void LogPartial(ILogger logger, string host, int port, long offset);
}
