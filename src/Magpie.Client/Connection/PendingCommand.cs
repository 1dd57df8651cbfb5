using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// One command on its way: its RESP encoding (in a pooled buffer, built once by the caller) and the
/// task its caller awaits. Being the task source itself saves an allocation per command.
/// </summary>
internal sealed class PendingCommand : TaskCompletionSource<RespValue>
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Starts a command of <paramref name="argCount"/> arguments besides its name.</summary>
    public PendingCommand(string name, int argCount, int database = -1)
        : base(TaskCreationOptions.None) // completed off the reader loop, by CompletionBatch
    {
        Name = name;
        Database = database;
        _buffer = ArrayPool<byte>.Shared.Rent(64 + name.Length);
        WriteHeader((byte)'*', argCount + 1);
        AddAscii(name);
    }

    /// <summary>The command name, for error messages ("GET").</summary>
    public string Name { get; }

    /// <summary>The database the command must run in, or -1 when it does not matter.</summary>
    public int Database { get; }

    /// <summary>Stopwatch timestamp of when the caller queued it; the sync timeout counts from here.</summary>
    public long QueuedAt { get; set; } = Stopwatch.GetTimestamp();

    /// <summary>Set for SUBSCRIBE and friends: in RESP3 their reply comes as a push.</summary>
    public bool ReplyIsPush { get; init; }

    /// <summary>Internal commands (an injected SELECT) deliver error replies as values instead of throwing.</summary>
    public bool ErrorsAsValues { get; init; }

    /// <summary>The socket the writer put this command on.</summary>
    public PhysicalConnection? WrittenOn { get; set; }

    /// <summary>When set, the command may only go out on this socket (MULTI/EXEC after WATCH); elsewhere it fails.</summary>
    public PhysicalConnection? PinnedTo { get; set; }

    public ReadOnlySpan<byte> Encoded => _buffer.AsSpan(0, _length);

    public PendingCommand Add(MagpieKey key)
    {
        int length = key.GetByteCount();
        WriteHeader((byte)'$', length);
        key.CopyTo(Reserve(length + 2));
        FinishBulk(length);
        return this;
    }

    public PendingCommand Add(MagpieValue value)
    {
        int length = value.GetByteCount();
        WriteHeader((byte)'$', length);
        value.CopyTo(Reserve(length + 2));
        FinishBulk(length);
        return this;
    }

    public PendingCommand Add(ReadOnlySpan<byte> bytes)
    {
        WriteHeader((byte)'$', bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length + 2));
        FinishBulk(bytes.Length);
        return this;
    }

    public PendingCommand Add(long number)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(number, digits, out int n);
        return Add(digits[..n]);
    }

    public PendingCommand Add(string text) => Add((MagpieValue)text);

    /// <summary>Adds a command keyword such as "PX" or "NX" (ASCII, no allocation).</summary>
    public PendingCommand AddAscii(string word)
    {
        WriteHeader((byte)'$', word.Length);
        var span = Reserve(word.Length + 2);
        for (int i = 0; i < word.Length; i++) span[i] = (byte)word[i];
        FinishBulk(word.Length);
        return this;
    }

    /// <summary>Adds an argument of any supported .NET type (for the ExecuteAsync escape hatch).</summary>
    public PendingCommand AddObject(object? arg) => arg switch
    {
        null => Add(ReadOnlySpan<byte>.Empty),
        MagpieKey k => Add(k),
        MagpieValue v => Add(v),
        string s => Add(s),
        byte[] b => Add(b),
        ReadOnlyMemory<byte> m => Add(m.Span),
        Memory<byte> m => Add(m.Span),
        long l => Add(l),
        int i => Add(i),
        double d => Add((MagpieValue)d),
        bool b => Add(b ? 1 : 0),
        TimeSpan t => Add((long)t.TotalMilliseconds),
        _ => Add(Convert.ToString(arg, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
    };

    /// <summary>Returns the encoding buffer to the pool once the bytes are in the socket's pipe.</summary>
    public void ReleaseBuffer()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Completes with the reply, turning error replies into exceptions unless told not to.</summary>
    public void Complete(in RespValue reply)
    {
        if (reply.IsError && !ErrorsAsValues)
            TrySetException(MagpieServerException.From(Name, Encoding.UTF8.GetString(reply.Span)));
        else
            TrySetResult(reply);
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
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }
        return _buffer.AsSpan(_length, size);
    }
}
