using System.Diagnostics.Metrics;
using Magpie.Cluster;

namespace Magpie.Groups.Tests;

public class GroupMetersTests
{
    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created) meter.Dispose();
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Group_stats_are_observable_per_group_with_only_the_group_tag()
    {
        var registry = new GroupRegistry(StaticCluster.SingleNode());
        var scores = registry.Add(new GroupOptions { Name = "scores" }, (_, _, _) => ValueTask.FromResult(LoadResult.Found([1, 2, 3])));
        registry.Add(new GroupOptions { Name = "avatars" }, (_, _, _) => ValueTask.FromResult(LoadResult.NotFound));
        await scores.GetAsync("a");
        await scores.GetAsync("a");
        await scores.GetAsync("b");

        using var factory = new TestMeterFactory();
        using var meters = new GroupMeters(factory, registry);
        var seen = new List<(string Instrument, long Value, string Group, int Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (factory.Created.Contains(instrument.Meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add((instrument.Name, value, (string)tags[0].Value!, tags.Length)));
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(GroupMeters.MeterName, Assert.Single(factory.Created).Name);
        Assert.Contains(("magpie.group.hits", 1L, "scores", 1), seen);
        Assert.Contains(("magpie.group.misses", 2L, "scores", 1), seen);
        Assert.Contains(("magpie.group.loads", 2L, "scores", 1), seen);
        Assert.Contains(("magpie.group.items", 2L, "scores", 1), seen);
        Assert.Contains(("magpie.group.hits", 0L, "avatars", 1), seen);
        Assert.Equal(11 * 2, seen.Count);
    }
}
