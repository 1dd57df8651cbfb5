namespace Magpie.Storage.Values;

/// <summary>One element of a sorted set.</summary>
public readonly record struct ZEntry(byte[] Member, double Score);

/// <summary>
/// A sorted set (ZSET). While small it is a flat array sorted by (score, member), like Redis's
/// listpack encoding (members found by a linear scan, at most 128 of them). Past 128 members, or
/// with a member longer than 64 bytes, it becomes a member→score dictionary plus a skiplist with
/// spans, so lookups are O(1) and inserts, deletes and rank queries O(log n). It never converts
/// back, as Redis doesn't.
/// Everything ordered is expressed as ranks (0-based positions in ascending order), so score and
/// lex ranges become a rank interval via <see cref="CountBelow"/> and <see cref="CountLexBelow"/>.
/// </summary>
public sealed class RedisSortedSet : IRedisValue
{
    /// <summary>zset-max-listpack-entries.</summary>
    public static int MaxListpackEntries { get; set; } = 128;

    /// <summary>zset-max-listpack-value.</summary>
    public static int MaxListpackValue { get; set; } = 64;

    private const long BaseBytes = MemorySize.ObjectHeader + 6 * MemorySize.Reference;
    // Per dictionary entry: hash, next, key reference, score, plus its bucket.
    private const long DictEntryBytes = 32;

    // Compact form: parallel arrays sorted by (score, member); null once converted.
    private byte[][]? _members;
    private double[]? _scores;
    private int _count;

    // Large form.
    private Dictionary<byte[], double>? _dict;
    private Dictionary<byte[], double>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private SortedSetSkipList? _list;

    private long _bytes;

    public RedisSortedSet()
    {
        _members = new byte[4][];
        _scores = new double[4];
        _bytes = BaseBytes + ArrayBytes(4);
    }

    public RedisType Type => RedisType.ZSet;

    public string Encoding => _list is null ? "listpack" : "skiplist";

    public long EstimatedBytes => _bytes;

    public long Count => _list?.Length ?? _count;

    public IRedisValue Clone()
    {
        var copy = new RedisSortedSet();
        // Member arrays are never mutated, so the copy shares them.
        if (_list is null)
        {
            for (int i = 0; i < _count; i++) copy.AppendInOrder(_members![i], _scores![i]);
        }
        else
        {
            for (var n = _list.First; n is not null; n = n.Levels[0].Forward) copy.AppendInOrder(n.Member, n.Score);
        }
        return copy;
    }

    // Adds an element known to sort after every current one (copying an already sorted sequence).
    private void AppendInOrder(byte[] member, double score)
    {
        if (_list is null && (_count >= MaxListpackEntries || member.Length > MaxListpackValue)) ConvertToSkipList();
        if (_list is null)
        {
            InsertCompactAt(_count, member, score);
            return;
        }
        AddToSkipList(member, score);
    }

    public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
    {
        if (_list is not null) return _lookup.TryGetValue(member, out score);
        int i = IndexOfCompact(member);
        score = i >= 0 ? _scores![i] : 0;
        return i >= 0;
    }

    /// <summary>Adds the member or changes its score. True when the member is new.</summary>
    public bool Set(ReadOnlySpan<byte> member, double score) => SetCore(member, null, score);

    /// <summary>As <see cref="Set(ReadOnlySpan{byte}, double)"/>, keeping the given array (which must not change) when the member is new.</summary>
    public bool Set(byte[] member, double score) => SetCore(member, member, score);

