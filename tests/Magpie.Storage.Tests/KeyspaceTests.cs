using System.Text;
using Magpie.Protocol;
using Magpie.Storage;

namespace Magpie.Storage.Tests;

public class KeyspaceTests
{
    private long _now = 1_700_000_000_000;
    private readonly Keyspace _ks;
    private Database Db => _ks[0];

    public KeyspaceTests() => _ks = new Keyspace(16, () => _now);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Keys_are_binary_safe()
    {
        var key = new byte[] { 0, 255, 13, 10, 0 };
        Db.Add(key, B("v"));
        Assert.NotNull(Db.Lookup(key));
        Assert.Null(Db.Lookup(new byte[] { 0, 255, 13, 10 }));
    }

    [Fact]
    public void Lazy_expiry_deletes_on_access_and_counts()
    {
        Db.Add("k"u8, B("v"), _now + 100);
        Assert.NotNull(Db.Lookup("k"u8));
        _now += 100;
        Assert.Null(Db.Lookup("k"u8));
        Assert.Equal(0, Db.Count);
        Assert.Equal(1, _ks.Stats.ExpiredKeys);
    }

    [Fact]
    public void Active_expiry_reclaims_without_access()
    {
        for (int i = 0; i < 1000; i++) Db.Add(B($"t{i}"), B("v"), _now + 10);
        for (int i = 0; i < 100; i++) Db.Add(B($"p{i}"), B("v"));
        _now += 20;
        for (int round = 0; round < 50 && Db.Count > 100; round++) _ks.ActiveExpireCycle();
        Assert.Equal(100, Db.Count);
        Assert.Equal(0, Db.VolatileCount);
    }

    private sealed class RemovalLog : IKeyRemovalListener
    {
        public List<string> Events { get; } = [];
        public void KeyExpired(Database db, byte[] key) => Events.Add($"expired {db.Index} {Encoding.UTF8.GetString(key)}");
        public void KeyEvicted(Database db, byte[] key) => Events.Add($"evicted {db.Index} {Encoding.UTF8.GetString(key)}");
    }

    [Fact]
    public void Removal_listeners_hear_expiry_and_eviction_but_not_commands()
    {
        var log = new RemovalLog();
        _ks.RemovalListeners.Add(log);
        Db.Add("lazy"u8, B("v"), _now + 10);
        _ks[3].Add("active"u8, B("v"), _now + 10);
        Db.Add("deleted"u8, B("v"));
        Db.Remove("deleted"u8);
        _now += 20;
        Assert.Null(Db.Lookup("lazy"u8));
        _ks.ActiveExpireCycle();
        Assert.Equal(["expired 0 lazy", "expired 3 active"], log.Events);

        log.Events.Clear();
        _ks.Policy = EvictionPolicy.AllKeysRandom;
        Db.Add("victim"u8, B(new string('x', 1000)));
        _ks.MaxMemory = 1;
        _ks.TryFreeMemory();
        Assert.Equal(["evicted 0 victim"], log.Events);
    }

    [Fact]
    public void Slots_know_their_keys()
    {
        Db.Add("{user1}:a"u8, B("1"));
        Db.Add("{user1}:b"u8, B("2"));
        Db.Add("other"u8, B("3"));
        int slot = HashSlot.Of("{user1}:a"u8);
        Assert.Equal(2, Db.CountInSlot(slot));
        Assert.Equal(2, Db.EntriesInSlot(slot).Count);
        Assert.Single(Db.EntriesInSlot(slot, max: 1));
    }

    [Fact]
    public void Scan_returns_every_key_once_even_while_tables_grow()
    {
        for (int i = 0; i < 500; i++) Db.Add(B($"k{i}"), B("v"));
        var seen = new HashSet<string>();
        ulong cursor = 0;
        int added = 0;
        do
        {
            cursor = Db.Scan(cursor, 10, e => seen.Add(Encoding.UTF8.GetString(e.Key)));
            // Grow the keyspace during the scan: keys present throughout must still be seen.
            if (added < 2000) for (int j = 0; j < 50; j++) Db.Add(B($"new{added++}"), B("v"));
        } while (cursor != 0);
        for (int i = 0; i < 500; i++) Assert.Contains($"k{i}", seen);
    }

    [Fact]
    public void Memory_accounting_follows_writes_and_deletes()
    {
        Assert.Equal(0, _ks.DatasetBytes);
        var e = Db.Add("key"u8, new byte[100]);
        long withKey = _ks.DatasetBytes;
        Assert.True(withKey >= 100 + 3);
        Db.Replace(e, new byte[1000]);
        Assert.Equal(withKey + MemorySize.Array(1000) - MemorySize.Array(100), _ks.DatasetBytes);
        Db.Remove("key"u8);
        Assert.Equal(0, _ks.DatasetBytes);
        Db.Add("a"u8, B("1"));
        Db.Flush();
        Assert.Equal(0, _ks.DatasetBytes);
    }

