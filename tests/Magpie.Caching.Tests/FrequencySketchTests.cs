using Magpie.Caching;

namespace Magpie.Caching.Tests;

public class FrequencySketchTests
{
    [Fact(Timeout = 10_000)]
    public async Task Counts_increments_and_saturates_at_fifteen()
    {
        await Task.Yield();
        var sketch = new FrequencySketch(1024);
        int key = "popular".GetHashCode();
        for (int i = 0; i < 5; i++) sketch.Increment(key);
        Assert.Equal(5, sketch.Frequency(key));
        for (int i = 0; i < 50; i++) sketch.Increment(key);
        Assert.Equal(15, sketch.Frequency(key));
        Assert.Equal(0, sketch.Frequency("never-seen".GetHashCode()));
    }

    [Fact(Timeout = 10_000)]
    public async Task Aging_halves_counters_after_ten_times_capacity_increments()
    {
        await Task.Yield();
        var sketch = new FrequencySketch(64);
        int hot = 12345;
        for (int i = 0; i < 8; i++) sketch.Increment(hot);
        Assert.Equal(8, sketch.Frequency(hot));
        bool halved = false;
        for (int i = 0; !halved && i < sketch.SampleSize * 2; i++)
        {
            int before = sketch.SampleCount;
            sketch.Increment(1_000_000 + i);
            halved = sketch.SampleCount < before;
        }
        Assert.True(halved);
        Assert.Equal(4, sketch.Frequency(hot));
    }

    [Fact(Timeout = 10_000)]
    public async Task Distinct_keys_rarely_collide()
    {
        await Task.Yield();
        var sketch = new FrequencySketch(4096);
        for (int i = 0; i < 1000; i++) sketch.Increment(i * 7919);
        int overcounted = Enumerable.Range(0, 1000).Count(i => sketch.Frequency(i * 7919) > 1);
        Assert.True(overcounted < 20, $"{overcounted} of 1000 keys over-counted");
    }
}