    private bool SetCore(ReadOnlySpan<byte> member, byte[]? array, double score)
    {
        if (double.IsNaN(score)) throw new ArgumentException("a sorted set score can't be NaN", nameof(score));
        if (_list is null)
        {
            int i = IndexOfCompact(member);
            if (i >= 0)
            {
                if (_scores![i] == score) return false;
                var kept = _members![i];
                RemoveCompactAt(i);
                InsertCompactAt(CompactInsertPosition(kept, score), kept, score);
                return false;
            }
            if (_count >= MaxListpackEntries || member.Length > MaxListpackValue)
            {
                ConvertToSkipList();
            }
            else
            {
                array ??= member.ToArray();
                InsertCompactAt(CompactInsertPosition(array, score), array, score);
                return true;
            }
        }

        if (_lookup.TryGetValue(member, out var actual, out double current))
        {
            if (current == score) return false;
            int oldLevel = _list!.Delete(actual, current);
            int newLevel = _list.Insert(actual, score);
            _bytes += SortedSetSkipList.NodeBytes(newLevel) - SortedSetSkipList.NodeBytes(oldLevel);
            _dict![actual] = score;
            return false;
        }
        AddToSkipList(array ?? member.ToArray(), score);
        return true;
    }

    private void AddToSkipList(byte[] member, double score)
    {
        _dict!.Add(member, score);
        int level = _list!.Insert(member, score);
        _bytes += MemorySize.Array(member.Length) + DictEntryBytes + SortedSetSkipList.NodeBytes(level);
    }

