using System.Buffers;

namespace Magpie.Protocol;

/// <summary>
/// Parses client commands (RESP multibulk or inline) from a pipe's buffer, with Redis's limits
/// and error texts. A command is copied out only once all of it has arrived, so a large value
/// that trickles in is not copied again on every read.
/// </summary>
public static class RespRequestParser
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: the longest inline line or length header.</summary>
    public const int InlineMaxSize = 64 * 1024;

    public const long DefaultMaxBulkLength = 512L * 1024 * 1024;

    /// <summary>
    /// Tries to parse one command. On <see cref="RespParseStatus.Complete"/>, <paramref name="buffer"/> is
    /// advanced past it. Empty commands (blank inline lines, "*0") are skipped.
    /// </summary>
    public static RespParseStatus TryParse(ref ReadOnlySequence<byte> buffer, RespRequest request, long maxBulkLength, out string? error)
    {
        error = null;
        while (true)
        {
            request.Clear();
            if (buffer.IsEmpty) return RespParseStatus.Incomplete;
            var status = buffer.FirstSpan[0] == (byte)'*'
                ? TryParseMultibulk(ref buffer, request, maxBulkLength, out error)
                : TryParseInline(ref buffer, request, out error);
            if (status != RespParseStatus.Complete || request.Count > 0) return status;
        }
    }

    private static RespParseStatus TryParseMultibulk(ref ReadOnlySequence<byte> buffer, RespRequest request, long maxBulkLength, out string? error)
    {
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(1); // '*'
        var header = TryReadLength(ref reader, "Protocol error: too big mbulk count string", out long count, out bool valid, out error);
        if (header != RespParseStatus.Complete) return header;
        if (!valid || count > int.MaxValue)
        {
            error = "Protocol error: invalid multibulk length";
            return RespParseStatus.ProtocolError;
        }
        if (count <= 0)
        {
            buffer = buffer.Slice(reader.Position);
            return RespParseStatus.Complete; // empty command: skipped by the caller's loop
        }

        // Pass 1: find where every argument starts, without copying, until all have arrived.
        var start = reader.Position;
        for (long i = 0; i < count; i++)
        {
            if (!reader.TryRead(out byte prefix)) return RespParseStatus.Incomplete;
            if (prefix != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)prefix}'";
                return RespParseStatus.ProtocolError;
            }
            var lenStatus = TryReadLength(ref reader, "Protocol error: too big bulk count string", out long len, out valid, out error);
            if (lenStatus != RespParseStatus.Complete) return lenStatus;
            if (!valid || len < 0 || len > maxBulkLength)
            {
                error = "Protocol error: invalid bulk length";
                return RespParseStatus.ProtocolError;
            }
            if (reader.Remaining < len + 2) return RespParseStatus.Incomplete;
            reader.Advance(len + 2); // Redis does not check the trailing CRLF either
        }
        var end = reader.Position;

        // Pass 2: copy the arguments out. Headers are short, so reading them twice is cheap.
        var body = new SequenceReader<byte>(buffer.Slice(start, end));
        for (long i = 0; i < count; i++)
        {
            body.Advance(1);
            TryReadLength(ref body, "", out long len, out _, out _);
            request.AddArgument(body.UnreadSequence.Slice(0, len));
            body.Advance(len + 2);
        }
        buffer = buffer.Slice(end);
        return RespParseStatus.Complete;
    }

    /// <summary>Reads "&lt;digits&gt;\r\n"; <paramref name="valid"/> says whether the digits were an integer.</summary>
    private static RespParseStatus TryReadLength(ref SequenceReader<byte> reader, string tooBigError, out long value, out bool valid, out string? error)
    {
        error = null;
        value = 0;
        valid = false;
        if (!reader.TryReadTo(out ReadOnlySpan<byte> digits, (byte)'\r', advancePastDelimiter: true))
        {
            if (reader.Remaining > InlineMaxSize)
            {
                error = tooBigError;
                return RespParseStatus.ProtocolError;
            }
            return RespParseStatus.Incomplete;
        }
        if (digits.Length > InlineMaxSize)
        {
            error = tooBigError;
            return RespParseStatus.ProtocolError;
        }
        if (!reader.TryRead(out _)) return RespParseStatus.Incomplete; // the '\n'
        valid = RedisNumbers.TryParseInt64(digits, out value);
        return RespParseStatus.Complete;
    }

    private static RespParseStatus TryParseInline(ref ReadOnlySequence<byte> buffer, RespRequest request, out string? error)
    {
        error = null;
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            if (buffer.Length > InlineMaxSize)
            {
                error = "Protocol error: too big inline request";
                return RespParseStatus.ProtocolError;
            }
            return RespParseStatus.Incomplete;
        }
        var lineSeq = buffer.Slice(0, newline.Value);
        if (lineSeq.Length > InlineMaxSize)
        {
            error = "Protocol error: too big inline request";
            return RespParseStatus.ProtocolError;
        }
        Span<byte> small = stackalloc byte[512];
        var line = lineSeq.Length <= small.Length ? small[..(int)lineSeq.Length] : new byte[lineSeq.Length];
        lineSeq.CopyTo(line);
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];

        if (!InlineSplitter.TrySplit(line, request))
        {
            request.Clear();
            error = "Protocol error: unbalanced quotes in request";
            return RespParseStatus.ProtocolError;
        }
        request.IsInline = true;
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return RespParseStatus.Complete;
    }
}
