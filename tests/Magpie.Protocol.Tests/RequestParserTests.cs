using System.Buffers;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Protocol.Tests;

public class RequestParserTests
{
    private static (RespParseStatus Status, string[] Args, string? Error, long Consumed) Parse(string input, long maxBulk = RespRequestParser.DefaultMaxBulkLength)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        var seq = new ReadOnlySequence<byte>(bytes);
        var req = new RespRequest();
        var status = RespRequestParser.TryParse(ref seq, req, maxBulk, out var error);
        var args = Enumerable.Range(0, req.Count).Select(i => Encoding.Latin1.GetString(req[i])).ToArray();
        return (status, args, error, bytes.Length - seq.Length);
    }

    [Fact]
    public void Parses_multibulk()
    {
        var r = Parse("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nx!\r\n");
        Assert.Equal(RespParseStatus.Complete, r.Status);
        Assert.Equal(["SET", "k", "v\r\nx!"], r.Args);
    }

    [Fact]
    public void Incomplete_input_keeps_its_progress_and_resumes()
    {
        // The parser consumes whole arguments as they arrive and remembers how many are left, so
        // a multibulk trickling in is never scanned again from its start (issue 10).
        var full = Encoding.ASCII.GetBytes("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
        for (int cut = 1; cut < full.Length; cut++)
        {
            var req = new RespRequest();
            var first = new ReadOnlySequence<byte>(full[..cut]);
            Assert.Equal(RespParseStatus.Incomplete, RespRequestParser.TryParse(ref first, req, 1 << 20, out _));
            var rest = new ReadOnlySequence<byte>([.. first.ToArray(), .. full[cut..]]);
            Assert.Equal(RespParseStatus.Complete, RespRequestParser.TryParse(ref rest, req, 1 << 20, out _));
            Assert.Equal("GET key", req.ToString());
            Assert.True(rest.IsEmpty);
            Assert.Equal(0, req.PendingArguments);
        }
    }

    [Fact]
    public void A_million_arguments_in_small_pieces_parse_in_linear_time()
    {
        const int count = 1_000_000;
        var sb = new StringBuilder($"*{count}\r\n");
        for (int i = 0; i < count; i++) sb.Append("$1\r\nx\r\n");
        var bytes = Encoding.ASCII.GetBytes(sb.ToString());
        var req = new RespRequest();
        var pending = Array.Empty<byte>();
        var status = RespParseStatus.Incomplete;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int offset = 0; offset < bytes.Length; offset += 4096)
        {
            var seq = new ReadOnlySequence<byte>([.. pending, .. bytes.AsSpan(offset, Math.Min(4096, bytes.Length - offset))]);
            status = RespRequestParser.TryParse(ref seq, req, 1 << 20, out _);
            pending = seq.ToArray();
        }
        Assert.Equal(RespParseStatus.Complete, status);
        Assert.Equal(count, req.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Split_reads_across_segments_parse_the_same()
    {
        var text = "*2\r\n$3\r\nGET\r\n$10\r\n0123456789\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        for (int split = 1; split < bytes.Length; split++)
        {
            var seq = Segments.Of(bytes[..split], bytes[split..]);
            var req = new RespRequest();
            Assert.Equal(RespParseStatus.Complete, RespRequestParser.TryParse(ref seq, req, 1 << 20, out _));
            Assert.Equal("0123456789", Encoding.ASCII.GetString(req[1]));
            Assert.True(seq.IsEmpty);
        }
    }

    [Fact]
    public void Pipelined_batch_parses_one_by_one()
    {
        var bytes = Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$4\r\nECHO\r\n$2\r\nyo\r\n");
        var seq = new ReadOnlySequence<byte>(bytes);
        var req = new RespRequest();
        var seen = new List<string>();
        while (RespRequestParser.TryParse(ref seq, req, 1 << 20, out _) == RespParseStatus.Complete) seen.Add(req.ToString());
        Assert.Equal(["PING", "ECHO hi", "ECHO yo"], seen);
    }

    [Fact]
    public void Inline_commands_with_quotes_and_escapes()
    {
        Assert.Equal(["SET", "a b", "c\n\x41"], Parse("SET \"a b\" \"c\\n\\x41\"\r\n").Args);
        Assert.Equal(["SET", "it's", "x"], Parse("SET 'it\\'s' x\n").Args);
        Assert.Equal(["PING"], Parse("\r\n\r\nPING\r\n").Args); // empty lines are skipped
    }

    [Theory]
    [InlineData("SET \"abc\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("SET \"abc\"x\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("SET 'abc\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("*abc\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*3000000000\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n$-5\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$x\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n+OK\r\n", "Protocol error: expected '$', got '+'")]
    public void Malformed_input_gets_redis_errors(string input, string error)
    {
        var r = Parse(input);
        Assert.Equal(RespParseStatus.ProtocolError, r.Status);
        Assert.Equal(error, r.Error);
    }

    [Fact]
    public void Bulk_longer_than_the_limit_is_rejected_before_it_arrives()
    {
        var r = Parse("*2\r\n$3\r\nSET\r\n$2000\r\n", maxBulk: 1000);
        Assert.Equal(RespParseStatus.ProtocolError, r.Status);
        Assert.Equal("Protocol error: invalid bulk length", r.Error);
    }

    [Fact]
    public void Too_big_inline_and_count_strings()
    {
        Assert.Equal("Protocol error: too big inline request", Parse(new string('a', 70 * 1024)).Error);
        Assert.Equal("Protocol error: too big mbulk count string", Parse("*" + new string('1', 70 * 1024)).Error);
        Assert.Equal("Protocol error: too big bulk count string", Parse("*1\r\n$" + new string('1', 70 * 1024)).Error);
    }

    [Fact]
    public void Empty_multibulk_is_skipped()
    {
        var r = Parse("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
        Assert.Equal(RespParseStatus.Complete, r.Status);
        Assert.Equal(["PING"], r.Args);
    }
}

internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(byte[] data) => Memory = data;

    public static ReadOnlySequence<byte> Of(byte[] first, byte[] second)
    {
        var a = new Segments(first);
        var b = new Segments(second) { RunningIndex = first.Length };
        a.Next = b;
        return new ReadOnlySequence<byte>(a, 0, b, second.Length);
    }
}
