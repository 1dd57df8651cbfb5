namespace Magpie.Groups.Caching;

/// <summary>A statistics counter spread over cache lines so cores that count hits do not contend.</summary>
internal sealed class StripedCounter
{
    private const int Stride = 16; // 16 longs = 128 bytes between cells
    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        int stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(Environment.ProcessorCount * 2, 64));
        _cells = new long[stripes * Stride];
        _mask = stripes - 1;
    }

    public void Increment() => Interlocked.Increment(ref _cells[(Environment.CurrentManagedThreadId & _mask) * Stride]);

    public void Add(long value) => Interlocked.Add(ref _cells[(Environment.CurrentManagedThreadId & _mask) * Stride], value);

    public long Value
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _cells.Length; i += Stride) sum += Volatile.Read(ref _cells[i]);
            return sum;
        }
    }
}