    [Theory]
    [InlineData(EvictionPolicy.AllKeysLru)]
    [InlineData(EvictionPolicy.AllKeysLfu)]
    [InlineData(EvictionPolicy.AllKeysRandom)]
    [InlineData(EvictionPolicy.VolatileLru)]
    [InlineData(EvictionPolicy.VolatileLfu)]
    [InlineData(EvictionPolicy.VolatileRandom)]
    [InlineData(EvictionPolicy.VolatileTtl)]
    public void Eviction_brings_memory_under_the_limit(EvictionPolicy policy)
    {
        _ks.Policy = policy;
        bool volatileOnly = policy.IsVolatileOnly();
        for (int i = 0; i < 2000; i++) Db.Add(B($"k{i}"), new byte[100], volatileOnly && i % 2 == 0 ? _now + 100_000 + i : 0);
        _ks.MaxMemory = _ks.UsedMemory / 3;
        bool ok = _ks.TryFreeMemory();
        if (volatileOnly)
        {
            // Only keys with a TTL may go: half the keys can't be evicted, so the limit can't be met.
            Assert.False(ok);
            Assert.Equal(0, Db.VolatileCount);
            Assert.Equal(1000, Db.Count);
        }
        else
        {
            Assert.True(ok);
            Assert.True(_ks.UsedMemory <= _ks.MaxMemory);
        }
        Assert.True(_ks.Stats.EvictedKeys > 0);
    }

    [Fact]
    public void Noeviction_refuses()
    {
        Db.Add("k"u8, new byte[100]);
        _ks.MaxMemory = 10;
        Assert.False(_ks.TryFreeMemory());
        Assert.Equal(1, Db.Count);
    }

    [Fact]
    public void Lru_eviction_prefers_idle_keys()
    {
        _ks.Policy = EvictionPolicy.AllKeysLru;
        _ks.MaxMemorySamples = 10;
        for (int i = 0; i < 200; i++) Db.Add(B($"old{i}"), new byte[100]);
        _now += 100_000;
        for (int i = 0; i < 200; i++) Db.Add(B($"new{i}"), new byte[100]);
        _ks.MaxMemory = _ks.UsedMemory * 3 / 4;
        _ks.TryFreeMemory();
        int oldLeft = Enumerable.Range(0, 200).Count(i => Db.Lookup(B($"old{i}")) is not null);
        int newLeft = Enumerable.Range(0, 200).Count(i => Db.Lookup(B($"new{i}")) is not null);
        Assert.True(newLeft > oldLeft, $"old {oldLeft}, new {newLeft}");
    }

    [Fact]
    public void Volatile_ttl_evicts_nearest_expiry_first()
    {
        _ks.Policy = EvictionPolicy.VolatileTtl;
        _ks.MaxMemorySamples = 64;
        for (int i = 0; i < 50; i++) Db.Add(B($"soon{i}"), new byte[100], _now + 1000 + i);
        for (int i = 0; i < 50; i++) Db.Add(B($"late{i}"), new byte[100], _now + 1_000_000 + i);
        _ks.MaxMemory = _ks.UsedMemory * 3 / 4;
        _ks.TryFreeMemory();
        int soonLeft = Enumerable.Range(0, 50).Count(i => Db.Lookup(B($"soon{i}")) is not null);
        int lateLeft = Enumerable.Range(0, 50).Count(i => Db.Lookup(B($"late{i}")) is not null);
        Assert.True(lateLeft > soonLeft, $"soon {soonLeft}, late {lateLeft}");
    }

    [Fact]
    public void Lfu_counter_grows_logarithmically_and_decays()
    {
        var rng = new Random(1);
        uint access = AccessClock.LfuNew(_now);
        for (int i = 0; i < 1000; i++) access = AccessClock.LfuTouch(access, _now, 10, 1, rng);
        uint counter = access & 0xff;
        Assert.InRange(counter, 6u, 30u);
        Assert.Equal(counter - 5, AccessClock.LfuDecayed(access, _now + 5 * 60_000, 1));
    }

    [Fact]
    public void Swapdb_exchanges_contents()
    {
        _ks[0].Add("a"u8, B("1"));
        _ks[1].Add("b"u8, B("2"));
        _ks.SwapDatabases(0, 1);
        Assert.NotNull(_ks[1].Lookup("a"u8));
        Assert.NotNull(_ks[0].Lookup("b"u8));
        Assert.Null(_ks[0].Lookup("a"u8));
    }
}

public class EntryLayoutTests
{
    [Fact]
    public void Entry_object_costs_64_bytes()
    {
        var key = new byte[16];
        object value = new byte[32];
        _ = new Entry(key, 1, value); // warm up: type loading allocates too
        long before = GC.GetAllocatedBytesForCurrentThread();
        var entry = new Entry(key, 1, value);
        long after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(entry);
        Assert.Equal(MemorySize.EntryObject, after - before);
    }
}
