using System.Numerics;

namespace Magpie.Caching;

/// <summary>
/// Count-min sketch of 4-bit counters (TinyLFU's popularity estimate). Each <see cref="long"/> holds
/// 16 counters; a key touches 4 counters (one per row) that sit in one group of 4 within each of 4
/// longs. When the number of increments reaches 10 × capacity every counter is halved ("aging"), so
/// the sketch follows a changing workload. Not thread-safe: used under the cache's policy lock.
/// </summary>
internal sealed class FrequencySketch
{
    private const long ResetMask = 0x7777777777777777L;
    private const long OneMask = 0x1111111111111111L;
    private static readonly ulong[] Seeds = [0xc3a5c85c97cb3127UL, 0xb492b66fbe98f273UL, 0x9ae16a3b2f90404fUL, 0xcbf29ce484222325UL];

    private long[] _table = [];
    private int _tableMask;
    private int _sampleSize;
    private int _size;

    public FrequencySketch(int capacity) => EnsureCapacity(capacity);

    /// <summary>How many distinct keys the sketch is sized for.</summary>
    public int Capacity { get; private set; }

    /// <summary>Increments since the last halving.</summary>
    public int SampleCount => _size;

    public int SampleSize => _sampleSize;

    /// <summary>Resizes (losing history) when the cache holds more keys than the sketch was sized for.</summary>
    public void EnsureCapacity(int capacity)
    {
        capacity = Math.Clamp(capacity, 16, 1 << 26);
        if (capacity <= Capacity) return;
        Capacity = capacity;
        _table = new long[Math.Max((int)BitOperations.RoundUpToPowerOf2((uint)capacity), 8)];
        _tableMask = _table.Length - 1;
        _sampleSize = 10 * capacity;
        _size = 0;
    }

    /// <summary>Estimated accesses of the key since aging (0..15).</summary>
    public int Frequency(int keyHash)
    {
        int hash = Spread(keyHash);
        int start = (hash & 3) << 2;
        int frequency = 15;
        for (int row = 0; row < 4; row++)
        {
            int index = IndexOf(hash, row);
            int count = (int)((ulong)_table[index] >> ((start + row) << 2)) & 0xF;
            frequency = Math.Min(frequency, count);
        }
        return frequency;
    }

    public void Increment(int keyHash)
    {
        int hash = Spread(keyHash);
        int start = (hash & 3) << 2;
        bool added = false;
        for (int row = 0; row < 4; row++)
            added |= IncrementAt(IndexOf(hash, row), start + row);
        if (added && ++_size >= _sampleSize) Halve();
    }

    private bool IncrementAt(int index, int counter)
    {
        int offset = counter << 2;
        long mask = 0xFL << offset;
        if ((_table[index] & mask) == mask) return false; // saturated at 15
        _table[index] += 1L << offset;
        return true;
    }

    private void Halve()
    {
        int odd = 0;
        for (int i = 0; i < _table.Length; i++)
        {
            odd += BitOperations.PopCount((ulong)(_table[i] & OneMask));
            _table[i] = (long)((ulong)_table[i] >> 1) & ResetMask;
        }
        _size = (_size - (odd >> 2)) >> 1;
    }

    private int IndexOf(int hash, int row)
    {
        ulong h = ((ulong)(uint)hash + Seeds[row]) * Seeds[row];
        h += h >> 32;
        return (int)h & _tableMask;
    }

    private static int Spread(int x)
    {
        uint h = (uint)x;
        h = ((h >> 16) ^ h) * 0x45d9f3b;
        h = ((h >> 16) ^ h) * 0x45d9f3b;
        return (int)((h >> 16) ^ h);
    }
}
