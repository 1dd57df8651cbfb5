using System.Buffers;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Protocol.Tests;

public class WriterAndNumberTests
{
    private static string Write(RespVersion version, Action<RespWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new RespWriter(buffer, version));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Resp3_types_fall_back_on_resp2()
    {
        Assert.Equal("$-1\r\n", Write(RespVersion.Resp2, w => w.WriteNull()));
        Assert.Equal("_\r\n", Write(RespVersion.Resp3, w => w.WriteNull()));
        Assert.Equal("*4\r\n", Write(RespVersion.Resp2, w => w.WriteMapHeader(2)));
        Assert.Equal("%2\r\n", Write(RespVersion.Resp3, w => w.WriteMapHeader(2)));
        Assert.Equal("$3\r\n1.5\r\n", Write(RespVersion.Resp2, w => w.WriteDouble(1.5)));
        Assert.Equal(",1.5\r\n", Write(RespVersion.Resp3, w => w.WriteDouble(1.5)));
        Assert.Equal(",inf\r\n", Write(RespVersion.Resp3, w => w.WriteDouble(double.PositiveInfinity)));
        Assert.Equal(":1\r\n", Write(RespVersion.Resp2, w => w.WriteBoolean(true)));
        Assert.Equal("#t\r\n", Write(RespVersion.Resp3, w => w.WriteBoolean(true)));
        Assert.Equal(">3\r\n", Write(RespVersion.Resp3, w => w.WritePushHeader(3)));
        Assert.Equal("=8\r\ntxt:info\r\n", Write(RespVersion.Resp3, w => w.WriteVerbatim("info")));
    }

    [Fact]
    public void Errors_cannot_break_the_line()
    {
        Assert.Equal("-ERR a b\r\n", Write(RespVersion.Resp2, w => w.WriteError("ERR a\nb")));
    }

    [Theory]
    [InlineData("0", true, 0)]
    [InlineData("-1", true, -1)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("9223372036854775808", false, 0)]
    [InlineData("01", false, 0)]
    [InlineData("+1", false, 0)]
    [InlineData(" 1", false, 0)]
    [InlineData("1.0", false, 0)]
    [InlineData("-", false, 0)]
    [InlineData("", false, 0)]
    public void Int64_parsing_follows_string2ll(string text, bool ok, long value)
    {
        Assert.Equal(ok, RedisNumbers.TryParseInt64(Encoding.ASCII.GetBytes(text), out long parsed));
        if (ok) Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("+inf", double.PositiveInfinity)]
    [InlineData("1e3", 1000)]
    public void Double_parsing(string text, double expected)
    {
        Assert.True(RedisNumbers.TryParseDouble(Encoding.ASCII.GetBytes(text), out double d));
        Assert.Equal(expected, d);
    }

    [Theory]
    [InlineData("nan")]
    [InlineData(" 1")]
    [InlineData("abc")]
    [InlineData("0x10")]
    public void Double_parsing_rejects(string text) =>
        Assert.False(RedisNumbers.TryParseDouble(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(3.0, "3")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(1e21, "1e+21")]
    public void Double_formatting_is_shortest_round_trip(double value, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(RedisNumbers.FormatDouble(value)));

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("123456789", 12739)]
    public void Hash_slots_match_redis_cluster(string key, int slot) => Assert.Equal(slot, HashSlot.Of(key));

    [Theory]
    [InlineData("{user1000}.following", "user1000")]   // the tag is hashed
    [InlineData("foo{}{bar}", "foo{}{bar}")]          // an empty first tag: the whole key
    [InlineData("foo{{bar}}zap", "{bar")]             // from the first { to the next }
    [InlineData("foo{bar}{zap}", "bar")]              // only the first tag counts
    [InlineData("foo{bar", "foo{bar")]                // no closing brace: the whole key
    public void Hash_tags_follow_the_cluster_spec(string key, string hashed) =>
        Assert.Equal(HashSlot.Crc16(Encoding.ASCII.GetBytes(hashed)) & 16383, HashSlot.Of(key));
}

public class Crc16Tests
{
    /// <summary>The byte-at-a-time definition, to check the sliced version against.</summary>
    private static ushort Reference(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
        {
            crc ^= (ushort)(b << 8);
            for (int i = 0; i < 8; i++) crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
        }
        return crc;
    }

    [Fact]
    public void Sliced_crc_matches_the_bitwise_definition_for_every_length()
    {
        var rng = new Random(7);
        for (int length = 0; length < 100; length++)
        {
            var data = new byte[length];
            rng.NextBytes(data);
            Assert.Equal(Reference(data), HashSlot.Crc16(data));
        }
        Assert.Equal(0x31C3, HashSlot.Crc16("123456789"u8));
    }
}