    /// <summary>Removes a member; false when it wasn't there.</summary>
    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_list is null)
        {
            int i = IndexOfCompact(member);
            if (i < 0) return false;
            RemoveCompactAt(i);
            return true;
        }
        if (!_lookup.Remove(member, out var actual, out double score)) return false;
        int level = _list.Delete(actual, score);
        _bytes -= MemorySize.Array(actual.Length) + DictEntryBytes + SortedSetSkipList.NodeBytes(level);
        return true;
    }

    /// <summary>The member's 0-based ascending rank, or -1 when absent.</summary>
    public long RankOf(ReadOnlySpan<byte> member)
    {
        if (_list is null) return IndexOfCompact(member);
        if (!_lookup.TryGetValue(member, out var actual, out double score)) return -1;
        return _list.RankOf(actual, score);
    }

    /// <summary>The element at a 0-based ascending rank (0 ≤ rank &lt; Count).</summary>
    public ZEntry ElementAt(long rank)
    {
        if ((ulong)rank >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(rank));
        if (_list is null) return new ZEntry(_members![rank], _scores![rank]);
        var node = _list.NodeAt(rank);
        return new ZEntry(node.Member, node.Score);
    }

    /// <summary>How many elements score below <paramref name="score"/> (or equal to it, when inclusive).</summary>
    public long CountBelow(double score, bool inclusive)
    {
        if (_list is not null) return _list.CountBelow(score, inclusive);
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            double s = _scores![mid];
            if (inclusive ? s <= score : s < score) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// How many members sort below <paramref name="member"/> (or equal, when inclusive) by bytes
    /// alone. Meaningful when all scores are equal, as for Redis's BYLEX ranges.
    /// </summary>
    public long CountLexBelow(ReadOnlySpan<byte> member, bool inclusive)
    {
        if (_list is not null) return _list.CountLexBelow(member, inclusive);
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (SortedSetSkipList.Below(_members![mid], member, inclusive)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// Walks <paramref name="count"/> elements starting at ascending rank <paramref name="start"/>,
    /// upwards, or downwards when <paramref name="reverse"/> (then start is the highest rank visited).
    /// The set must not change during the walk.
    /// </summary>
    public RangeEnumerator Range(long start, long count, bool reverse)
    {
        if (count <= 0) return default;
        if (start < 0 || start >= Count || (reverse ? start - count + 1 < 0 : start + count > Count))
            throw new ArgumentOutOfRangeException(nameof(count));
        return _list is null
            ? new RangeEnumerator(this, null, (int)start, count, reverse)
            : new RangeEnumerator(this, _list.NodeAt(start), (int)Math.Min(start, int.MaxValue), count, reverse);
    }

    /// <summary>Removes <paramref name="count"/> elements from ascending rank <paramref name="start"/> on; returns how many.</summary>
    public long RemoveRange(long start, long count)
    {
        if (count <= 0) return 0;
        if (_list is null)
        {
            int n = (int)count;
            for (int i = 0; i < n; i++) _bytes -= MemorySize.Array(_members![start + i].Length);
            Array.Copy(_members!, start + n, _members!, start, _count - start - n);
            Array.Copy(_scores!, start + n, _scores!, start, _count - start - n);
            Array.Clear(_members!, _count - n, n);
            _count -= n;
            return count;
        }
        var victims = new byte[count][];
        var range = Range(start, count, reverse: false);
        for (int i = 0; range.MoveNext(); i++) victims[i] = range.Current.Member;
        foreach (var member in victims) Remove(member);
        return count;
    }

    /// <summary>Forward or backward walk over a rank interval, without allocating.</summary>
    public struct RangeEnumerator
    {
        private readonly RedisSortedSet? _set;
        private readonly bool _reverse;
        private SortedSetSkipList.Node? _next;
        private int _index;
        private long _left;

        internal RangeEnumerator(RedisSortedSet set, SortedSetSkipList.Node? first, int start, long count, bool reverse)
        {
            _set = set;
            _next = first;
            _index = start;
            _left = count;
            _reverse = reverse;
        }

        public ZEntry Current { get; private set; }

        public bool MoveNext()
        {
            if (_left <= 0 || _set is null) return false;
            _left--;
            if (_set._list is null)
            {
                Current = new ZEntry(_set._members![_index], _set._scores![_index]);
                _index += _reverse ? -1 : 1;
                return true;
            }
            var node = _next!;
            Current = new ZEntry(node.Member, node.Score);
            _next = _reverse ? node.Backward : node.Levels[0].Forward;
            return true;
        }
    }

    private int IndexOfCompact(ReadOnlySpan<byte> member)
    {
        var members = _members!;
        for (int i = 0; i < _count; i++)
            if (members[i].AsSpan().SequenceEqual(member)) return i;
        return -1;
    }

    private int CompactInsertPosition(ReadOnlySpan<byte> member, double score)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (SortedSetSkipList.Compare(_scores![mid], _members![mid], score, member) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void InsertCompactAt(int index, byte[] member, double score)
    {
        if (_count == _members!.Length)
        {
            int capacity = Math.Min(_members.Length * 2, Math.Max(MaxListpackEntries, 4));
            if (capacity <= _count) capacity = _count * 2;
            _bytes += ArrayBytes(capacity) - ArrayBytes(_members.Length);
            Array.Resize(ref _members, capacity);
            Array.Resize(ref _scores, capacity);
        }
        Array.Copy(_members, index, _members, index + 1, _count - index);
        Array.Copy(_scores!, index, _scores!, index + 1, _count - index);
        _members[index] = member;
        _scores![index] = score;
        _count++;
        _bytes += MemorySize.Array(member.Length);
    }

    private void RemoveCompactAt(int index)
    {
        _bytes -= MemorySize.Array(_members![index].Length);
        _count--;
        Array.Copy(_members, index + 1, _members, index, _count - index);
        Array.Copy(_scores!, index + 1, _scores!, index, _count - index);
        _members[_count] = null!;
    }

    private void ConvertToSkipList()
    {
        var members = _members!;
        var scores = _scores!;
        int count = _count;
        _dict = new Dictionary<byte[], double>(count * 2, ByteArrayComparer.Instance);
        _lookup = _dict.GetAlternateLookup<ReadOnlySpan<byte>>();
        _list = new SortedSetSkipList();
        _members = null;
        _scores = null;
        _count = 0;
        _bytes = BaseBytes + SortedSetSkipList.NodeBytes(SortedSetSkipList.MaxLevel);
        for (int i = 0; i < count; i++) AddToSkipList(members[i], scores[i]);
    }

    private static long ArrayBytes(int capacity) => MemorySize.Array(capacity * MemorySize.Reference) + MemorySize.Array(capacity * 8L);
}
