using System.Collections.Concurrent;
using Magpie.Client.Tests.Fixtures;
using Magpie.Protocol;

namespace Magpie.Client.Tests.Commands;

public abstract class PubSubTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    public static TheoryData<RespVersion> Protocols => new() { RespVersion.Resp2, RespVersion.Resp3 };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Protocols))]
    public async Task Subscriber_receives_published_messages(RespVersion protocol)
    {
        await using var conn = await server.ConnectAsync(o => o.Protocol = protocol);
        await using var publisher = await server.ConnectAsync();
        var channel = TestTimeouts.UniqueKey("chan");
        var received = new ConcurrentQueue<string>();
        var subscriber = conn.GetSubscriber();
        await subscriber.SubscribeAsync(channel, (ch, v) => { Assert.Equal(channel, ch); received.Enqueue(v.ToString()); }).Within();

        Assert.Equal(1, await publisher.GetDatabase().PublishAsync(channel, "one").Within());
        Assert.Equal(1, await subscriber.PublishAsync(channel, "two").Within());
        Assert.True(await TestTimeouts.EventuallyAsync(() => received.Count == 2, TimeSpan.FromSeconds(5)));
        Assert.Equal(["one", "two"], received);

        // Normal commands still work on the main connection while subscribed.
        Assert.True(await conn.GetDatabase().StringSetAsync(channel, "x").Within());

        await subscriber.UnsubscribeAsync(channel).Within();
        Assert.Equal(0, await publisher.GetDatabase().PublishAsync(channel, "three").Within());
    }
}
