using System.Text;
using Magpie.Storage.Persistence;
using Magpie.Storage.Values;

namespace Magpie.Storage.Tests.Persistence;

public class DumpPayloadTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Crc64_matches_the_redis_test_vector()
    {
        Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64.Compute("123456789"u8));
        // Incremental over pieces gives the same result as one call.
        var data = new byte[1000];
        new Random(1).NextBytes(data);
        Assert.Equal(Crc64.Compute(data), Crc64.Compute(data.AsSpan(300), Crc64.Compute(data.AsSpan(0, 300))));
    }

    [Fact]
    public void Lzf_round_trips()
    {
        var rng = new Random(7);
        foreach (int len in new[] { 100, 1000, 70000 })
        {
            var data = new byte[len];
            for (int i = 0; i < len; i++) data[i] = (byte)(rng.Next(4) == 0 ? rng.Next(256) : "abcabcabd"[i % 9]);
            var packed = new byte[len];
            int n = Lzf.Compress(data, packed);
            Assert.True(n > 0);
            var back = new byte[len];
            Assert.True(Lzf.TryDecompress(packed.AsSpan(0, n), back));
            Assert.Equal(data, back);
        }
        Assert.False(Lzf.TryDecompress(new byte[] { 0x20, 0x00 }, new byte[4]));
    }

    // Vectors: DUMP output of redis-server 7.0.15 for the same values.
    [Theory]
    [InlineData("hello", "000568656c6c6f0a006372df766534200a")]
    [InlineData("12345", "00c139300a009d94ea2793fc08b9")]
    [InlineData("-7", "00c0f90a005e26d130d7a242ab")]
    public void Strings_dump_as_redis_does(string value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(DumpPayload.Create(B(value))));
    }

    [Fact]
    public void Compressible_strings_dump_as_redis_does()
    {
        Assert.Equal("00c3094064016161e057000161610a00e8a3b507b06df271", Convert.ToHexStringLower(DumpPayload.Create(B(new string('a', 100)))));
        Assert.Equal("00c32c39017878e00a001f6162636465666768696a6b6c6d6e6f707172737475767778797a30313233343503363738390a00f8265338cd2b90fd",
            Convert.ToHexStringLower(DumpPayload.Create(B(new string('x', 21) + "abcdefghijklmnopqrstuvwxyz0123456789"))));
    }

    [Fact]
    public void Small_list_dumps_as_redis_does()
    {
        var list = new RedisList();
        foreach (var s in new[] { "a", "b", "1", "-5000", "70000", "3000000000", new string('c', 70) }) list.PushTail(B(s));
        Assert.Equal("120102c32b406b1b6b00000007008161028162020101f178ec03f270110104f4005ed0b2201a040009e04663e03c000148ff0a00e6433a8edcc97f1c",
            Convert.ToHexStringLower(DumpPayload.Create(list)));
    }

    [Fact]
    public void Intsets_dump_as_redis_does()
    {
        var set = new RedisSet();
        foreach (var s in new[] { "1", "2", "3", "-70000" }) set.Add(B(s));
        Assert.Equal("0b18040000000400000090eefeff0100000002000000030000000a00a8b63c622cbf2c9c", Convert.ToHexStringLower(DumpPayload.Create(set)));
        var wide = new RedisSet();
        wide.Add(B("5"));
        wide.Add(B((1L << 40).ToString()));
        Assert.Equal("0bc31318040800000002200300052003e00000020100000a0028f12edbbe186910", Convert.ToHexStringLower(DumpPayload.Create(wide)));
    }

    [Fact]
    public void Listpack_zset_and_hash_dump_as_redis_does()
    {
        var z = new RedisSortedSet();
        z.Set(B("a"), 1);
        z.Set(B("b"), 2.5);
        z.Set(B("c"), -3);
        z.Set(B("d"), 1e20);
        z.Set(B("e"), 0.1);
        Assert.Equal("11c3333c133c0000000a00816302dffd0281650293302e3130e00500193114816102010181620283322e35048164028531652b323006ff0a003b39232585af5639",
            Convert.ToHexStringLower(DumpPayload.Create(z)));
        var h = new RedisHash();
        h.Set(B("f1"), B("v1"));
        h.Set(B("f2"), B("123"));
        h.Set(B("f3"), B("y"));
        Assert.Equal("101c1c00000006008266310382763103826632037b0182663303817902ff0a00439386b51d8b6fb7", Convert.ToHexStringLower(DumpPayload.Create(h)));
    }

    [Fact]
    public void Every_type_and_encoding_round_trips()
    {
        var values = new List<object>
        {
            B("plain"), B("42"), B(new string('z', 5000)), new byte[] { 0, 1, 255, 13, 10 },
        };
        var smallList = new RedisList();
        var bigList = new RedisList();
        for (int i = 0; i < 5; i++) smallList.PushTail(B($"e{i}"));
        for (int i = 0; i < 20000; i++) bigList.PushTail(B(i % 3 == 0 ? i.ToString() : $"element-{i}"));
        bigList.PushTail(new byte[100_000]);
        values.Add(smallList);
        values.Add(bigList);
        var intset = new RedisSet();
        for (int i = 0; i < 100; i++) intset.Add(B((i * 1000003L - 50).ToString()));
        var plainSet = new RedisSet();
        for (int i = 0; i < 300; i++) plainSet.Add(B($"m{i}"));
        values.Add(intset);
        values.Add(plainSet);
        var smallZ = new RedisSortedSet();
        smallZ.Set(B("x"), double.PositiveInfinity);
        smallZ.Set(B("y"), double.NegativeInfinity);
        smallZ.Set(B("w"), -0.0);
        smallZ.Set(B("v"), 1.0 / 3);
        var bigZ = new RedisSortedSet();
        for (int i = 0; i < 1000; i++) bigZ.Set(B($"m{i}"), i * 0.37);
        values.Add(smallZ);
        values.Add(bigZ);
        var smallH = new RedisHash();
        smallH.Set(B("a"), B("1"));
        var bigH = new RedisHash();
        for (int i = 0; i < 500; i++) bigH.Set(B($"f{i}"), B($"v{i}"));
        values.Add(smallH);
        values.Add(bigH);

        foreach (var v in values)
        {
            var payload = DumpPayload.Create(v);
            Assert.True(DumpPayload.TryRead(payload, out var back, out var error), error);
            Assert.Equal(Describe(v), Describe(back));
            Assert.Equal(payload, DumpPayload.Create(back) is var again && v is not RedisSet { IsIntset: false } && v is not RedisHash { IsCompact: false } ? again : payload);
        }
    }

    [Fact]
    public void Corrupt_payloads_are_refused()
    {
        var payload = DumpPayload.Create(B("hello"));
        payload[1] ^= 1;
        Assert.False(DumpPayload.TryRead(payload, out _, out var error));
        Assert.Equal("DUMP payload version or checksum are wrong", error);
        Assert.False(DumpPayload.TryRead(new byte[5], out _, out error));
        Assert.Equal("DUMP payload version or checksum are wrong", error);
    }

    [Fact]
    public void Streams_round_trip_with_groups_pel_and_consumers()
    {
        var s = new RedisStream();
        for (ulong i = 1; i <= 150; i++) s.Add(new RedisStreamId(i, 0), [B("f"), B(i.ToString()), B("g"), B("x")]);
        s.Add(new RedisStreamId(200, 1), [B("other"), B("y")]);
        s.Delete(new RedisStreamId(3, 0));
        s.TryCreateGroup(B("grp"), new RedisStreamId(10, 0), 9, out var g);
        var alice = g.GetOrAddConsumer("alice"u8, 1234, out _);
        g.GetOrAddConsumer("bob"u8, 99, out _);
        foreach (ulong i in new ulong[] { 4, 7, 10 })
        {
            var p = new RedisStreamPending(alice, 5000 + (long)i, (long)i);
            g.Pending.Append(new RedisStreamId(i, 0), p);
            alice.Pending.Append(new RedisStreamId(i, 0), p);
        }
        var payload = DumpPayload.Create(s);
        Assert.Equal(RdbType.StreamListpacks2, payload[0]);
        Assert.True(DumpPayload.TryRead(payload, out var value, out var error), error);
        var t = Assert.IsType<RedisStream>(value);
        Assert.Equal(s.Length, t.Length);
        Assert.Equal(s.LastId, t.LastId);
        Assert.Equal(s.FirstId, t.FirstId);
        Assert.Equal(new RedisStreamId(3, 0), t.MaxDeletedEntryId);
        Assert.Equal(151, t.EntriesAdded);
        Assert.Equal(s.Nodes.Count, t.Nodes.Count);
        Assert.True(t.Entries.TryGetValue(new RedisStreamId(200, 1), out var last));
        Assert.Equal("other,y", string.Join(",", last.Select(x => Encoding.ASCII.GetString(x))));
        Assert.False(t.Entries.ContainsKey(new RedisStreamId(3, 0)));
        var tg = t.FindGroup("grp"u8)!;
        Assert.Equal(9, tg.EntriesRead);
        Assert.Equal(3, tg.Pending.Count);
        Assert.True(tg.Pending.TryGetValue(new RedisStreamId(7, 0), out var p7));
        Assert.Equal(5007, p7.DeliveryTime);
        Assert.Equal(7, p7.DeliveryCount);
        Assert.Equal("alice", Encoding.ASCII.GetString(p7.Consumer.Name));
        Assert.Equal(1234, p7.Consumer.SeenTime);
        Assert.Equal(3, p7.Consumer.Pending.Count);
        Assert.Equal(0, tg.FindConsumer("bob"u8)!.Pending.Count);
        // The same bytes again: writing is deterministic.
        Assert.Equal(payload, DumpPayload.Create(t));
    }

    [Fact]
    public void Streams_of_rdb_type_15_load_with_derived_metadata()
    {
        var s = new RedisStream();
        s.Add(new RedisStreamId(1, 1), [B("f"), B("v")]);
        s.Add(new RedisStreamId(1, 2), [B("f"), B("w")]);
        s.Add(new RedisStreamId(5, 0), [B("o"), B("x")]);
        var body19 = DumpPayload.Create(s)[..^10];
        // Type 19 ends with first id 1-1, max deleted 0-0, entries added 3, 0 groups; type 15 has only the group count.
        Assert.Equal(new byte[] { 1, 1, 0, 0, 3, 0 }, body19[^6..]);
        var body15 = body19[..^6].Append((byte)0).ToArray();
        body15[0] = RdbType.StreamListpacks;
        Assert.True(DumpPayload.TryRead(WithFooter(body15), out var value, out var error), error);
        var t = Assert.IsType<RedisStream>(value);
        Assert.Equal(new RedisStreamId(1, 1), t.FirstId);
        Assert.Equal(3, t.EntriesAdded);
        Assert.Equal(new RedisStreamId(5, 0), t.LastId);
    }

    [Fact]
    public void A_stream_pel_entry_without_a_consumer_is_refused()
    {
        var s = new RedisStream();
        s.Add(new RedisStreamId(1, 0), [B("f"), B("v")]);
        s.TryCreateGroup(B("g"), new RedisStreamId(1, 0), 1, out var g);
        var c = g.GetOrAddConsumer("c"u8, 1, out _);
        var p = new RedisStreamPending(c, 1, 1);
        g.Pending.Append(new RedisStreamId(1, 0), p);
        // The consumer's own PEL is left empty: the nack has no owner.
        var payload = DumpPayload.Create(s);
        Assert.False(DumpPayload.TryRead(payload, "mystream"u8, out _, out _));
    }

    [Fact]
    public void Truncated_value_is_bad_data_format()
    {
        var body = new byte[] { RdbType.List, 5, 1, (byte)'a' };
        Assert.False(DumpPayload.TryRead(WithFooter(body), out _, out var error));
        Assert.Equal("Bad data format", error);
    }

    internal static byte[] WithFooter(byte[] body)
    {
        var p = new byte[body.Length + 10];
        body.CopyTo(p, 0);
        p[body.Length] = 10;
        ulong crc = Crc64.Compute(p.AsSpan(0, body.Length + 2));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(body.Length + 2), crc);
        return p;
    }

    internal static string Describe(object v) => v switch
    {
        byte[] s => "string:" + Convert.ToHexString(s),
        RedisList l => "list:" + string.Join(",", Enumerable.Range(0, l.Length).Select(i => Convert.ToHexString(l[i]))),
        RedisSet s => "set:" + string.Join(",", s.EnumerateMembers().Select(Convert.ToHexString).Order()),
        RedisSortedSet z => "zset:" + string.Join(",", Range(z).Select(e => Convert.ToHexString(e.Member) + "=" + e.Score.ToString("R"))),
        RedisHash h => "hash:" + string.Join(",", Enumerable.Range(0, (int)h.Count).Select(i => Convert.ToHexString(h.FieldAt(i)) + "=" + Convert.ToHexString(h.ValueAt(i))).Order()),
        _ => v.ToString()!,
    };

    private static List<ZEntry> Range(RedisSortedSet z)
    {
        var list = new List<ZEntry>();
        var e = z.Range(0, z.Count, false);
        while (e.MoveNext()) list.Add(e.Current);
        return list;
    }
}
