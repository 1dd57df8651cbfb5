using System.Numerics;

namespace Magpie.Storage;

/// <summary>
/// The keys of one hash slot: a chained hash table of <see cref="Entry"/> with power-of-two
/// buckets. Supports span lookups, random sampling (eviction, RANDOMKEY) and Redis's
/// reverse-binary scan cursor, which visits every key present for the whole scan even when the
/// table grows or shrinks between calls.
/// </summary>
/// <remarks>
/// A struct kept inline in the database's slot array, so a lookup goes straight from the slot to
/// its bucket array without another object in between. Use it through a <c>ref</c>.
/// </remarks>
internal struct SlotTable
{
    private Entry?[]? _buckets;

    public int Count { get; private set; }

    public readonly Entry? Find(ReadOnlySpan<byte> key, int hash)
    {
        if (_buckets is null) return null;
        for (var e = _buckets[hash & (_buckets.Length - 1)]; e is not null; e = e.Next)
            if (e.Hash == hash && key.SequenceEqual(e.Key)) return e;
        return null;
    }

    /// <summary>Adds an entry whose key is known to be absent.</summary>
    public void Add(Entry entry)
    {
        _buckets ??= new Entry?[4];
        if (Count >= _buckets.Length) Resize(_buckets.Length * 2);
        ref var head = ref _buckets[entry.Hash & (_buckets.Length - 1)];
        entry.Next = head;
        head = entry;
        Count++;
    }

    public bool Remove(Entry entry)
    {
        if (_buckets is null) return false;
        ref var link = ref _buckets[entry.Hash & (_buckets.Length - 1)];
        while (link is not null)
        {
            if (ReferenceEquals(link, entry))
            {
                link = entry.Next;
                entry.Next = null;
                Count--;
                // Shrink at 1/8 full, as Redis does at 10%, so a drained slot gives memory back.
                if (_buckets.Length > 4 && Count < _buckets.Length / 8) Resize(_buckets.Length / 2);
                return true;
            }
            link = ref link.Next;
        }
        return false;
    }

    public readonly long BucketBytes => (long)(_buckets?.Length ?? 0) * MemorySize.Reference;

    /// <summary>A random entry, or null when empty.</summary>
    public readonly Entry? Random(Random rng)
    {
        if (Count == 0 || _buckets is null) return null;
        int mask = _buckets.Length - 1;
        int start = rng.Next(_buckets.Length);
        for (int i = 0; i <= mask; i++)
        {
            var head = _buckets[(start + i) & mask];
            if (head is null) continue;
            int chain = 0;
            for (var e = head; e is not null; e = e.Next) chain++;
            int pick = rng.Next(chain);
            var chosen = head;
            while (pick-- > 0) chosen = chosen!.Next;
            return chosen;
        }
        return null;
    }

    /// <summary>
    /// Visits one bucket at <paramref name="cursor"/> and returns the next cursor (0 when done).
    /// </summary>
    public readonly ulong ScanBucket(ulong cursor, Action<Entry> visit)
    {
        if (_buckets is null) return 0;
        ulong mask = (ulong)_buckets.Length - 1;
        for (var e = _buckets[cursor & mask]; e is not null; e = e.Next) visit(e);
        cursor |= ~mask;
        cursor = ReverseBits(cursor);
        cursor++;
        return ReverseBits(cursor);
    }

    /// <summary>Up to <paramref name="max"/> entries into a list.</summary>
    public readonly void CopyTo(List<Entry> list, int max)
    {
        if (_buckets is null) return;
        foreach (var head in _buckets)
            for (var e = head; e is not null; e = e.Next)
            {
                if (list.Count >= max) return;
                list.Add(e);
            }
    }

    /// <summary>Collects every entry into a list; safe to mutate the table afterwards.</summary>
    public readonly void CopyTo(List<Entry> list)
    {
        if (_buckets is null) return;
        foreach (var head in _buckets)
            for (var e = head; e is not null; e = e.Next)
                list.Add(e);
    }

    private void Resize(int size)
    {
        var old = _buckets!;
        _buckets = new Entry?[size];
        int mask = size - 1;
        foreach (var head in old)
        {
            var e = head;
            while (e is not null)
            {
                var next = e.Next;
                ref var bucket = ref _buckets[e.Hash & mask];
                e.Next = bucket;
                bucket = e;
                e = next;
            }
        }
    }

    private static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
    }
}
