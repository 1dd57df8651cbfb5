using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// One command on its way: its RESP encoding (in a pooled buffer, built once by the caller) and how
/// to complete its caller. The connection only sees this base; <see cref="PendingCommand{T}"/> turns
/// the reply into the caller's type as it completes, so no extra task or state machine is needed.
/// </summary>
internal abstract class PendingCommand
{
    private byte[] _buffer;
    private int _length;

    protected PendingCommand(string name, int argCount, int database)
    {
        Name = name;
        Database = database;
        _buffer = ArrayPool<byte>.Shared.Rent(64 + name.Length);
        WriteHeader((byte)'*', argCount + 1);
        AppendAscii(name);
    }

    /// <summary>A command whose task yields the reply as it came.</summary>
    public static PendingCommand<RespValue> Raw(string name, int argCount, int database = -1) =>
        new(name, argCount, database, static reply => reply);

    /// <summary>The command name, for error messages ("GET").</summary>
    public string Name { get; }

    /// <summary>The database the command must run in, or -1 when it does not matter.</summary>
    public int Database { get; }

    /// <summary>Stopwatch timestamp of when the caller queued it; the sync timeout counts from here.</summary>
    public long QueuedAt { get; set; } = Stopwatch.GetTimestamp();

    /// <summary>Set for SUBSCRIBE and friends: in RESP3 their reply comes as a push.</summary>
    public bool ReplyIsPush { get; set; }

    /// <summary>Internal commands (an injected SELECT) deliver error replies as values instead of throwing.</summary>
    public bool ErrorsAsValues { get; set; }

    /// <summary>The socket the writer put this command on.</summary>
    public PhysicalConnection? WrittenOn { get; set; }

    /// <summary>When set, the command may only go out on this socket (MULTI/EXEC after WATCH); elsewhere it fails.</summary>
    public PhysicalConnection? PinnedTo { get; set; }

    public ReadOnlySpan<byte> Encoded => _buffer.AsSpan(0, _length);

    /// <summary>The hash slot of the first key, when <see cref="Redirect"/> routing needs it; else -1.</summary>
    public int Slot { get; private set; } = -1;

    /// <summary>
    /// Cluster routing: called with a MOVED/ASK reply instead of failing the command; returns true if the
    /// command was sent elsewhere. While set, the encoding is kept until the command completes.
    /// </summary>
    public Func<PendingCommand, MagpieRedirectException, bool>? Redirect { get; set; }

    /// <summary>How many redirects this command has followed.</summary>
    public int Redirects { get; set; }

    /// <summary>Called by the writer once the bytes are in the pipe.</summary>
    public void OnWritten()
    {
        if (Redirect is null) ReleaseBuffer();
    }

    /// <summary>Starts tracking the first key's slot (cluster routing). Must be set before keys are added.</summary>
    public void TrackSlot() => Slot = -2;

    public abstract bool IsCompleted { get; }

    /// <summary>Completes with the reply, turning error replies into exceptions unless told not to.</summary>
    public abstract void Complete(in RespValue reply);

    public abstract bool TrySetException(Exception exception);

    public abstract bool TrySetCanceled();

    /// <summary>A raw command with the same bytes (transactions send copies and complete the originals from EXEC).</summary>
    public PendingCommand<RespValue> CopyAsRaw()
    {
        var copy = Raw(Name, 0, Database);
        copy._length = 0;
        copy.Reserve(_length);
        Encoded.CopyTo(copy._buffer);
        copy._length = _length;
        return copy;
    }

    protected Exception ErrorFor(in RespValue reply) => MagpieServerException.From(Name, Encoding.UTF8.GetString(reply.Span));

    /// <summary>True when the error was a MOVED/ASK that <see cref="Redirect"/> took care of.</summary>
    protected bool TryRedirect(Exception error) =>
        Redirect is { } redirect && error is MagpieRedirectException moved && redirect(this, moved);

    internal void AppendKey(MagpieKey key)
    {
        int length = key.GetByteCount();
        WriteHeader((byte)'$', length);
        var span = Reserve(length + 2);
        key.CopyTo(span);
        if (Slot == -2) Slot = Magpie.Protocol.HashSlot.Of(span[..length]);
        FinishBulk(length);
    }

    internal void AppendValue(MagpieValue value)
    {
        int length = value.GetByteCount();
        WriteHeader((byte)'$', length);
        value.CopyTo(Reserve(length + 2));
        FinishBulk(length);
    }

    internal void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        WriteHeader((byte)'$', bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length + 2));
        FinishBulk(bytes.Length);
    }

    internal void AppendNumber(long number)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(number, digits, out int n);
        AppendBytes(digits[..n]);
    }

    /// <summary>A command keyword such as "PX" or "NX" (ASCII, no allocation).</summary>
    internal void AppendAscii(string word)
    {
        WriteHeader((byte)'$', word.Length);
        var span = Reserve(word.Length + 2);
        for (int i = 0; i < word.Length; i++) span[i] = (byte)word[i];
        FinishBulk(word.Length);
    }

    /// <summary>An argument of any supported .NET type (for the ExecuteAsync escape hatch).</summary>
    internal void AppendObject(object? arg)
    {
        switch (arg)
        {
            case null: AppendBytes([]); break;
            case MagpieKey k: AppendKey(k); break;
            case MagpieValue v: AppendValue(v); break;
            case string s: AppendValue(s); break;
            case byte[] b: AppendBytes(b); break;
            case ReadOnlyMemory<byte> m: AppendBytes(m.Span); break;
            case Memory<byte> m: AppendBytes(m.Span); break;
            case long l: AppendNumber(l); break;
            case int i: AppendNumber(i); break;
            case double d: AppendValue(d); break;
            case bool b: AppendNumber(b ? 1 : 0); break;
            case TimeSpan t: AppendNumber((long)t.TotalMilliseconds); break;
            default: AppendValue(Convert.ToString(arg, System.Globalization.CultureInfo.InvariantCulture) ?? ""); break;
        }
    }

    /// <summary>Returns the encoding buffer to the pool once the bytes are in the socket's pipe.</summary>
    public void ReleaseBuffer()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    private void WriteHeader(byte prefix, long value)
    {
        var span = Reserve(22);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out int n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        _length += n + 3;
    }

    private void FinishBulk(int length)
    {
        _buffer[_length + length] = (byte)'\r';
        _buffer[_length + length + 1] = (byte)'\n';
        _length += length + 2;
    }

    /// <summary>Makes room for <paramref name="size"/> more bytes; does not advance.</summary>
    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }
        return _buffer.AsSpan(_length, size);
    }
}
