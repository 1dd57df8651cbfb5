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
    /// A non-blocking connect polled with the timeout, not ConnectAsync: this runs on the connection's
    /// I/O thread under the keyspace lock, and with inline socket completions an awaited connect would
    /// need that very thread to complete.
    /// </remarks>
    public static MigrateLink? Connect(string host, int port, TimeSpan timeout, Security.TlsClientOptions? tls = null)
    {
        Socket? socket = null;
        try
        {
            var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).FirstOrDefault();
            if (address is null) return null;
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            try
            {
                socket.Connect(new IPEndPoint(address, port));
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                long micros = (long)Math.Max(1, timeout.TotalMicroseconds);
                if (!socket.Poll((int)Math.Min(micros, int.MaxValue), SelectMode.SelectWrite) || !socket.Connected)
                {
                    socket.Dispose();
                    return null;
                }
            }
            socket.Blocking = true;
            socket.SendTimeout = socket.ReceiveTimeout = (int)Math.Max(1, timeout.TotalMilliseconds);
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

    public void Timeout(TimeSpan timeout) => _socket.SendTimeout = _socket.ReceiveTimeout = (int)Math.Max(1, timeout.TotalMilliseconds);

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
            return false;
        }
        finally
        {
            _pending = new ArrayBufferWriter<byte>();
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> replies; null on error, timeout or a protocol error.</summary>
    public RespValue[]? Read(int count)
    {
        var replies = new RespValue[count];
        var received = new ArrayBufferWriter<byte>();
        int parsed = 0, consumed = 0;
        try
        {
            while (parsed < count)
            {
                var sequence = new ReadOnlySequence<byte>(received.WrittenMemory[consumed..]);
                while (parsed < count && RespReplyParser.TryParse(ref sequence, out var value))
                {
                    replies[parsed++] = value;
                    consumed = received.WrittenCount - (int)sequence.Length;
                }
                if (parsed == count) break;
                int n = _tls is not null ? _tls.Read(_readBuffer) : _socket.Receive(_readBuffer);
                if (n == 0) return null;
                received.Write(_readBuffer.AsSpan(0, n));
            }
            return replies;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or RespProtocolException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
    }
}
