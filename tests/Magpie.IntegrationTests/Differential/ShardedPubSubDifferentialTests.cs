using System.Text;

namespace Magpie.IntegrationTests.Differential;

/// <summary>
/// Sharded pub/sub against redis-server 7.0.15 (non-cluster): SSUBSCRIBE/SUNSUBSCRIBE confirmations,
/// smessage delivery, SPUBLISH counts, PUBSUB SHARDCHANNELS/SHARDNUMSUB, the RESP2 subscribed context
/// and errors, byte for byte on RESP2 and RESP3.
/// </summary>
public sealed class ShardedPubSubDifferentialTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Subscriber_and_publisher_see_what_redis_sends(int protocol)
    {
        using var mSub = await RespPipe.OpenAsync(pair.Magpie.Port, protocol);
        using var rSub = await RespPipe.OpenAsync(pair.Redis.Port, protocol);
        void Sub(int replies, params string[] args)
        {
            Assert.Equal(rSub.Call(args), mSub.Call(args));
            for (int i = 1; i < replies; i++)
                Assert.Equal(Encoding.Latin1.GetString(rSub.ReadReply()), Encoding.Latin1.GetString(mSub.ReadReply()));
        }
        Sub(1, "SUNSUBSCRIBE");
        Sub(2, "SSUBSCRIBE", "a", "b");
        Sub(1, "SSUBSCRIBE", "a");
        Sub(1, "SUBSCRIBE", "plain");
        Sub(1, "PING");
        Sub(1, "GET", "x");
        pair.Same("SPUBLISH", "a", "hello");
        pair.Same("SPUBLISH", "nobody", "hello");
        pair.Same("PUBLISH", "a", "not a shard message");
        Sub(1, "PING", "marker");
        pair.Same("PUBSUB", "SHARDCHANNELS", "b");
        pair.Same("PUBSUB", "SHARDCHANNELS", "z*");
        pair.Same("PUBSUB", "SHARDCHANNELS", "a*");
        pair.Same("PUBSUB", "SHARDNUMSUB", "a", "b", "c");
        pair.Same("PUBSUB", "SHARDNUMSUB");
        pair.Same("PUBSUB", "NUMSUB", "a");
        pair.Same("PUBSUB", "CHANNELS");
        pair.Same("SPUBLISH", "a");
        pair.Same("SSUBSCRIBE");
        Sub(1, "SUNSUBSCRIBE", "b", "never");
        Sub(2, "SUNSUBSCRIBE");
        Sub(1, "UNSUBSCRIBE");
        Sub(1, "GET", "x");
    }

    [Fact]
    public void Command_metadata_matches()
    {
        foreach (var name in new[] { "spublish", "ssubscribe", "sunsubscribe", "pubsub|shardchannels", "pubsub|shardnumsub" })
            pair.Same2("COMMAND", "INFO", name);
        pair.Same("PUBSUB", "HELP");
    }
}
