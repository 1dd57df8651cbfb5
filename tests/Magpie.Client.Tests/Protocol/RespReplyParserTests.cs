using System.Buffers;
using System.Text;
using Magpie.Protocol.Replies;

namespace Magpie.Client.Tests.Protocol;

public sealed class RespReplyParserTests
{
    private static RespValue Parse(string text)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));
        Assert.True(RespReplyParser.TryParse(ref buffer, out var value));
        Assert.True(buffer.IsEmpty);
        return value;
    }

    [Fact]
    public void Parses_every_resp2_and_resp3_type()
    {
        Assert.True(Parse("+OK\r\n").IsSimple("OK"u8));
        Assert.Equal(RespValueKind.Error, Parse("-ERR bad\r\n").Kind);
        Assert.Equal(-42, Parse(":-42\r\n").AsInt64());
        Assert.Equal("hello", Parse("$5\r\nhello\r\n").ToString());
        Assert.Equal("", Parse("$0\r\n\r\n").ToString());
        Assert.True(Parse("$-1\r\n").IsNull);
        Assert.True(Parse("*-1\r\n").IsNull);
        Assert.True(Parse("_\r\n").IsNull);
        Assert.Equal(1.5, Parse(",1.5\r\n").AsDouble());
        Assert.Equal(double.PositiveInfinity, Parse(",inf\r\n").AsDouble());
        Assert.True(double.IsNaN(Parse(",nan\r\n").AsDouble()));
        Assert.True(Parse("#t\r\n").AsBoolean());
        Assert.False(Parse("#f\r\n").AsBoolean());
        Assert.Equal("Some text", Parse("=13\r\ntxt:Some text\r\n").ToString());
        Assert.Equal("3492890328409238509324850943850943825024385", Parse("(3492890328409238509324850943850943825024385\r\n").ToString());
        Assert.Equal(RespValueKind.Error, Parse("!11\r\nSYNTAX oops\r\n").Kind);

        var array = Parse("*3\r\n:1\r\n$1\r\na\r\n*1\r\n+x\r\n");
        Assert.Equal(RespValueKind.Array, array.Kind);
        Assert.Equal("[1, a, [x]]", array.ToString());

        var map = Parse("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n");
        Assert.Equal(RespValueKind.Map, map.Kind);
        Assert.Equal(4, map.Count);
        Assert.Equal(2, map[3].AsInt64());

        Assert.Equal(RespValueKind.Set, Parse("~2\r\n+a\r\n+b\r\n").Kind);
        var push = Parse(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n");
        Assert.Equal(RespValueKind.Push, push.Kind);
        Assert.Equal("msg", push[2].ToString());
    }

    [Fact]
    public void Attributes_are_skipped()
    {
        var value = Parse("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:7\r\n");
        Assert.Equal(7, value.AsInt64());
    }

    [Fact]
    public void Incomplete_input_consumes_nothing_at_every_split_point()
    {
        var full = Encoding.UTF8.GetBytes("*2\r\n$5\r\nhello\r\n%1\r\n+k\r\n,2.5\r\n");
        for (int cut = 0; cut < full.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(full.AsMemory(0, cut));
            Assert.False(RespReplyParser.TryParse(ref partial, out _));
            Assert.Equal(cut, partial.Length);
        }
    }

    [Fact]
    public void Parses_replies_split_across_segments_and_several_per_buffer()
    {
        var first = new Segment("$5\r\nhel"u8.ToArray());
        var last = first.Append("lo\r\n:9\r\n"u8.ToArray());
        var buffer = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.True(RespReplyParser.TryParse(ref buffer, out var a));
        Assert.Equal("hello", a.ToString());
        Assert.True(RespReplyParser.TryParse(ref buffer, out var b));
        Assert.Equal(9, b.AsInt64());
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData("?\r\n")]
    [InlineData(":abc\r\n")]
    [InlineData("#x\r\n")]
    [InlineData("$abc\r\n")]
    public void Malformed_input_throws(string text)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));
        Assert.Throws<RespProtocolException>(() => RespReplyParser.TryParse(ref buffer, out _));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
