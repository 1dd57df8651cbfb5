namespace Magpie.Storage.Values;

/// <summary>
/// Redis's skiplist with spans (t_zset.c's zsl*): nodes ordered by (score, member bytes), each
/// forward link remembers how many nodes it jumps, so rank lookups and rank-of queries are
/// O(log n) like inserts and deletes. Members are unique; the owning set checks that.
/// </summary>
internal sealed class SortedSetSkipList
{
    internal const int MaxLevel = 32;
    private const int Probability = 4; // one node in four is promoted a level, as Redis's ZSKIPLIST_P = 0.25

    internal sealed class Node(byte[] member, double score, int level)
    {
        public readonly byte[] Member = member;
        public readonly double Score = score;
        public Node? Backward;
        public readonly Link[] Levels = new Link[level];
    }

    internal struct Link
    {
        public Node? Forward;
        public long Span;
    }

    private readonly Node _header = new([], 0, MaxLevel);
    private Node? _tail;
    private int _level = 1;

    public long Length { get; private set; }

    /// <summary>Bytes a node of this level costs beyond the member bytes: the node object and its link array.</summary>
    internal static long NodeBytes(int level) => MemorySize.ObjectHeader + 4 * MemorySize.Reference + MemorySize.Array(level * 16L);

    /// <summary>(score, member) ordering: by score, then memcmp of the members.</summary>
    internal static int Compare(double scoreA, ReadOnlySpan<byte> memberA, double scoreB, ReadOnlySpan<byte> memberB)
    {
        if (scoreA < scoreB) return -1;
        if (scoreA > scoreB) return 1;
        return memberA.SequenceCompareTo(memberB);
    }

    // Scratch for the per-level predecessors of an insert or delete; commands run one at a time per thread.
    [ThreadStatic] private static Node[]? t_update;

    private static Node[] Scratch() => t_update ??= new Node[MaxLevel];

    private static int RandomLevel()
    {
        int level = 1;
        while (level < MaxLevel && Random.Shared.Next(Probability) == 0) level++;
        return level;
    }

    /// <summary>Inserts a member known to be absent; returns the new node's level (for memory accounting).</summary>
    public int Insert(byte[] member, double score)
    {
        Span<long> rank = stackalloc long[MaxLevel];
        var update = Scratch();
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            rank[i] = i == _level - 1 ? 0 : rank[i + 1];
            while (x.Levels[i].Forward is { } next && Compare(next.Score, next.Member, score, member) < 0)
            {
                rank[i] += x.Levels[i].Span;
                x = next;
            }
            update[i] = x;
        }
        int level = RandomLevel();
        if (level > _level)
        {
            for (int i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _header;
                update[i].Levels[i].Span = Length;
            }
            _level = level;
        }
        var node = new Node(member, score, level);
        for (int i = 0; i < level; i++)
        {
            node.Levels[i].Forward = update[i].Levels[i].Forward;
            update[i].Levels[i].Forward = node;
            node.Levels[i].Span = update[i].Levels[i].Span - (rank[0] - rank[i]);
            update[i].Levels[i].Span = rank[0] - rank[i] + 1;
        }
        for (int i = level; i < _level; i++) update[i].Levels[i].Span++;
        node.Backward = update[0] == _header ? null : update[0];
        if (node.Levels[0].Forward is { } after) after.Backward = node;
        else _tail = node;
        Length++;
        Array.Clear(update);
        return level;
    }

    /// <summary>Deletes the node with exactly this score and member; returns its level, or 0 when absent.</summary>
    public int Delete(ReadOnlySpan<byte> member, double score)
    {
        var update = Scratch();
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && Compare(next.Score, next.Member, score, member) < 0) x = next;
            update[i] = x;
        }
        var target = x.Levels[0].Forward;
        if (target is null || target.Score != score || !target.Member.AsSpan().SequenceEqual(member))
        {
            Array.Clear(update);
            return 0;
        }
        for (int i = 0; i < _level; i++)
        {
            if (update[i].Levels[i].Forward == target)
            {
                update[i].Levels[i].Span += target.Levels[i].Span - 1;
                update[i].Levels[i].Forward = target.Levels[i].Forward;
            }
            else
            {
                update[i].Levels[i].Span--;
            }
        }
        if (target.Levels[0].Forward is { } after) after.Backward = target.Backward;
        else _tail = target.Backward;
        while (_level > 1 && _header.Levels[_level - 1].Forward is null) _level--;
        Length--;
        Array.Clear(update);
        return target.Levels.Length;
    }

    /// <summary>0-based rank of an element known to be present, or -1.</summary>
    public long RankOf(ReadOnlySpan<byte> member, double score)
    {
        long rank = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && Compare(next.Score, next.Member, score, member) <= 0)
            {
                rank += x.Levels[i].Span;
                x = next;
            }
            if (x != _header && x.Score == score && x.Member.AsSpan().SequenceEqual(member)) return rank - 1;
        }
        return -1;
    }

    /// <summary>The node at a 0-based rank (which must be in range).</summary>
    public Node NodeAt(long rank)
    {
        long target = rank + 1;
        long traversed = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && traversed + x.Levels[i].Span <= target)
            {
                traversed += x.Levels[i].Span;
                x = next;
            }
            if (traversed == target) return x;
        }
        throw new ArgumentOutOfRangeException(nameof(rank));
    }

    /// <summary>How many nodes have a score below <paramref name="score"/> (or equal to it, when inclusive).</summary>
    public long CountBelow(double score, bool inclusive)
    {
        long rank = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && (inclusive ? next.Score <= score : next.Score < score))
            {
                rank += x.Levels[i].Span;
                x = next;
            }
        }
        return rank;
    }

    /// <summary>How many nodes have a member below <paramref name="member"/> (or equal, when inclusive), comparing members only.</summary>
    public long CountLexBelow(ReadOnlySpan<byte> member, bool inclusive)
    {
        long rank = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && Below(next.Member, member, inclusive))
            {
                rank += x.Levels[i].Span;
                x = next;
            }
        }
        return rank;
    }

    internal static bool Below(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> bound, bool inclusive)
    {
        int c = candidate.SequenceCompareTo(bound);
        return inclusive ? c <= 0 : c < 0;
    }

    public Node? First => _header.Levels[0].Forward;

    public Node? Last => _tail;
}
