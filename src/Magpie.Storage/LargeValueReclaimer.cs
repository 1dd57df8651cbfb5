using System.Runtime;

namespace Magpie.Storage;

/// <summary>
/// Gives the memory of deleted large values back to the OS. A value of 85 KB or more lives on the
/// large object heap, which the GC frees only in a full collection and does not compact by default,
/// so after <c>DEL</c> of a 400 MB string nothing would allocate enough to start one and the process
/// kept the whole value's pages (issue 13: 2.1 GB of RSS against Redis's 15 MB). When values of at
/// least <see cref="LargeValueBytes"/> totalling <see cref="TriggerBytes"/> have been freed, one
/// background, aggressive (decommitting) full collection with LOH compaction runs shortly after,
/// at most one at a time; a burst of deletes shares one collection. Small values are left to the
/// GC's own schedule: a forced full collection per few megabytes of small garbage would cost more
/// tail latency than it returns.
/// </summary>
public static class LargeValueReclaimer
{
    /// <summary>A freed value at least this big counts (1 MB: well inside the LOH).</summary>
    public const long LargeValueBytes = 1L << 20;

    /// <summary>Freed large bytes that start a collection.</summary>
    public const long TriggerBytes = 16L << 20;

    /// <summary>Wait after the trigger, so the rest of a burst of deletes joins the same collection.</summary>
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(250);

    private static long _pending;
    private static int _scheduled;
    private static readonly Timer Timer = new(static _ => Collect(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Collections this process ran for freed large values (for tests and INFO).</summary>
    public static int Collections => _collections;
    private static int _collections;

    /// <summary>Freed large bytes not yet collected.</summary>
    public static long PendingBytes => Volatile.Read(ref _pending);

    /// <summary>Told of a value's accounted bytes when it leaves the keyspace or shrinks by that much.</summary>
    public static void Freed(long bytes)
    {
        if (bytes < LargeValueBytes) return;
        if (Interlocked.Add(ref _pending, bytes) < TriggerBytes) return;
        if (Interlocked.Exchange(ref _scheduled, 1) == 1) return;
        Timer.Change(Delay, Timeout.InfiniteTimeSpan);
    }

    private static void Collect()
    {
        Interlocked.Exchange(ref _pending, 0);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _collections);
        Volatile.Write(ref _scheduled, 0);
        // Frees that arrived while collecting start the next one.
        if (Volatile.Read(ref _pending) >= TriggerBytes && Interlocked.Exchange(ref _scheduled, 1) == 0)
            Timer.Change(Delay, Timeout.InfiniteTimeSpan);
    }
}
