using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Magpie.Protocol;

/// <summary>
/// Writes RESP replies into a buffer writer (a pipe). Each method writes one RESP element; on
/// RESP2 the RESP3-only types fall back the way Redis does (maps become flat arrays, doubles bulk
/// strings, nulls $-1 or *-1). Allocation-free for everything but strings given as .NET strings.
/// </summary>
public sealed class RespWriter
{
    private IBufferWriter<byte> _output;

    public RespWriter(IBufferWriter<byte> output, RespVersion version = RespVersion.Resp2)
    {
        _output = output;
        Version = version;
    }

    public RespVersion Version { get; set; }

    public bool IsResp3 => Version == RespVersion.Resp3;

    /// <summary>Bytes written since the counter was last reset; used for output-buffer limits.</summary>
    public long BytesWritten { get; set; }

    public IBufferWriter<byte> Output
    {
        get => _output;
        set => _output = value;
    }

    public void WriteOk() => WriteRaw("+OK\r\n"u8);

    public void WriteSimpleString(ReadOnlySpan<byte> text) => WritePrefixed((byte)'+', text);

    public void WriteSimpleString(string text) => WritePrefixedString((byte)'+', text);

    /// <summary>An error reply. <paramref name="message"/> starts with its code, e.g. "ERR ..." or "WRONGTYPE ...".</summary>
    public void WriteError(string message) => WritePrefixedString((byte)'-', message);

    public void WriteError(ReadOnlySpan<byte> message) => WritePrefixed((byte)'-', message);

    public void WriteInteger(long value) => WriteNumberLine((byte)':', value);

    public void WriteBulk(ReadOnlySpan<byte> value)
    {
        WriteNumberLine((byte)'$', value.Length);
        WriteRaw(value);
        WriteRaw("\r\n"u8);
    }

    public void WriteBulk(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteNumberLine((byte)'$', length);
        var span = _output.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(value, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        Advance(length + 2);
    }

    public void WriteBulk(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        WriteBulk(digits[..RedisNumbers.FormatInt64(value, digits)]);
    }

    /// <summary>A null bulk string: "$-1" on RESP2, "_" on RESP3.</summary>
    public void WriteNull() => WriteRaw(IsResp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>A null array: "*-1" on RESP2, "_" on RESP3.</summary>
    public void WriteNullArray() => WriteRaw(IsResp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void WriteArrayHeader(int count) => WriteNumberLine((byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> entries; on RESP2 a flat array of 2×pairs.</summary>
    public void WriteMapHeader(int pairs)
    {
        if (IsResp3) WriteNumberLine((byte)'%', pairs);
        else WriteNumberLine((byte)'*', pairs * 2L);
    }

    /// <summary>A set; on RESP2 an array.</summary>
    public void WriteSetHeader(int count) => WriteNumberLine(IsResp3 ? (byte)'~' : (byte)'*', count);

    /// <summary>An out-of-band push (pub/sub, invalidation); on RESP2 an array.</summary>
    public void WritePushHeader(int count) => WriteNumberLine(IsResp3 ? (byte)'>' : (byte)'*', count);

    /// <summary>A double: ",1.5" on RESP3, a bulk string on RESP2.</summary>
    public void WriteDouble(double value)
    {
        Span<byte> text = stackalloc byte[40];
        int length = RedisNumbers.FormatDouble17(value, text);
        if (IsResp3) WritePrefixed((byte)',', text[..length]);
        else WriteBulk(text[..length]);
    }

    /// <summary>A boolean: "#t"/"#f" on RESP3, ":1"/":0" on RESP2.</summary>
    public void WriteBoolean(bool value)
    {
        if (IsResp3) WriteRaw(value ? "#t\r\n"u8 : "#f\r\n"u8);
        else WriteRaw(value ? ":1\r\n"u8 : ":0\r\n"u8);
    }

    /// <summary>Verbatim text ("=len\r\ntxt:...") on RESP3, a bulk string on RESP2.</summary>
    public void WriteVerbatim(string text)
    {
        if (!IsResp3)
        {
            WriteBulk(text);
            return;
        }
        int length = Encoding.UTF8.GetByteCount(text);
        WriteNumberLine((byte)'=', length + 4);
        WriteRaw("txt:"u8);
        var span = _output.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(text, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        Advance(length + 2);
    }

    /// <summary>Writes a command as an array of bulk strings (what clients send).</summary>
    public void WriteCommand(ReadOnlySpan<ReadOnlyMemory<byte>> args)
    {
        WriteArrayHeader(args.Length);
        foreach (var arg in args) WriteBulk(arg.Span);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= 4096)
        {
            var span = _output.GetSpan(bytes.Length);
            bytes.CopyTo(span);
            Advance(bytes.Length);
            return;
        }
        while (!bytes.IsEmpty)
        {
            var span = _output.GetSpan(1);
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            Advance(n);
            bytes = bytes[n..];
        }
    }

    private void WriteNumberLine(byte prefix, long value)
    {
        var span = _output.GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out int written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        Advance(written + 3);
    }

    private void WritePrefixed(byte prefix, ReadOnlySpan<byte> text)
    {
        var span = _output.GetSpan(text.Length + 3);
        span[0] = prefix;
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        Advance(text.Length + 3);
    }

    private void WritePrefixedString(byte prefix, string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        var span = _output.GetSpan(length + 3);
        span[0] = prefix;
        Encoding.UTF8.GetBytes(text, span[1..]);
        // Simple strings and errors cannot carry CR or LF.
        for (int i = 1; i <= length; i++)
            if (span[i] is (byte)'\r' or (byte)'\n') span[i] = (byte)' ';
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        Advance(length + 3);
    }

    private void Advance(int count)
    {
        _output.Advance(count);
        BytesWritten += count;
    }
}
