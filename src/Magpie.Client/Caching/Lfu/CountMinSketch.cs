using System.Numerics;

namespace Magpie.Client.Caching.Lfu;

/// <summary>
/// Approximate access counts for TinyLFU admission: four rows of 4-bit-style counters (bytes capped
/// at 15), the estimate being the minimum over rows. All counters are halved every
/// <see cref="SampleSize"/> increments so that old popularity fades ("aging"). Not thread-safe.
/// </summary>
internal sealed class CountMinSketch
{
    private const int Depth = 4;
    private const byte MaxCount = 15;
    private static readonly uint[] Seeds = [0x9E3779B9u, 0x85EBCA6Bu, 0xC2B2AE35u, 0x27D4EB2Fu];

    private readonly byte[] _counters;
    private readonly int _widthMask;
    private int _additions;

    public CountMinSketch(long capacity)
    {
        int width = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 24));
        _widthMask = width - 1;
        _counters = new byte[width * Depth];
        SampleSize = (int)Math.Min(int.MaxValue, 10L * width);
    }

    /// <summary>Increments between two agings.</summary>
    public int SampleSize { get; }

    public int Frequency(int hash)
    {
        int min = MaxCount;
        for (int row = 0; row < Depth; row++)
            min = Math.Min(min, _counters[Index(hash, row)]);
        return min;
    }

    public void Increment(int hash)
    {
        bool added = false;
        for (int row = 0; row < Depth; row++)
        {
            int i = Index(hash, row);
            if (_counters[i] < MaxCount)
            {
                _counters[i]++;
                added = true;
            }
        }
        if (added && ++_additions >= SampleSize) Age();
    }

    /// <summary>Halves every counter.</summary>
    private void Age()
    {
        for (int i = 0; i < _counters.Length; i++) _counters[i] >>= 1;
        _additions /= 2;
    }

    private int Index(int hash, int row)
    {
        // Re-mix per row so the rows disagree on collisions.
        uint h = (uint)hash * Seeds[row];
        h ^= h >> 16;
        return row * (_widthMask + 1) + (int)(h & (uint)_widthMask);
    }
}
