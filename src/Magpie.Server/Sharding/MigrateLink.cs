using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Magpie.Protocol;
using Magpie.Protocol.Replies;

namespace Magpie.Server.Sharding;

/// <summary>
/// MIGRATE's connection to a target node, kept for reuse like Redis's migrate socket cache (closed
/// after 10 s idle or on any error). MIGRATE is synchronous in Redis, under the keyspace lock here:
/// the keys are written and deleted atomically, so no write made during a move is lost. Every step
/// is bounded by the command's timeout.
/// </summary>
public sealed class MigrateLink : IDisposable
{
    public static readonly TimeSpan IdleTime = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly Stream? _tls;
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private ArrayBufferWriter<byte> _pending = new();

    private MigrateLink(Socket socket, Stream? tls, string endpoint)
    {
        _socket = socket;
        _tls = tls;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public long LastUsedMs { get; set; }

    /// <summary>The database last SELECTed on this link (-1: none yet).</summary>
    public int SelectedDb { get; set; } = -1;

    /// <summary>Connects within <paramref name="timeout"/>; null when the target does not accept in time.</summary>
    /// <remarks>
    /// The socket stays a plain blocking socket from creation to disposal: a blocking connect bounded by
    /// SO_SNDTIMEO (Linux applies it to connect), then blocking sends and receives bounded by
    /// SO_SNDTIMEO/SO_RCVTIMEO. It must never be switched to non-blocking (Blocking = false, or any async
    /// call): .NET then keeps the descriptor non-blocking for good and emulates every later "blocking"
    /// call by waiting for a readiness event from the socket engine's epoll thread. MIGRATE runs on such
    /// a thread (inline completions) holding the keyspace lock, and the engine's other thread soon waits
    /// for that lock too, so the target's reply sat unread in the socket until the timeout: the
    /// intermittent "IOERR error or timeout reading to target instance" of redis-cli --cluster reshard.
    /// </remarks>
    public static MigrateLink? Connect(string host, int port, TimeSpan timeout, Security.TlsClientOptions? tls = null)
    {
        Socket? socket = null;
        try
        {
            var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).FirstOrDefault();
            if (address is null) return null;
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.SendTimeout = socket.ReceiveTimeout = Millis(timeout);
            socket.Connect(new IPEndPoint(address, port));
            // --tls-cluster: a blocking handshake bounded by the same timeout.
            Stream? stream = tls?.Authenticate(socket, host, timeout);
            return new MigrateLink(socket, stream, $"{host}:{port}");
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException or IOException or System.Security.Authentication.AuthenticationException)
        {
            socket?.Dispose();
            return null;
        }
    }

    private static int Millis(TimeSpan timeout) => (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);

    /// <summary>Whether the last failed send or read failed by timing out (rather than a closed or reset connection).</summary>
    public bool TimedOut { get; private set; }

    public void Timeout(TimeSpan timeout) => _socket.SendTimeout = _socket.ReceiveTimeout = Millis(timeout);

    /// <summary>Appends one command to the batch sent by <see cref="Send"/>.</summary>
    public void Add(params ReadOnlyMemory<byte>[] args)
    {
        var writer = new RespWriter(_pending);
        writer.WriteCommand(args);
    }

    /// <summary>Sends the batch; false on error or timeout.</summary>
    public bool Send()
    {
        try
        {
            var data = _pending.WrittenMemory;
            int sent = 0;
            if (_tls is not null) _tls.Write(data.Span);
            else while (sent < data.Length) sent += _socket.Send(data.Span[sent..]);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            TimedOut = IsTimeout(ex);
            return false;
        }
        finally
        {
            _pending = new ArrayBufferWriter<byte>();
        }
    }

    /// <summary>
    /// Reads up to <paramref name="replies"/>.Length replies; returns how many arrived before an error,
    /// a timeout, a closed connection or a protocol error (all of them on success).
    /// </summary>
    public int Read(RespValue[] replies)
    {
        var received = new ArrayBufferWriter<byte>();
        int parsed = 0, consumed = 0;
        try
        {
            while (parsed < replies.Length)
            {
                var sequence = new ReadOnlySequence<byte>(received.WrittenMemory[consumed..]);
                while (parsed < replies.Length && RespReplyParser.TryParse(ref sequence, out var value))
                {
                    replies[parsed++] = value;
                    consumed = received.WrittenCount - (int)sequence.Length;
                }
                if (parsed == replies.Length) break;
                int n = _tls is not null ? _tls.Read(_readBuffer) : _socket.Receive(_readBuffer);
                if (n == 0) break;
                received.Write(_readBuffer.AsSpan(0, n));
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or RespProtocolException)
        {
            TimedOut = IsTimeout(ex);
            // What arrived so far still counts: those keys are on the target.
        }
        return parsed;
    }

    // Through SslStream a socket timeout arrives wrapped in an IOException.
    private static bool IsTimeout(Exception ex) =>
        (ex as SocketException ?? ex.InnerException as SocketException) is { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock };

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
    }
}
