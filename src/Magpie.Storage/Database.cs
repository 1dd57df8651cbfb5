using Magpie.Protocol;

namespace Magpie.Storage;

/// <summary>
/// One numbered database (SELECT n). Keys live in per-slot tables, so the keys of a slot can be
/// counted, listed and moved without touching the rest. All calls are made under
/// <see cref="Keyspace.Sync"/>.
/// </summary>
public sealed class Database
{
    private readonly Keyspace _keyspace;
    private SlotTable[] _slots = new SlotTable[HashSlot.Count];
    // Non-empty slots, for uniform-ish random sampling; _slotPosition maps slot -> index or -1.
    private int[] _nonEmpty = new int[64];
    private int _nonEmptyCount;
    private int[] _slotPosition = NewPositions();
    private List<Entry> _volatile = [];

    internal Database(Keyspace keyspace, int index)
    {
        _keyspace = keyspace;
        Index = index;
    }

    public int Index { get; }

    public long Count { get; private set; }

    /// <summary>Keys with a TTL (INFO keyspace's "expires").</summary>
    public int VolatileCount => _volatile.Count;

    public Keyspace Keyspace => _keyspace;

    /// <summary>Finds a live key, deleting it first if its TTL has passed. Does not touch access stats.</summary>
    public Entry? Lookup(ReadOnlySpan<byte> key)
    {
        var entry = FindRaw(key, HashSlot.Of(key));
        if (entry is null) return null;
        if (entry.ExpireAt != 0 && entry.ExpireAt <= _keyspace.Now)
        {
            ExpireNow(entry);
            return null;
        }
        return entry;
    }

    /// <summary>A lookup by a read command: counts keyspace hits/misses and records the access.</summary>
    public Entry? GetForRead(ReadOnlySpan<byte> key)
    {
        var entry = Lookup(key);
        if (entry is null)
        {
            _keyspace.Stats.KeyspaceMisses++;
            _keyspace.KeyMissed?.Invoke(this, key);
            return null;
        }
        _keyspace.Stats.KeyspaceHits++;
        _keyspace.RecordAccess(entry);
        return entry;
    }

    /// <summary>A lookup by a write command. Call <see cref="SignalModified"/> after changing the value in place.</summary>
    public Entry? GetForWrite(ReadOnlySpan<byte> key)
    {
        var entry = Lookup(key);
        if (entry is not null)
        {
            _keyspace.Snapshot?.BeforeWrite(this, entry);
            _keyspace.RecordAccess(entry);
        }
        return entry;
    }

    /// <summary>Adds a key known to be absent (check with <see cref="Lookup"/> first).</summary>
    public Entry Add(ReadOnlySpan<byte> key, object value, long expireAt = 0)
    {
        _keyspace.Snapshot?.BeforeAdd(this, key);
        int slot = HashSlot.Of(key);
        ref var table = ref _slots[slot];
        if (table.Count == 0) MarkNonEmpty(slot);
        var entry = new Entry(key.ToArray(), KeyHashing.Hash(key), value);
        entry.Access = _keyspace.NewAccess();
        table.Add(entry);
        Count++;
        if (expireAt != 0) SetExpire(entry, expireAt);
        _keyspace.KeyAdded?.Invoke(this, entry.Key);
        SignalModified(entry);
        return entry;
    }

    /// <summary>Sets a string, replacing any value of any type. Keeps the TTL only when asked.</summary>
    public Entry SetString(ReadOnlySpan<byte> key, byte[] value, long expireAt = 0, bool keepTtl = false)
    {
        var entry = Lookup(key);
        if (entry is null) return Add(key, value, expireAt);
        _keyspace.Snapshot?.BeforeWrite(this, entry);
        entry.Value = value;
        if (!keepTtl) SetExpire(entry, expireAt);
        _keyspace.RecordAccess(entry);
        SignalModified(entry);
        return entry;
    }

    /// <summary>Replaces the value of an existing entry (any type), keeping its TTL.</summary>
    public void Replace(Entry entry, object value)
    {
        _keyspace.Snapshot?.BeforeWrite(this, entry);
        entry.Value = value;
        SignalModified(entry);
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        var entry = Lookup(key);
        if (entry is null) return false;
        Remove(entry);
        return true;
    }

    public void Remove(Entry entry)
    {
        if (!entry.Live) return;
        _keyspace.Snapshot?.BeforeWrite(this, entry);
        int slot = HashSlot.Of(entry.Key);
        ref var table = ref _slots[slot];
        table.Remove(entry);
        if (table.Count == 0) MarkEmpty(slot);
        Count--;
        RemoveVolatile(entry);
        entry.Live = false;
        _keyspace.Unaccount(entry);
        _keyspace.NotifyModified(this, entry.Key);
    }

    /// <summary>Sets (or with 0 clears) a key's absolute expiry in Unix milliseconds.</summary>
    public void SetExpire(Entry entry, long expireAt)
    {
        if (entry.Live) _keyspace.Snapshot?.BeforeWrite(this, entry);
        if (expireAt == 0)
        {
            RemoveVolatile(entry);
            entry.ExpireAt = 0;
            return;
        }
        entry.ExpireAt = expireAt;
        if (entry.VolatileIndex < 0)
        {
            entry.VolatileIndex = _volatile.Count;
            _volatile.Add(entry);
        }
    }

    /// <summary>
    /// Must follow every in-place change of a value: it re-accounts the entry's memory, deletes a
    /// collection that became empty, and tells watchers (WATCH, tracking, blocked clients).
    /// </summary>
    public void SignalModified(Entry entry)
    {
        if (!entry.Live) return;
        if (entry.Value is IRedisValue { Count: 0 })
        {
            Remove(entry);
            return;
        }
        _keyspace.Reaccount(entry);
        _keyspace.NotifyModified(this, entry.Key);
    }

