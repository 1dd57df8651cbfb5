using Magpie.Protocol;

namespace Magpie.Storage.Values;

/// <summary>
/// A set of binary-safe members, in one of three shapes, as compact as Redis keeps it:
/// <list type="bullet">
/// <item>intset: every member is a canonical 64-bit integer and there are at most
/// <see cref="MaxIntsetEntries"/>: a sorted <c>long[]</c>.</item>
/// <item>small: a flat array of members scanned linearly, while at most <see cref="MaxSmallEntries"/>
/// members of at most <see cref="MaxSmallValue"/> bytes.</item>
/// <item>indexed: the flat array plus a member-to-position index.</item>
/// </list>
/// The last two are both "hashtable" to OBJECT ENCODING: Redis 7.0 has no listpack sets (7.2 added
/// them). Once a set leaves intset, or becomes indexed, it stays so, as in Redis. Every member has a
/// position in [0, Count), so random picks and cursors are O(1). Member arrays are never changed in
/// place once stored, so <see cref="Clone"/> shares them.
/// </summary>
public sealed class RedisSet : IRedisValue, IMemberEnumerable
{
    /// <summary>set-max-intset-entries.</summary>
    public static int MaxIntsetEntries { get; set; } = 512;

    /// <summary>The bounds of the flat, unindexed form (Redis 7.2's set-max-listpack-entries/value).</summary>
    public const int MaxSmallEntries = 128;

    public const int MaxSmallValue = 64;

    private const long FixedBytes = MemorySize.ObjectHeader + 48;
    private const long IndexSlotBytes = 24 + 4;

    private long[]? _ints = new long[4];
    private byte[][]? _members;
    private int _count;
    private Dictionary<byte[], int>? _index;
    private Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private long _contentBytes;

    public RedisType Type => RedisType.Set;

    public string Encoding => _ints is not null ? "intset" : "hashtable";

    public bool IsIntset => _ints is not null;

    /// <summary>True for the intset and flat forms, which SSCAN returns whole, as Redis does for intsets.</summary>
    public bool IsCompact => _index is null;

    public long Count => _count;

    public long EstimatedBytes =>
        FixedBytes +
        (_ints is not null
            ? MemorySize.Array(_ints.Length * 8L)
            : MemorySize.Array(_members!.Length * MemorySize.Reference) + _contentBytes +
              (_index is null ? 0 : MemorySize.ObjectHeader + 64 + _index.Capacity * IndexSlotBytes));

    bool IMemberEnumerable.ContainsMember(ReadOnlySpan<byte> member) => Contains(member);

    /// <summary>Every member once, for ZUNION/ZINTER/ZDIFF over set inputs (intset members are formatted).</summary>
    public IEnumerable<byte[]> EnumerateMembers()
    {
        for (int i = 0; i < _count; i++) yield return BytesAt(i);
    }

    /// <summary>The integer at a position of an intset (see <see cref="IsIntset"/>).</summary>
    public long IntAt(int position) => _ints![position];

    /// <summary>The member at a position of a non-intset set.</summary>
    public byte[] MemberAt(int position) => _members![position];

    /// <summary>The member at a position as bytes, formatting intset integers.</summary>
    public byte[] BytesAt(int position)
    {
        if (_members is not null) return _members[position];
        Span<byte> digits = stackalloc byte[20];
        return digits[..RedisNumbers.FormatInt64(_ints![position], digits)].ToArray();
    }

    public bool Contains(ReadOnlySpan<byte> member)
    {
        if (_ints is not null)
            return RedisNumbers.TryParseInt64(member, out long n) && Array.BinarySearch(_ints, 0, _count, n) >= 0;
        return Find(member) >= 0;
    }

    /// <summary>Adds a member; true when it was new.</summary>
    public bool Add(ReadOnlySpan<byte> member)
    {
        if (_ints is not null)
        {
            if (RedisNumbers.TryParseInt64(member, out long n))
            {
                int at = Array.BinarySearch(_ints, 0, _count, n);
                if (at >= 0) return false;
                at = ~at;
                if (_count == _ints.Length) Array.Resize(ref _ints, _count * 2);
                Array.Copy(_ints, at, _ints, at + 1, _count - at);
                _ints[at] = n;
                _count++;
                if (_count > MaxIntsetEntries) ConvertFromIntset(indexed: true);
                return true;
            }
            ConvertFromIntset(indexed: _count + 1 > MaxSmallEntries || member.Length > MaxSmallValue);
        }
        if (_index is null && member.Length > MaxSmallValue) BuildIndex();
        if (Find(member) >= 0) return false;
        Append(member.ToArray());
        if (_index is null && _count > MaxSmallEntries) BuildIndex();
        return true;
    }

    /// <summary>Removes a member; false when it was absent.</summary>
    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_ints is not null)
        {
            if (!RedisNumbers.TryParseInt64(member, out long n)) return false;
            int at = Array.BinarySearch(_ints, 0, _count, n);
            if (at < 0) return false;
            RemoveAt(at);
            return true;
        }
        int i = Find(member);
        if (i < 0) return false;
        RemoveAt(i);
        return true;
    }

    public void RemoveAt(int position)
    {
        int last = _count - 1;
        if (_ints is not null)
        {
            Array.Copy(_ints, position + 1, _ints, position, last - position);
            _count = last;
            if (_ints.Length > 16 && _count < _ints.Length / 4) Array.Resize(ref _ints, _ints.Length / 2);
            return;
        }
        var members = _members!;
        _contentBytes -= MemorySize.Array(members[position].Length);
        _index?.Remove(members[position]);
        if (position != last)
        {
            members[position] = members[last];
            if (_index is not null) _index[members[position]] = position;
        }
        members[last] = null!;
        _count = last;
        if (members.Length > 16 && _count < members.Length / 4) Array.Resize(ref _members, members.Length / 2);
    }

    public IRedisValue Clone()
    {
        var copy = new RedisSet();
        copy._count = _count;
        copy._contentBytes = _contentBytes;
        if (_ints is not null)
        {
            copy._ints = (long[])_ints.Clone();
            return copy;
        }
        copy._ints = null;
        copy._members = (byte[][])_members!.Clone();
        if (_index is not null) copy.BuildIndex();
        return copy;
    }

    private int Find(ReadOnlySpan<byte> member)
    {
        if (_index is not null) return _lookup.TryGetValue(member, out int position) ? position : -1;
        var members = _members!;
        for (int i = 0; i < _count; i++)
        {
            if (member.SequenceEqual(members[i])) return i;
        }
        return -1;
    }

    private void Append(byte[] member)
    {
        if (_count == _members!.Length) Array.Resize(ref _members, _count * 2);
        _members[_count] = member;
        _contentBytes += MemorySize.Array(member.Length);
        _index?.Add(member, _count);
        _count++;
    }

    private void ConvertFromIntset(bool indexed)
    {
        var ints = _ints!;
        int count = _count;
        _ints = null;
        _members = new byte[Math.Max(count + 1, 4)][];
        _count = 0;
        _contentBytes = 0;
        if (indexed) BuildIndex();
        Span<byte> digits = stackalloc byte[20];
        for (int i = 0; i < count; i++) Append(digits[..RedisNumbers.FormatInt64(ints[i], digits)].ToArray());
    }

    private void BuildIndex()
    {
        _index = new Dictionary<byte[], int>(Math.Max(_count, 4), ByteArrayComparer.Instance);
        for (int i = 0; i < _count; i++) _index.Add(_members![i], i);
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<byte>>();
    }
}
