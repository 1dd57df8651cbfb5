using System.Collections.Concurrent;
using System.Diagnostics;

namespace Magpie.Groups.Tests;

/// <summary>The Magpie.Groups ActivitySource: a span per loader call and per request to the owner peer.</summary>
[Collection(TimingSensitive.Name)]
public class GroupActivitiesTests
{
    private static readonly ActivitySource TestSource = new("Magpie.Groups.Tests");

    [Fact(Timeout = 15_000)]
    public async Task A_remote_miss_traces_the_peer_call_on_the_asker_and_the_load_on_the_owner()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is GroupActivities.SourceName or "Magpie.Groups.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var cluster = new TestCluster(2);
        string key = cluster.KeysOwnedBy("node-2").First();
        cluster.Origin[key] = "v";
        ActivityTraceId trace;
        using (var root = TestSource.StartActivity("test-request")!)
        {
            trace = root.TraceId;
            Assert.Equal("v", Bytes.Text(await cluster.Group("node-1").GetAsync(key)));
        }

        // Other tests' groups may be traced at the same time: keep only this request's spans.
        var spans = stopped.Where(a => a.TraceId == trace && a.Source.Name == GroupActivities.SourceName).ToList();
        var peer = Assert.Single(spans, a => a.OperationName == GroupActivities.PeerGet);
        Assert.Equal(ActivityKind.Client, peer.Kind);
        Assert.Equal("node-2", peer.GetTagItem("magpie.peer"));
        Assert.Equal(TestCluster.GroupName, peer.GetTagItem("magpie.group"));
        Assert.Equal(Magpie.Protocol.HashSlot.Of(key), peer.GetTagItem("magpie.slot"));
        Assert.Equal(ActivityStatusCode.Unset, peer.Status);
        // The in-memory network calls the owner inline, so its load is a child of the peer call.
        var load = Assert.Single(spans, a => a.OperationName == GroupActivities.Load);
        Assert.Equal(peer.SpanId, load.ParentSpanId);
        Assert.Equal(true, load.GetTagItem("magpie.found"));
        Assert.Equal(true, load.GetTagItem("magpie.as_owner"));
        Assert.All(spans, s => Assert.DoesNotContain(s.TagObjects, t => Equals(t.Value, key)));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_failing_loader_marks_its_span_as_an_error()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is GroupActivities.SourceName or "Magpie.Groups.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var cluster = new TestCluster(1);
        string key = "broken-" + Guid.NewGuid().ToString("N");
        cluster.Origin.FailWith = k => k == key ? new InvalidOperationException("origin down") : null;
        ActivityTraceId trace;
        using (var root = TestSource.StartActivity("test-request")!)
        {
            trace = root.TraceId;
            await Assert.ThrowsAnyAsync<Exception>(async () => await cluster.Group("node-1").GetAsync(key));
        }
        var load = Assert.Single(stopped, a => a.TraceId == trace && a.OperationName == GroupActivities.Load);
        Assert.Equal(ActivityStatusCode.Error, load.Status);
    }
}
