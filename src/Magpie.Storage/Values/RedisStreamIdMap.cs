namespace Magpie.Storage.Values;

/// <summary>
/// A map ordered by <see cref="RedisStreamId"/>: a list of sorted chunks of at most
/// <see cref="ChunkSize"/> ids. Seeking is a binary search over the chunks' first ids and then
/// inside one chunk, O(log n); iteration in either direction walks the chunks. Appending past the
/// last id (XADD) is O(1); an insert or a delete inside moves at most one chunk's tail, and a chunk
/// that empties is dropped. Streams keep their entries in one, consumer groups their pending
/// entries (the PEL) in another.
/// </summary>
public sealed class RedisStreamIdMap<T>
{
    public const int ChunkSize = 128;

    private readonly List<Chunk> _chunks = [];

    public int Count { get; private set; }

    /// <summary>Number of chunks (for memory estimates).</summary>
    public int ChunkCount => _chunks.Count;

    public bool TryGetFirst(out RedisStreamId id, out T value)
    {
        if (Count == 0) { id = default; value = default!; return false; }
        var c = _chunks[0];
        id = c.Ids[0];
        value = c.Values[0];
        return true;
    }

    public bool TryGetLast(out RedisStreamId id, out T value)
    {
        if (Count == 0) { id = default; value = default!; return false; }
        var c = _chunks[^1];
        id = c.Ids[c.Count - 1];
        value = c.Values[c.Count - 1];
        return true;
    }

    public bool TryGetValue(RedisStreamId id, out T value)
    {
        var pos = Seek(id);
        if (pos.Chunk < _chunks.Count)
        {
            var c = _chunks[pos.Chunk];
            if (pos.Index < c.Count && c.Ids[pos.Index] == id)
            {
                value = c.Values[pos.Index];
                return true;
            }
        }
        value = default!;
        return false;
    }

    public bool ContainsKey(RedisStreamId id) => TryGetValue(id, out _);

    /// <summary>Adds or replaces. Returns true when the id is new.</summary>
    public bool Set(RedisStreamId id, T value)
    {
        if (_chunks.Count == 0 || id > LastIdUnchecked())
        {
            Append(id, value);
            return true;
        }
        var pos = Seek(id);
        if (pos.Chunk < _chunks.Count)
        {
            var c = _chunks[pos.Chunk];
            if (pos.Index < c.Count && c.Ids[pos.Index] == id)
            {
                c.Values[pos.Index] = value;
                return false;
            }
        }
        // Insert before the position; past a chunk's end means the end of the previous chunk.
        if (pos.Chunk == _chunks.Count) pos = new(pos.Chunk - 1, _chunks[^1].Count);
        var chunk = _chunks[pos.Chunk];
        if (chunk.Count == ChunkSize)
        {
            // Split in halves, then insert into the proper half.
            int half = ChunkSize / 2;
            var right = new Chunk { Ids = new RedisStreamId[ChunkSize], Values = new T[ChunkSize] };
            Array.Copy(chunk.Ids, half, right.Ids, 0, ChunkSize - half);
            Array.Copy(chunk.Values, half, right.Values, 0, ChunkSize - half);
            Array.Clear(chunk.Values, half, ChunkSize - half);
            right.Count = ChunkSize - half;
            chunk.Count = half;
            _chunkBytes -= BytesOf(chunk);
            AddChunk(pos.Chunk + 1, right);
            _chunkBytes += BytesOf(chunk);
            if (pos.Index > half)
            {
                chunk = right;
                pos = new(pos.Chunk + 1, pos.Index - half);
            }
        }
        EnsureRoom(chunk);
        Array.Copy(chunk.Ids, pos.Index, chunk.Ids, pos.Index + 1, chunk.Count - pos.Index);
        Array.Copy(chunk.Values, pos.Index, chunk.Values, pos.Index + 1, chunk.Count - pos.Index);
        chunk.Ids[pos.Index] = id;
        chunk.Values[pos.Index] = value;
        chunk.Count++;
        Count++;
        return true;
    }

    /// <summary>Appends an id greater than every id present.</summary>
    public void Append(RedisStreamId id, T value)
    {
        Chunk c;
        if (_chunks.Count == 0 || _chunks[^1].Count == ChunkSize)
        {
            c = new Chunk();
            AddChunk(_chunks.Count, c);
        }
        else c = _chunks[^1];
        EnsureRoom(c);
        c.Ids[c.Count] = id;
        c.Values[c.Count] = value;
        c.Count++;
        Count++;
    }

    public bool Remove(RedisStreamId id) => Remove(id, out _);

    public bool Remove(RedisStreamId id, out T value)
    {
        var pos = Seek(id);
        value = default!;
        if (pos.Chunk >= _chunks.Count) return false;
        var c = _chunks[pos.Chunk];
        if (pos.Index >= c.Count || c.Ids[pos.Index] != id) return false;
        value = c.Values[pos.Index];
        RemoveAt(pos.Chunk, pos.Index);
        return true;
    }

