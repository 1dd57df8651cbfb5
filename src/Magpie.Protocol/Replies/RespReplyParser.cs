using System.Buffers;

namespace Magpie.Protocol.Replies;

/// <summary>
/// Parses server replies, RESP2 and RESP3, from a pipe's buffer. A reply is consumed only once it
/// has arrived whole, so callers can simply retry after the next read. RESP3 attributes ("|") are
/// read and dropped: no command this client sends depends on them.
/// </summary>
public static class RespReplyParser
{
    /// <summary>Deepest nesting accepted; deeper input is treated as hostile.</summary>
    public const int MaxDepth = 64;

    private static readonly byte[] Ok = "OK"u8.ToArray();
    private static readonly byte[] Queued = "QUEUED"u8.ToArray();
    private static readonly byte[] Pong = "PONG"u8.ToArray();
    private static readonly byte[] Empty = [];

    /// <summary>
    /// Tries to parse one reply. On success <paramref name="buffer"/> is advanced past it; when more
    /// bytes are needed it returns false and leaves the buffer alone. Malformed input throws
    /// <see cref="RespProtocolException"/>.
    /// </summary>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, out RespValue value)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!TryRead(ref reader, 0, out value)) return false;
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryRead(ref SequenceReader<byte> reader, int depth, out RespValue value)
    {
        value = default;
        if (depth > MaxDepth) throw new RespProtocolException("Protocol error: reply nested too deeply");
        if (!reader.TryRead(out byte prefix)) return false;
        switch (prefix)
        {
            case (byte)'+':
                if (!TryReadLine(ref reader, out var simple)) return false;
                value = RespValue.SimpleString(Intern(simple));
                return true;
            case (byte)'-':
                if (!TryReadLine(ref reader, out var error)) return false;
                value = RespValue.Error(error.ToArray());
                return true;
            case (byte)':':
                if (!TryReadInteger(ref reader, out long integer)) return false;
                value = RespValue.Integer(integer);
                return true;
            case (byte)'$':
                return TryReadBlob(ref reader, RespValueKind.BulkString, out value);
            case (byte)'=':
                return TryReadBlob(ref reader, RespValueKind.Verbatim, out value);
            case (byte)'!':
                return TryReadBlob(ref reader, RespValueKind.Error, out value);
            case (byte)'*':
                return TryReadAggregate(ref reader, RespValueKind.Array, 1, depth, out value);
            case (byte)'~':
                return TryReadAggregate(ref reader, RespValueKind.Set, 1, depth, out value);
            case (byte)'>':
                return TryReadAggregate(ref reader, RespValueKind.Push, 1, depth, out value);
            case (byte)'%':
                return TryReadAggregate(ref reader, RespValueKind.Map, 2, depth, out value);
            case (byte)'_':
                if (!TryReadLine(ref reader, out _)) return false;
                value = RespValue.Null;
                return true;
            case (byte)'#':
                if (!TryReadLine(ref reader, out var flag)) return false;
                if (flag.Length != 1 || (flag[0] != 't' && flag[0] != 'f'))
                    throw new RespProtocolException("Protocol error: invalid boolean");
                value = RespValue.Boolean(flag[0] == 't');
                return true;
            case (byte)',':
                if (!TryReadLine(ref reader, out var number)) return false;
                if (!TryParseDouble(number, out double dbl)) throw new RespProtocolException("Protocol error: invalid double");
                value = RespValue.Double(dbl);
                return true;
            case (byte)'(':
                if (!TryReadLine(ref reader, out var big)) return false;
                value = RespValue.BigNumber(big.ToArray());
                return true;
            case (byte)'|':
                // An attribute map precedes the real reply: parse it, drop it, and read what follows.
                if (!TryReadAggregate(ref reader, RespValueKind.Map, 2, depth, out _)) return false;
                return TryRead(ref reader, depth, out value);
            default:
                throw new RespProtocolException($"Protocol error: unexpected reply type '{(char)prefix}'");
        }
    }

    private static bool TryReadBlob(ref SequenceReader<byte> reader, RespValueKind kind, out RespValue value)
    {
        value = default;
        if (!TryReadInteger(ref reader, out long length)) return false;
        if (length < 0)
        {
            value = RespValue.Null; // RESP2 null bulk: $-1
            return true;
        }
        if (length > int.MaxValue) throw new RespProtocolException("Protocol error: bulk too long");
        if (reader.Remaining < length + 2) return false;
        var bytes = length == 0 ? Empty : new byte[length];
        reader.UnreadSequence.Slice(0, length).CopyTo(bytes);
        reader.Advance(length + 2);
        value = kind switch
        {
            RespValueKind.Verbatim => RespValue.Verbatim(bytes.Length >= 4 && bytes[3] == ':' ? bytes[4..] : bytes),
            RespValueKind.Error => RespValue.Error(bytes),
            _ => RespValue.Bulk(bytes),
        };
        return true;
    }

    private static bool TryReadAggregate(ref SequenceReader<byte> reader, RespValueKind kind, int perEntry, int depth, out RespValue value)
    {
        value = default;
        if (!TryReadInteger(ref reader, out long count)) return false;
        if (count < 0)
        {
            value = RespValue.Null; // RESP2 null array: *-1
            return true;
        }
        long total = count * perEntry;
        // Each element takes at least 3 bytes, so a count beyond what could have arrived means "wait".
        if (total > int.MaxValue) throw new RespProtocolException("Protocol error: aggregate too long");
        if (total * 3 > reader.Remaining) return false;
        var items = total == 0 ? [] : new RespValue[total];
        for (int i = 0; i < items.Length; i++)
            if (!TryRead(ref reader, depth + 1, out items[i])) return false;
        value = RespValue.Aggregate(kind, items);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        if (!reader.TryReadTo(out line, "\r\n"u8, advancePastDelimiter: true)) return false;
        return true;
    }

    private static bool TryReadInteger(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        if (!TryReadLine(ref reader, out var digits)) return false;
        if (!RedisNumbers.TryParseInt64(digits, out value))
            throw new RespProtocolException("Protocol error: invalid length or integer");
        return true;
    }

    private static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        if (RedisNumbers.EqualsIgnoreCase(text, "nan"u8))
        {
            value = double.NaN;
            return true;
        }
        return RedisNumbers.TryParseDouble(text, out value);
    }

    /// <summary>Shares the arrays of the most common status replies instead of allocating one per reply.</summary>
    private static byte[] Intern(ReadOnlySpan<byte> text)
    {
        if (text.SequenceEqual(Ok)) return Ok;
        if (text.SequenceEqual(Queued)) return Queued;
        if (text.SequenceEqual(Pong)) return Pong;
        return text.ToArray();
    }
}
