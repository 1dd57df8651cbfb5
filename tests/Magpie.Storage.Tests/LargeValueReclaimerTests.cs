using Magpie.Storage;

namespace Magpie.Storage.Tests;

public class LargeValueReclaimerTests
{
    private static bool WaitForCollections(int than, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (LargeValueReclaimer.Collections > than) return true;
            Thread.Sleep(20);
        }
        return false;
    }

    // Not inlined, so no stack slot of the test method keeps the value alive (tier-0 code would).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference StoreLarge(Keyspace ks)
    {
        var value = new byte[LargeValueReclaimer.TriggerBytes + 1];
        ks[0].SetString("big"u8, value);
        return new WeakReference(value);
    }

    [Fact]
    public void Deleting_a_large_value_runs_a_collection_that_gives_it_back()
    {
        var ks = new Keyspace(1, () => 0);
        var weak = StoreLarge(ks);
        int before = LargeValueReclaimer.Collections;
        Assert.True(ks[0].Remove("big"u8));
        Assert.True(WaitForCollections(before, TimeSpan.FromSeconds(10)));
        Assert.False(weak.IsAlive);
    }

    [Fact]
    public void Overwriting_a_large_value_with_a_small_one_counts_as_freed()
    {
        var ks = new Keyspace(1, () => 0);
        ks[0].SetString("big2"u8, new byte[LargeValueReclaimer.TriggerBytes + 1]);
        int before = LargeValueReclaimer.Collections;
        ks[0].SetString("big2"u8, [1, 2, 3]);
        Assert.True(WaitForCollections(before, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Small_values_are_left_to_the_gc()
    {
        long before = LargeValueReclaimer.PendingBytes;
        for (int i = 0; i < 10_000; i++) LargeValueReclaimer.Freed(LargeValueReclaimer.LargeValueBytes - 1);
        Assert.Equal(before, LargeValueReclaimer.PendingBytes);
    }
}