    /// <summary>Removes the first (lowest) entry.</summary>
    public void RemoveFirst() => RemoveAt(0, 0);

    private void RemoveAt(int chunkIndex, int index)
    {
        var c = _chunks[chunkIndex];
        c.Count--;
        Array.Copy(c.Ids, index + 1, c.Ids, index, c.Count - index);
        Array.Copy(c.Values, index + 1, c.Values, index, c.Count - index);
        c.Values[c.Count] = default!;
        if (c.Count == 0) RemoveChunk(chunkIndex);
        Count--;
    }

    public void Clear()
    {
        _chunks.Clear();
        _chunkBytes = 0;
        Count = 0;
    }

    /// <summary>Entries with start &lt;= id &lt;= end, ascending.</summary>
    public IEnumerable<KeyValuePair<RedisStreamId, T>> Ascending(RedisStreamId start, RedisStreamId end)
    {
        if (start > end) yield break;
        var pos = Seek(start);
        for (int ci = pos.Chunk; ci < _chunks.Count; ci++)
        {
            var c = _chunks[ci];
            for (int i = ci == pos.Chunk ? pos.Index : 0; i < c.Count; i++)
            {
                if (c.Ids[i] > end) yield break;
                yield return new(c.Ids[i], c.Values[i]);
            }
        }
    }

    /// <summary>Entries with start &lt;= id &lt;= end, descending.</summary>
    public IEnumerable<KeyValuePair<RedisStreamId, T>> Descending(RedisStreamId start, RedisStreamId end)
    {
        if (start > end || Count == 0) yield break;
        // The last position with id <= end: just before the first id > end.
        var pos = end == RedisStreamId.Max ? new Position(_chunks.Count, 0) : Seek(new RedisStreamId(end.Ms, end.Seq).TryIncrement(out var after) ? after : end);
        int ci = pos.Chunk, i = pos.Index - 1;
        if (ci == _chunks.Count) { ci--; i = _chunks[ci].Count - 1; }
        while (ci >= 0)
        {
            var c = _chunks[ci];
            if (i < 0) { ci--; if (ci >= 0) i = _chunks[ci].Count - 1; continue; }
            if (c.Ids[i] < start) yield break;
            yield return new(c.Ids[i], c.Values[i]);
            i--;
        }
    }

    /// <summary>Copies the entries with start &lt;= id &lt;= end (a snapshot safe to change the map under).</summary>
    public List<KeyValuePair<RedisStreamId, T>> Snapshot(RedisStreamId start, RedisStreamId end, long limit = long.MaxValue)
    {
        var list = new List<KeyValuePair<RedisStreamId, T>>();
        foreach (var kv in Ascending(start, end))
        {
            if (list.Count >= limit) break;
            list.Add(kv);
        }
        return list;
    }

    private RedisStreamId LastIdUnchecked()
    {
        var c = _chunks[^1];
        return c.Ids[c.Count - 1];
    }

    /// <summary>The position of the first id &gt;= <paramref name="id"/> (Chunk == chunk count when none).</summary>
    private Position Seek(RedisStreamId id)
    {
        // Last chunk whose first id <= id.
        int lo = 0, hi = _chunks.Count - 1, chunk = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_chunks[mid].Ids[0] <= id) { chunk = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (chunk < 0) return new(0, 0);
        var c = _chunks[chunk];
        int idx = Array.BinarySearch(c.Ids, 0, c.Count, id);
        if (idx < 0) idx = ~idx;
        if (idx == c.Count) return new(chunk + 1, 0);
        return new(chunk, idx);
    }

    private readonly record struct Position(int Chunk, int Index);

    private long _chunkBytes;

    /// <summary>Bytes of the chunks and their arrays (ids and value slots), kept current for memory estimates.</summary>
    public long ChunkBytes => _chunkBytes + MemorySize.Array(_chunks.Capacity * MemorySize.Reference);

    private static long BytesOf(Chunk c) =>
        MemorySize.ObjectHeader + 24 + MemorySize.Array(c.Ids.Length * 16L) + MemorySize.Array(c.Values.Length * 8L);

    private void AddChunk(int index, Chunk c)
    {
        _chunks.Insert(index, c);
        _chunkBytes += BytesOf(c);
    }

    private void RemoveChunk(int index)
    {
        _chunkBytes -= BytesOf(_chunks[index]);
        _chunks.RemoveAt(index);
    }

    private void EnsureRoom(Chunk c)
    {
        if (c.Count < c.Ids.Length) return;
        _chunkBytes -= BytesOf(c);
        c.Grow();
        _chunkBytes += BytesOf(c);
    }

    /// <summary>A sorted run of ids; its arrays start small and double up to <see cref="ChunkSize"/>.</summary>
    private sealed class Chunk
    {
        public RedisStreamId[] Ids = new RedisStreamId[4];
        public T[] Values = new T[4];
        public int Count;

        public void Grow()
        {
            int size = Math.Min(ChunkSize, Ids.Length * 2);
            Array.Resize(ref Ids, size);
            Array.Resize(ref Values, size);
        }
    }
}
