namespace Magpie.Storage.Values;

/// <summary>
/// A hash: binary-safe fields and values. Fields and values live in two dense arrays. While the hash
/// is small (at most <see cref="MaxListpackEntries"/> entries, no field or value longer than
/// <see cref="MaxListpackValue"/> bytes) lookups scan the arrays, like Redis's listpack; past that a
/// field-to-position index is built and kept (Redis never converts back either). Deletion keeps the
/// insertion order while small and swaps the last entry in once indexed, so every entry always has
/// a position in [0, Count): random picks and cursors are O(1).
/// </summary>
/// <remarks>
/// Field and value arrays are never changed in place once stored, so <see cref="Clone"/> can share them.
/// </remarks>
public sealed class RedisHash : IRedisValue
{
    /// <summary>hash-max-listpack-entries.</summary>
    public static int MaxListpackEntries { get; set; } = 512;

    /// <summary>hash-max-listpack-value.</summary>
    public static int MaxListpackValue { get; set; } = 64;

    private const long FixedBytes = MemorySize.ObjectHeader + 48;

    // Dictionary<byte[], int> entry: hash code, next, key reference, value; plus a bucket int.
    private const long IndexSlotBytes = 24 + 4;

    private byte[][] _fields;
    private byte[][] _values;
    private int _count;
    private Dictionary<byte[], int>? _index;
    private Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    /// <summary>Bytes of the field and value arrays themselves.</summary>
    private long _contentBytes;

    public RedisHash(int capacity = 4)
    {
        capacity = Math.Max(capacity, 1);
        _fields = new byte[capacity][];
        _values = new byte[capacity][];
    }

    public RedisType Type => RedisType.Hash;

    public string Encoding => _index is null ? "listpack" : "hashtable";

    /// <summary>True while the hash is in its compact (listpack-like) form.</summary>
    public bool IsCompact => _index is null;

    public long Count => _count;

    public long EstimatedBytes =>
        FixedBytes + 2 * MemorySize.Array(_fields.Length * MemorySize.Reference) + _contentBytes +
        (_index is null ? 0 : MemorySize.ObjectHeader + 64 + _index.Capacity * IndexSlotBytes);

    public byte[] FieldAt(int position) => _fields[position];

    public byte[] ValueAt(int position) => _values[position];

    /// <summary>The position of a field, or -1.</summary>
    public int Find(ReadOnlySpan<byte> field)
    {
        if (_index is not null) return _lookup.TryGetValue(field, out int position) ? position : -1;
        for (int i = 0; i < _count; i++)
        {
            if (field.SequenceEqual(_fields[i])) return i;
        }
        return -1;
    }

    public bool TryGet(ReadOnlySpan<byte> field, out byte[] value)
    {
        int i = Find(field);
        value = i >= 0 ? _values[i] : [];
        return i >= 0;
    }

    /// <summary>Sets a field (the value array is kept, not copied). True when the field is new.</summary>
    public bool Set(ReadOnlySpan<byte> field, byte[] value)
    {
        // Like Redis, a long field or value converts the hash before it is stored.
        if (_index is null && (field.Length > MaxListpackValue || value.Length > MaxListpackValue)) BuildIndex();
        int i = Find(field);
        if (i >= 0)
        {
            _contentBytes += MemorySize.Array(value.Length) - MemorySize.Array(_values[i].Length);
            _values[i] = value;
            return false;
        }
        var key = field.ToArray();
        if (_count == _fields.Length) Resize(_count * 2);
        _fields[_count] = key;
        _values[_count] = value;
        _contentBytes += MemorySize.Array(key.Length) + MemorySize.Array(value.Length);
        _index?.Add(key, _count);
        _count++;
        if (_index is null && _count > MaxListpackEntries) BuildIndex();
        return true;
    }

    /// <summary>Removes a field; false when it was absent.</summary>
    public bool Remove(ReadOnlySpan<byte> field)
    {
        int i = Find(field);
        if (i < 0) return false;
        RemoveAt(i);
        return true;
    }

    public void RemoveAt(int position)
    {
        _contentBytes -= MemorySize.Array(_fields[position].Length) + MemorySize.Array(_values[position].Length);
        int last = _count - 1;
        if (_index is null)
        {
            // Keep insertion order, as a listpack does.
            Array.Copy(_fields, position + 1, _fields, position, last - position);
            Array.Copy(_values, position + 1, _values, position, last - position);
        }
        else
        {
            _index.Remove(_fields[position]);
            if (position != last)
            {
                _fields[position] = _fields[last];
                _values[position] = _values[last];
                _index[_fields[position]] = position;
            }
        }
        _fields[last] = null!;
        _values[last] = null!;
        _count = last;
        if (_fields.Length > 16 && _count < _fields.Length / 4) Resize(_fields.Length / 2);
    }

    public IRedisValue Clone()
    {
        var copy = new RedisHash(_fields.Length);
        Array.Copy(_fields, copy._fields, _count);
        Array.Copy(_values, copy._values, _count);
        copy._count = _count;
        copy._contentBytes = _contentBytes;
        if (_index is not null) copy.BuildIndex();
        return copy;
    }

    private void Resize(int capacity)
    {
        Array.Resize(ref _fields, capacity);
        Array.Resize(ref _values, capacity);
    }

    private void BuildIndex()
    {
        _index = new Dictionary<byte[], int>(Math.Max(_count, 4), ByteArrayComparer.Instance);
        for (int i = 0; i < _count; i++) _index.Add(_fields[i], i);
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<byte>>();
    }
}
