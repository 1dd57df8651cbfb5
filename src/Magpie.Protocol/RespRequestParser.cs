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
    /// On <see cref="RespParseStatus.Incomplete"/>, <paramref name="buffer"/> may also have been advanced:
    /// the arguments of a multibulk that arrived whole are copied into <paramref name="request"/> at once,
    /// and the request remembers how many are still to come, so the next read resumes where this one
    /// stopped instead of scanning the multibulk again from its start (a million small arguments
    /// arriving in many reads would otherwise cost quadratic time).
    /// </summary>
    public static RespParseStatus TryParse(ref ReadOnlySequence<byte> buffer, RespRequest request, long maxBulkLength, out string? error)
    {
        error = null;
        while (true)
        {
            if (request.PendingArguments == 0) request.Clear();
            if (buffer.IsEmpty) return RespParseStatus.Incomplete;
            var status = request.PendingArguments > 0 || buffer.FirstSpan[0] == (byte)'*'
                ? TryParseMultibulk(ref buffer, request, maxBulkLength, out error)
                : TryParseInline(ref buffer, request, out error);
            if (status != RespParseStatus.Complete || request.Count > 0) return status;
        }
    }

    private static RespParseStatus TryParseMultibulk(ref ReadOnlySequence<byte> buffer, RespRequest request, long maxBulkLength, out string? error)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (request.PendingArguments == 0)
        {
            reader.Advance(1); // '*'
            var header = TryReadLength(ref reader, "Protocol error: too big mbulk count string", out long count, out bool valid, out error);
            if (header != RespParseStatus.Complete) return header;
            if (!valid || count > int.MaxValue)
            {
                error = "Protocol error: invalid multibulk length";
                return RespParseStatus.ProtocolError;
            }
            buffer = buffer.Slice(reader.Position);
            if (count <= 0) return RespParseStatus.Complete; // empty command: skipped by the caller's loop
            request.PendingArguments = count;
        }
        error = null;

        // Copy each argument out as soon as all of it has arrived, and consume it.
        while (request.PendingArguments > 0)
        {
            if (!reader.TryRead(out byte prefix)) return RespParseStatus.Incomplete;
            if (prefix != (byte)'$')
            {
                request.PendingArguments = 0;
                error = $"Protocol error: expected '$', got '{(char)prefix}'";
                return RespParseStatus.ProtocolError;
            }
            var lenStatus = TryReadLength(ref reader, "Protocol error: too big bulk count string", out long len, out bool valid, out error);
            if (lenStatus == RespParseStatus.Incomplete) return lenStatus;
            if (lenStatus != RespParseStatus.Complete || !valid || len < 0 || len > maxBulkLength)
            {
                request.PendingArguments = 0;
                error ??= "Protocol error: invalid bulk length";
                return RespParseStatus.ProtocolError;
            }
            // A bulk still arriving: remember its size (the query buffer counts it), copy nothing yet.
            if (reader.Remaining < len + 2)
            {
                request.PendingBulkLength = len;
                return RespParseStatus.Incomplete;
            }
            request.PendingBulkLength = 0;
            request.AddArgument(reader.UnreadSequence.Slice(0, len));
            reader.Advance(len + 2); // Redis does not check the trailing CRLF either
            request.PendingArguments--;
            buffer = buffer.Slice(reader.Position);
        }
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