    /// <summary>Deletes an expired entry and counts it, as lazy and active expiry both do.</summary>
    internal void ExpireNow(Entry entry)
    {
        _keyspace.Stats.ExpiredKeys++;
        Remove(entry);
        foreach (var listener in _keyspace.RemovalListeners) listener.KeyExpired(this, entry.Key);
    }

    public long CountInSlot(int slot) => _slots[slot].Count;

    /// <summary>Up to <paramref name="max"/> keys of one slot (CLUSTER GETKEYSINSLOT, migration).</summary>
    public List<Entry> EntriesInSlot(int slot, int max = int.MaxValue)
    {
        var list = new List<Entry>();
        _slots[slot].CopyTo(list, max);
        return list;
    }

    /// <summary>
    /// One SCAN step: visits keys from <paramref name="cursor"/> until at least <paramref name="count"/>
    /// buckets' worth were seen. The cursor packs the slot (low 14 bits) and the slot table's
    /// reverse-binary bucket cursor (the rest). Returns 0 when the scan is complete.
    /// </summary>
    public ulong Scan(ulong cursor, int count, Action<Entry> visit)
    {
        int slot = (int)(cursor & (HashSlot.Count - 1));
        ulong bucket = cursor >> 14;
        int visited = 0;
        int budget = Math.Max(count, 1) * 10;
        while (slot < HashSlot.Count)
        {
            ref var table = ref _slots[slot];
            if (table.Count == 0)
            {
                // Skipping an empty slot is one array read, so it costs no budget.
                slot++;
                bucket = 0;
                continue;
            }
            bucket = table.ScanBucket(bucket, e => { visited++; visit(e); });
            if (bucket == 0) slot++;
            if (visited >= count || --budget <= 0)
                break;
        }
        if (slot >= HashSlot.Count) return 0;
        return (bucket << 14) | (uint)slot;
    }

    /// <summary>A random live-or-expired entry (callers check expiry), or null when empty.</summary>
    public Entry? RandomEntry(Random rng)
    {
        if (_nonEmptyCount == 0) return null;
        int slot = _nonEmpty[rng.Next(_nonEmptyCount)];
        return _slots[slot].Random(rng);
    }

    /// <summary>A random key with a TTL, or null.</summary>
    public Entry? RandomVolatile(Random rng) => _volatile.Count == 0 ? null : _volatile[rng.Next(_volatile.Count)];

    /// <summary>All entries, copied to a list (KEYS, FLUSH, snapshots).</summary>
    public List<Entry> AllEntries()
    {
        var list = new List<Entry>((int)Math.Min(Count, int.MaxValue));
        for (int i = 0; i < _nonEmptyCount; i++) _slots[_nonEmpty[i]].CopyTo(list);
        return list;
    }

    public void Flush()
    {
        _keyspace.Snapshot?.BeforeWholeDatabase(this);
        foreach (var e in AllEntries())
        {
            e.Live = false;
            _keyspace.Unaccount(e);
            _keyspace.NotifyModified(this, e.Key);
        }
        _slots = new SlotTable[HashSlot.Count];
        _nonEmpty = new int[64];
        _nonEmptyCount = 0;
        _slotPosition = NewPositions();
        _volatile = [];
        Count = 0;
    }

    /// <summary>SWAPDB: exchanges the contents of two databases.</summary>
    internal void SwapContents(Database other)
    {
        _keyspace.Snapshot?.BeforeWholeDatabase(this);
        _keyspace.Snapshot?.BeforeWholeDatabase(other);
        (_slots, other._slots) = (other._slots, _slots);
        (_nonEmpty, other._nonEmpty) = (other._nonEmpty, _nonEmpty);
        (_nonEmptyCount, other._nonEmptyCount) = (other._nonEmptyCount, _nonEmptyCount);
        (_slotPosition, other._slotPosition) = (other._slotPosition, _slotPosition);
        (_volatile, other._volatile) = (other._volatile, _volatile);
        (Count, other.Count) = (other.Count, Count);
    }

    internal long BucketBytes()
    {
        long total = 0;
        for (int i = 0; i < _nonEmptyCount; i++) total += _slots[_nonEmpty[i]].BucketBytes;
        return total;
    }

    private Entry? FindRaw(ReadOnlySpan<byte> key, int slot) => _slots[slot].Find(key, KeyHashing.Hash(key));

    private void RemoveVolatile(Entry entry)
    {
        int i = entry.VolatileIndex;
        if (i < 0) return;
        var last = _volatile[^1];
        _volatile[i] = last;
        last.VolatileIndex = i;
        _volatile.RemoveAt(_volatile.Count - 1);
        entry.VolatileIndex = -1;
    }

    private void MarkNonEmpty(int slot)
    {
        if (_slotPosition[slot] >= 0) return;
        if (_nonEmptyCount == _nonEmpty.Length) Array.Resize(ref _nonEmpty, _nonEmpty.Length * 2);
        _slotPosition[slot] = _nonEmptyCount;
        _nonEmpty[_nonEmptyCount++] = slot;
    }

    private void MarkEmpty(int slot)
    {
        int pos = _slotPosition[slot];
        if (pos < 0) return;
        int last = _nonEmpty[--_nonEmptyCount];
        _nonEmpty[pos] = last;
        _slotPosition[last] = pos;
        _slotPosition[slot] = -1;
    }

    private static int[] NewPositions()
    {
        var a = new int[HashSlot.Count];
        Array.Fill(a, -1);
        return a;
    }
}
