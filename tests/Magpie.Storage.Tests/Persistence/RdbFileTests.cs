using System.Text;
using Magpie.Storage.Persistence;
using Magpie.Storage.Values;

namespace Magpie.Storage.Tests.Persistence;

public class RdbFileTests
{
    private long _now = 1_700_000_000_000;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private Keyspace Sample()
    {
        var ks = new Keyspace(16, () => _now);
        for (int d = 0; d < 16; d++)
        {
            var db = ks[d];
            db.Add(B($"s{d}"), B($"value{d}"));
            db.Add(new byte[] { 0, (byte)d, 255 }, B("binary key"), _now + 60_000);
            var list = new RedisList();
            for (int i = 0; i < 300; i++) list.PushTail(B($"i{i}"));
            db.Add(B("list"), list);
            var h = new RedisHash();
            h.Set(B("f"), B("v"));
            db.Add(B("hash"), h, _now + 5000);
            var z = new RedisSortedSet();
            z.Set(B("m"), 2.5);
            db.Add(B("zset"), z);
            var s = new RedisSet();
            s.Add(B("7"));
            db.Add(B("set"), s);
        }
        return ks;
    }

    private static Dictionary<string, string> Contents(Keyspace ks)
    {
        var map = new Dictionary<string, string>();
        for (int d = 0; d < ks.DatabaseCount; d++)
            foreach (var e in ks[d].AllEntries())
                map[$"{d}/{Convert.ToHexString(e.Key)}"] = DumpPayloadTests.Describe(e.Value) + "@" + e.ExpireAt;
        return map;
    }

    [Fact]
    public void A_keyspace_round_trips_through_a_file()
    {
        var ks = Sample();
        var ms = new MemoryStream();
        RdbFileWriter.WriteKeyspace(ms, ks, new RdbSaveOptions { CreatedAtSeconds = 1 });
        Assert.Equal("REDIS0010", Encoding.ASCII.GetString(ms.ToArray(), 0, 9));
        ms.Position = 0;
        var loaded = new Keyspace(16, () => _now);
        var result = RdbFileLoader.Load(ms, loaded);
        Assert.True(result.ChecksumVerified);
        Assert.Equal(ks.TotalKeys(), result.KeysLoaded);
        Assert.Equal("7.0.15", result.Aux["redis-ver"]);
        Assert.Equal(Contents(ks), Contents(loaded));
    }

    [Fact]
    public void Expired_keys_are_not_loaded()
    {
        var ks = Sample();
        var ms = new MemoryStream();
        RdbFileWriter.WriteKeyspace(ms, ks);
        ms.Position = 0;
        _now += 10_000;
        var loaded = new Keyspace(16, () => _now);
        var result = RdbFileLoader.Load(ms, loaded);
        Assert.Equal(16, result.ExpiredSkipped);
    }

    [Fact]
    public void Truncated_and_corrupted_files_name_the_offset()
    {
        var ms = new MemoryStream();
        RdbFileWriter.WriteKeyspace(ms, Sample());
        var bytes = ms.ToArray();
        var truncated = bytes[..(bytes.Length / 2)];
        var ex = Assert.Throws<RdbFormatException>(() => RdbFileLoader.Load(new MemoryStream(truncated), new Keyspace()));
        Assert.InRange(ex.Offset, 9, truncated.Length);
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length - 20] ^= 0x55;
        Assert.Throws<RdbFormatException>(() => RdbFileLoader.Load(new MemoryStream(flipped), new Keyspace()));
        var badMagic = (byte[])bytes.Clone();
        badMagic[0] = (byte)'X';
        Assert.Equal(0, Assert.Throws<RdbFormatException>(() => RdbFileLoader.Load(new MemoryStream(badMagic), new Keyspace())).Offset);
    }

    [Fact]
    public void Lfu_and_lru_hints_are_saved_and_restored()
    {
        var ks = new Keyspace(1, () => _now) { Policy = EvictionPolicy.AllKeysLru };
        ks[0].Add(B("k"), B("v"));
        _now += 100_000;
        var ms = new MemoryStream();
        RdbFileWriter.WriteKeyspace(ms, ks, new RdbSaveOptions { AccessHint = RdbFileWriter.HintFor(ks.Policy) });
        ms.Position = 0;
        var loaded = new Keyspace(1, () => _now) { Policy = EvictionPolicy.AllKeysLru };
        RdbFileLoader.Load(ms, loaded);
        Assert.Equal(100_000, AccessClock.IdleMilliseconds(loaded[0].Lookup("k"u8)!.Access, _now));
    }
}
