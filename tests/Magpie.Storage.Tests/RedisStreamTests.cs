using System.Text;
using Magpie.Storage.Values;

namespace Magpie.Storage.Tests;

public class RedisStreamTests
{
    private static byte[][] Fields(params string[] items) => items.Select(Encoding.UTF8.GetBytes).ToArray();

    [Theory]
    [InlineData("5", 0UL, true, 5UL, 0UL)]
    [InlineData("5", ulong.MaxValue, true, 5UL, ulong.MaxValue)]
    [InlineData("5-3", 0UL, true, 5UL, 3UL)]
    [InlineData("18446744073709551615-18446744073709551615", 0UL, true, ulong.MaxValue, ulong.MaxValue)]
    [InlineData("+5", 0UL, true, 5UL, 0UL)]
    [InlineData(" 5", 0UL, true, 5UL, 0UL)]
    [InlineData("01", 0UL, true, 1UL, 0UL)]
    [InlineData("-0", 0UL, false, 0UL, 0UL)]
    public void Ids_parse_as_redis_string2ull(string text, ulong missingSeq, bool ok, ulong ms, ulong seq)
    {
        // "-0" starts with the separator: an empty milliseconds part.
        Assert.Equal(ok, RedisStreamId.TryParse(Encoding.ASCII.GetBytes(text), missingSeq, strict: true, out var id));
        if (ok) Assert.Equal(new RedisStreamId(ms, seq), id);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1-")]
    [InlineData("1-x")]
    [InlineData("1--1")]
    [InlineData("18446744073709551616")]
    [InlineData("1.5")]
    [InlineData("")]
    public void Malformed_ids_are_refused(string text) =>
        Assert.False(RedisStreamId.TryParse(Encoding.ASCII.GetBytes(text), 0, strict: false, out _));

    [Fact]
    public void Minus_and_plus_are_the_extremes_unless_strict()
    {
        Assert.True(RedisStreamId.TryParse("-"u8, 0, false, out var min));
        Assert.Equal(RedisStreamId.Min, min);
        Assert.True(RedisStreamId.TryParse("+"u8, 0, false, out var max));
        Assert.Equal(RedisStreamId.Max, max);
        Assert.False(RedisStreamId.TryParse("+"u8, 0, true, out _));
        Assert.True(RedisStreamId.TryParse("7-*"u8, 0, true, out var star, allowSeqStar: true, out bool seqGiven));
        Assert.Equal(new RedisStreamId(7, 0), star);
        Assert.False(seqGiven);
    }

    [Fact]
    public void Id_map_keeps_order_through_inserts_deletes_and_chunk_splits()
    {
        var map = new RedisStreamIdMap<int>();
        var expected = new SortedDictionary<RedisStreamId, int>();
        var rng = new Random(3);
        for (int i = 0; i < 3000; i++)
        {
            var id = new RedisStreamId((ulong)rng.Next(500), (ulong)rng.Next(4));
            if (rng.Next(4) == 0)
            {
                Assert.Equal(expected.Remove(id), map.Remove(id));
            }
            else
            {
                Assert.Equal(!expected.ContainsKey(id), map.Set(id, i));
                expected[id] = i;
            }
        }
        Assert.Equal(expected.Count, map.Count);
        Assert.Equal(expected.ToList(), map.Ascending(RedisStreamId.Min, RedisStreamId.Max).ToList());
        Assert.Equal(expected.Reverse().ToList(), map.Descending(RedisStreamId.Min, RedisStreamId.Max).ToList());
        var from = new RedisStreamId(100, 2);
        var to = new RedisStreamId(300, 1);
        Assert.Equal(expected.Where(kv => kv.Key >= from && kv.Key <= to).ToList(), map.Ascending(from, to).ToList());
        Assert.Equal(expected.Where(kv => kv.Key >= from && kv.Key <= to).Reverse().ToList(), map.Descending(from, to).ToList());
    }

    [Fact]
    public void Empty_stream_stays_a_key_and_tracks_7_0_metadata()
    {
        var s = new RedisStream();
        s.Add(new(1, 0), Fields("f", "v"));
        s.Add(new(2, 0), Fields("f", "v"));
        Assert.True(s.Delete(new(1, 0)));
        s.UpdateFirstIdAfterDelete();
        Assert.Equal(new RedisStreamId(2, 0), s.FirstId);
        Assert.True(s.Delete(new(2, 0)));
        s.UpdateFirstIdAfterDelete();
        Assert.Equal(0, s.Length);
        Assert.Equal(1, s.Count);
        Assert.Equal(RedisStreamId.Min, s.FirstId);
        Assert.Equal(new RedisStreamId(2, 0), s.MaxDeletedEntryId);
        Assert.Equal(new RedisStreamId(2, 0), s.LastId);
        Assert.Equal(2, s.EntriesAdded);
        Assert.Equal("stream", s.Encoding);
        Assert.Equal(RedisType.Stream, s.Type);
    }

    [Fact]
    public void Approximate_trim_removes_whole_100_entry_nodes_only()
    {
        var s = new RedisStream();
        for (ulong i = 1; i <= 250; i++) s.Add(new(i, 0), Fields("f", "v"));
        Assert.Equal(3, s.Nodes.Count);
        Assert.Equal(100, s.Trim(120, null, approx: true, limit: 10000));
        Assert.Equal(150, s.Length);
        Assert.Equal(30, s.Trim(120, null, approx: false, limit: 0));
        Assert.Equal(new RedisStreamId(131, 0), s.FirstId);
        Assert.Equal(0, s.Trim(0, new RedisStreamId(200, 0), approx: true, limit: 10000));
        Assert.Equal(70, s.Trim(0, new RedisStreamId(201, 0), approx: false, limit: 0));
        Assert.Equal(new RedisStreamId(201, 0), s.FirstId);
    }

    [Fact]
    public void Clone_is_deep_for_groups_and_pending_entries()
    {
        var s = new RedisStream();
        s.Add(new(1, 0), Fields("f", "v"));
        s.TryCreateGroup("g"u8.ToArray(), RedisStreamId.Min, 0, out var g);
        var c = g.GetOrAddConsumer("alice"u8, 10, out _);
        var nack = new RedisStreamPending(c, 10, 1);
        g.Pending.Set(new(1, 0), nack);
        c.Pending.Set(new(1, 0), nack);
        var copy = (RedisStream)s.Clone();
        g.Pending.Clear();
        var g2 = copy.FindGroup("g"u8)!;
        Assert.Equal(1, g2.Pending.Count);
        Assert.True(g2.Pending.TryGetValue(new(1, 0), out var copied));
        Assert.NotSame(nack, copied);
        Assert.Same(g2.FindConsumer("alice"u8), copied.Consumer);
        Assert.True(copy.EstimatedBytes > 0);
    }
}
