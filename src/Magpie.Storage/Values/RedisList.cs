namespace Magpie.Storage.Values;

/// <summary>
/// A Redis list: a ring-buffer deque of byte arrays with O(1) push and pop at both ends and O(1)
/// access by index. Inserts and removals in the middle shift the shorter side.
/// </summary>
/// <remarks>
/// OBJECT ENCODING follows the rule Redis (7.2+) uses with the default list-max-listpack-size -2
/// (8 KB per node), approximated by element count and size: "listpack" while the list holds at most
/// <see cref="ListpackMaxEntries"/> elements and none is longer than <see cref="ListpackMaxValue"/>
/// bytes (128 x 64 = 8 KB), otherwise "quicklist". Like Redis, a quicklist only converts back once
/// it shrinks to half those limits, so a list at the boundary does not flip on every push and pop.
/// </remarks>
public sealed class RedisList : IRedisValue
{
    public const int ListpackMaxEntries = 128;
    public const int ListpackMaxValue = 64;

    private const long FixedBytes = MemorySize.ObjectHeader + 40;

    private byte[][] _items;
    private int _head;
    private int _count;
    private long _elementBytes;
    private int _bigCount;
    private bool _quicklist;

    public RedisList(int capacity = 4)
    {
        _items = new byte[Math.Max(capacity, 4)][];
    }

    public RedisType Type => RedisType.List;

    // Redis 7.0 keeps every list in a quicklist (listpack lists came with 7.2).
    public string Encoding => "quicklist";

    public long Count => _count;

    public int Length => _count;

    public long EstimatedBytes => FixedBytes + MemorySize.Array(_items.Length * MemorySize.Reference) + _elementBytes;

    public byte[] this[int index]
    {
        get => _items[Slot(index)];
        set
        {
            int slot = Slot(index);
            Forget(_items[slot]);
            _items[slot] = value;
            Remember(value);
            UpdateEncoding();
        }
    }

    public void PushHead(byte[] value)
    {
        EnsureCapacity(_count + 1);
        _head = _head == 0 ? _items.Length - 1 : _head - 1;
        _items[_head] = value;
        _count++;
        Remember(value);
        UpdateEncoding();
    }

    public void PushTail(byte[] value)
    {
        EnsureCapacity(_count + 1);
        _items[Slot(_count)] = value;
        _count++;
        Remember(value);
        UpdateEncoding();
    }

    public void Push(byte[] value, bool head)
    {
        if (head) PushHead(value);
        else PushTail(value);
    }

    public byte[] PopHead()
    {
        if (_count == 0) throw new InvalidOperationException("list is empty");
        var value = _items[_head];
        _items[_head] = null!;
        _head = _head + 1 == _items.Length ? 0 : _head + 1;
        _count--;
        Forget(value);
        AfterShrink();
        return value;
    }

    public byte[] PopTail()
    {
        if (_count == 0) throw new InvalidOperationException("list is empty");
        int slot = Slot(_count - 1);
        var value = _items[slot];
        _items[slot] = null!;
        _count--;
        Forget(value);
        AfterShrink();
        return value;
    }

    public byte[] Pop(bool head) => head ? PopHead() : PopTail();

