using System.Runtime.InteropServices;

namespace Magpie.Caching;

/// <summary>
/// Lossy, striped, multi-producer/single-consumer ring buffers of cache hits. A reader records a hit
/// with one compare-and-swap and never blocks; when its stripe is full the hit is dropped and the
/// reader asks for a drain. The policy drains all stripes under its lock (as Caffeine and BitFaster
/// do), which is how recency and frequency are updated without a lock on the hit path.
/// </summary>
internal sealed class ReadBuffer<TValue>
{
    public const int StripeLength = 64;
    private const int StripeMask = StripeLength - 1;

    private readonly Stripe[] _stripes;
    private readonly int _stripeMask;

    public ReadBuffer()
    {
        int count = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(Environment.ProcessorCount * 4, 64));
        _stripes = new Stripe[count];
        for (int i = 0; i < count; i++) _stripes[i] = new Stripe();
        _stripeMask = count - 1;
    }

    /// <summary>Records a hit. Returns false when the caller's stripe is full and should be drained.</summary>
    public bool TryAdd(CacheNode<TValue> node)
    {
        var stripe = _stripes[Environment.CurrentManagedThreadId & _stripeMask];
        ref var counters = ref stripe.Counters;
        long tail = Volatile.Read(ref counters.Tail);
        long head = Volatile.Read(ref counters.Head);
        if (tail - head >= StripeLength) return false;
        if (Interlocked.CompareExchange(ref counters.Tail, tail + 1, tail) == tail)
            Volatile.Write(ref stripe.Slots[tail & StripeMask], node);
        return true; // lost the race: dropping one hit is fine, the buffer is lossy by design
    }

    /// <summary>Hands every recorded hit to the sink. Single consumer: call under the policy lock.</summary>
    public void Drain<TSink>(ref TSink sink) where TSink : struct, IReadSink<TValue>
    {
        foreach (var stripe in _stripes)
        {
            ref var counters = ref stripe.Counters;
            long head = counters.Head;
            long tail = Volatile.Read(ref counters.Tail);
            while (head < tail)
            {
                ref var slot = ref stripe.Slots[head & StripeMask];
                var node = Volatile.Read(ref slot);
                if (node is null) break; // a producer claimed the slot but has not written it yet
                slot = null;
                head++;
                sink.OnRead(node);
            }
            Volatile.Write(ref counters.Head, head);
        }
    }

    private sealed class Stripe
    {
        public readonly CacheNode<TValue>?[] Slots = new CacheNode<TValue>?[StripeLength];
        public PaddedCounters Counters;
    }
}

// Head (consumer) and tail (producers) on their own cache lines (outside the generic class: a
// generic type cannot have explicit layout).
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct PaddedCounters
{
    [FieldOffset(64)] public long Head;
    [FieldOffset(128)] public long Tail;
}

internal interface IReadSink<TValue>
{
    void OnRead(CacheNode<TValue> node);
}