    /// <summary>Inserts so that the new element ends up at <paramref name="index"/> (0..Length).</summary>
    public void Insert(int index, byte[] value)
    {
        if ((uint)index > (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
        if (index == 0)
        {
            PushHead(value);
            return;
        }
        if (index == _count)
        {
            PushTail(value);
            return;
        }
        EnsureCapacity(_count + 1);
        if (index < _count / 2)
        {
            // Shift the front one step left.
            _head = _head == 0 ? _items.Length - 1 : _head - 1;
            for (int i = 0; i < index; i++) _items[Slot(i)] = _items[Slot(i + 1)];
        }
        else
        {
            for (int i = _count; i > index; i--) _items[Slot(i)] = _items[Slot(i - 1)];
        }
        _items[Slot(index)] = value;
        _count++;
        Remember(value);
        UpdateEncoding();
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> (0 = all) elements equal to <paramref name="value"/>,
    /// scanning from the tail when <paramref name="fromTail"/>. Returns how many were removed.
    /// </summary>
    public int RemoveMatching(ReadOnlySpan<byte> value, long limit, bool fromTail)
    {
        int removed = 0;
        if (!fromTail)
        {
            int write = 0;
            for (int read = 0; read < _count; read++)
            {
                var item = _items[Slot(read)];
                if ((limit == 0 || removed < limit) && item.AsSpan().SequenceEqual(value))
                {
                    removed++;
                    Forget(item);
                    continue;
                }
                if (write != read) _items[Slot(write)] = item;
                write++;
            }
            for (int i = write; i < _count; i++) _items[Slot(i)] = null!;
        }
        else
        {
            int write = _count - 1;
            for (int read = _count - 1; read >= 0; read--)
            {
                var item = _items[Slot(read)];
                if ((limit == 0 || removed < limit) && item.AsSpan().SequenceEqual(value))
                {
                    removed++;
                    Forget(item);
                    continue;
                }
                if (write != read) _items[Slot(write)] = item;
                write--;
            }
            for (int i = 0; i <= write; i++) _items[Slot(i)] = null!;
            _head = Slot(write + 1);
        }
        _count -= removed;
        if (_count == 0) _head = 0;
        AfterShrink();
        return removed;
    }

    /// <summary>Keeps only the elements from <paramref name="start"/> to <paramref name="end"/> inclusive (LTRIM, already clamped); start > end empties.</summary>
    public void Trim(int start, int end)
    {
        if (start > end || start >= _count || end < 0)
        {
            Clear();
            return;
        }
        for (int i = 0; i < start; i++)
        {
            int slot = Slot(i);
            Forget(_items[slot]);
            _items[slot] = null!;
        }
        for (int i = end + 1; i < _count; i++)
        {
            int slot = Slot(i);
            Forget(_items[slot]);
            _items[slot] = null!;
        }
        _head = Slot(start);
        _count = end - start + 1;
        AfterShrink();
    }

    public void Clear()
    {
        _items = new byte[4][];
        _head = 0;
        _count = 0;
        _elementBytes = 0;
        _bigCount = 0;
        _quicklist = false;
    }

    public IRedisValue Clone()
    {
        var copy = new RedisList(_count);
        for (int i = 0; i < _count; i++) copy.PushTail((byte[])_items[Slot(i)].Clone());
        return copy;
    }

    private int Slot(int index)
    {
        int slot = _head + index;
        return slot >= _items.Length ? slot - _items.Length : slot;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _items.Length) return;
        Resize(Math.Max(needed, _items.Length * 2));
    }

    private void Resize(int capacity)
    {
        var next = new byte[capacity][];
        for (int i = 0; i < _count; i++) next[i] = _items[Slot(i)];
        _items = next;
        _head = 0;
    }

    private void AfterShrink()
    {
        // Give memory back when a large list drains to a quarter of its buffer.
        if (_items.Length > 64 && _count < _items.Length / 4) Resize(Math.Max(_items.Length / 2, 4));
        UpdateEncoding();
    }

    private void Remember(byte[] value)
    {
        _elementBytes += MemorySize.Array(value.Length);
        if (value.Length > ListpackMaxValue) _bigCount++;
    }

    private void Forget(byte[] value)
    {
        _elementBytes -= MemorySize.Array(value.Length);
        if (value.Length > ListpackMaxValue) _bigCount--;
    }

    private void UpdateEncoding()
    {
        if (!_quicklist)
        {
            if (_bigCount > 0 || _count > ListpackMaxEntries) _quicklist = true;
        }
        else if (_bigCount == 0 && _count <= ListpackMaxEntries / 2)
        {
            _quicklist = false;
        }
    }
}
