using Magpie.Protocol;

namespace Magpie.Server.Tests;

public class PubSubCommandTests
{
    private readonly TestClient pub = new();
    private readonly TestClient sub;
    private readonly TestClient other;

    public PubSubCommandTests()
    {
        sub = new TestClient(pub.Server);
        other = new TestClient(pub.Server);
    }

    private static string Push(string kind, string name, long count) => $"*3\r\n{Bulk(kind)}{Bulk(name)}{Int(count)}";

    private static string Message(string channel, string payload) => Bulks("message", channel, payload);

    [Fact]
    public void Subscribe_confirms_each_channel_with_the_running_count()
    {
        Assert.Equal(Push("subscribe", "a", 1) + Push("subscribe", "b", 2), sub.Run("SUBSCRIBE", "a", "b"));
        Assert.Equal(Push("subscribe", "a", 2), sub.Run("SUBSCRIBE", "a"));
        Assert.Equal(2, sub.Session.ChannelCount);
        Assert.Equal(2, sub.Session.SubscriptionCount);
        Assert.Equal("P", sub.Session.Flags);
    }

    [Fact]
    public void Publish_delivers_to_every_subscriber_and_counts_receivers()
    {
        sub.Run("SUBSCRIBE", "news");
        other.Run("SUBSCRIBE", "news");
        Assert.Equal(Int(2), pub.Run("PUBLISH", "news", "hello"));
        Assert.Equal(Message("news", "hello"), sub.TakeOutput());
        Assert.Equal(Message("news", "hello"), other.TakeOutput());
        Assert.Equal(Int(0), pub.Run("PUBLISH", "nobody", "x"));
        Assert.Equal("", sub.TakeOutput());
    }

    [Fact]
    public void Binary_payloads_and_empty_messages_are_delivered_exactly()
    {
        sub.Run("SUBSCRIBE", "bin");
        Assert.Equal(Int(1), pub.Run("PUBLISH", "bin", "a\r\nb\0c"));
        Assert.Equal(Int(1), pub.Run("PUBLISH", "bin", ""));
        Assert.Equal(Message("bin", "a\r\nb\0c") + Message("bin", ""), sub.TakeOutput());
    }

    [Fact]
    public void Pattern_subscriptions_get_pmessage_with_the_pattern()
    {
        Assert.Equal(Push("psubscribe", "news.*", 1) + Push("psubscribe", "h?llo", 2), sub.Run("PSUBSCRIBE", "news.*", "h?llo"));
        Assert.Equal(2, sub.Session.PatternCount);
        Assert.Equal(Int(1), pub.Run("PUBLISH", "news.tech", "chip"));
        Assert.Equal(Bulks("pmessage", "news.*", "news.tech", "chip"), sub.TakeOutput());
        Assert.Equal(Int(1), pub.Run("PUBLISH", "hallo", "x"));
        Assert.Equal(Bulks("pmessage", "h?llo", "hallo", "x"), sub.TakeOutput());
        Assert.Equal(Int(0), pub.Run("PUBLISH", "sports", "x"));
        // A channel and a matching pattern: two deliveries, two receivers counted.
        sub.Run("SUBSCRIBE", "news.tech");
        Assert.Equal(Int(2), pub.Run("PUBLISH", "news.tech", "y"));
        Assert.Equal(Message("news.tech", "y") + Bulks("pmessage", "news.*", "news.tech", "y"), sub.TakeOutput());
    }

    [Fact]
    public void Unsubscribe_named_and_all_channels()
    {
        sub.Run("SUBSCRIBE", "a", "b", "c");
        Assert.Equal(Push("unsubscribe", "b", 2) + Push("unsubscribe", "zzz", 2), sub.Run("UNSUBSCRIBE", "b", "zzz"));
        Assert.Equal(Int(0), pub.Run("PUBLISH", "b", "x"));
        Assert.Equal(Push("unsubscribe", "a", 1) + Push("unsubscribe", "c", 0), sub.Run("UNSUBSCRIBE"));
        Assert.Equal(0, sub.Session.SubscriptionCount);
        Assert.Equal("N", sub.Session.Flags);
        // None left: one reply with a null channel and count 0.
        Assert.Equal("*3\r\n" + Bulk("unsubscribe") + Nil + Int(0), sub.Run("UNSUBSCRIBE"));
        Assert.Equal(Bulk("v"), Set(sub));
    }

    private static string Set(TestClient c)
    {
        c.Run("SET", "k", "v");
        return c.Run("GET", "k");
    }

    [Fact]
    public void Punsubscribe_named_and_all_patterns_keeps_channel_count()
    {
        sub.Run("SUBSCRIBE", "ch");
        sub.Run("PSUBSCRIBE", "p1*", "p2*");
        Assert.Equal(Push("punsubscribe", "p1*", 2), sub.Run("PUNSUBSCRIBE", "p1*"));
        Assert.Equal(Push("punsubscribe", "p2*", 1), sub.Run("PUNSUBSCRIBE"));
        Assert.Equal("*3\r\n" + Bulk("punsubscribe") + Nil + Int(1), sub.Run("PUNSUBSCRIBE"));
        Assert.Equal(1, sub.Session.ChannelCount);
        Assert.Equal(0, sub.Session.PatternCount);
    }

    [Fact]
    public void Resp2_subscriber_mode_allows_only_subscription_commands_ping_quit_reset()
    {
        sub.Run("SUBSCRIBE", "a");
        Assert.Equal(Err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"), sub.Run("GET", "k"));
        Assert.Equal(Err("ERR Can't execute 'publish': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"), sub.Run("PUBLISH", "a", "x"));
        Assert.StartsWith("-ERR Can't execute 'pubsub|channels'", sub.Run("PUBSUB", "CHANNELS"));
        Assert.Equal(Bulks("pong", ""), sub.Run("PING"));
        Assert.Equal(Bulks("pong", "hi"), sub.Run("PING", "hi"));
        Assert.Equal(Push("psubscribe", "x*", 2), sub.Run("PSUBSCRIBE", "x*"));
        Assert.Equal("+RESET\r\n", sub.Run("RESET"));
        Assert.Equal(0, sub.Session.SubscriptionCount);
        Assert.Equal(Nil, sub.Run("GET", "k"));
        Assert.Equal(Int(0), pub.Run("PUBLISH", "a", "x"));
        Assert.Equal(Int(0), pub.Run("PUBSUB", "NUMPAT"));
    }

    [Fact]
    public void Resp3_confirmations_and_messages_are_pushes_and_other_commands_still_work()
    {
        sub.Session.Protocol = RespVersion.Resp3;
        Assert.Equal(">3\r\n" + Bulk("subscribe") + Bulk("a") + Int(1), sub.Run("SUBSCRIBE", "a"));
        Assert.Equal(">3\r\n" + Bulk("psubscribe") + Bulk("a*") + Int(2), sub.Run("PSUBSCRIBE", "a*"));
        Assert.Equal("_\r\n", sub.Run("GET", "k"));
        Assert.Equal("+PONG\r\n", sub.Run("PING"));
        Assert.Equal(Int(2), pub.Run("PUBLISH", "a", "m"));
        Assert.Equal(">3\r\n" + Bulk("message") + Bulk("a") + Bulk("m") + ">4\r\n" + Bulk("pmessage") + Bulk("a*") + Bulk("a") + Bulk("m"), sub.TakeOutput());
        Assert.Equal(">3\r\n" + Bulk("unsubscribe") + Bulk("a") + Int(1), sub.Run("UNSUBSCRIBE"));
        Assert.Equal(">3\r\n" + Bulk("punsubscribe") + Bulk("a*") + Int(0), sub.Run("PUNSUBSCRIBE"));
        Assert.Equal(">3\r\n" + Bulk("unsubscribe") + "_\r\n" + Int(0), sub.Run("UNSUBSCRIBE"));
    }

    [Fact]
    public void Resp3_client_publishing_to_itself_gets_the_push_before_the_reply()
    {
        sub.Session.Protocol = RespVersion.Resp3;
        sub.Run("SUBSCRIBE", "self");
        Assert.Equal(">3\r\n" + Bulk("message") + Bulk("self") + Bulk("hi") + Int(1), sub.Run("PUBLISH", "self", "hi"));
    }

    [Fact]
    public void Pubsub_channels_numsub_numpat()
    {
        sub.Run("SUBSCRIBE", "news.a", "news.b", "misc");
        other.Run("SUBSCRIBE", "news.a");
        other.Run("PSUBSCRIBE", "x*", "y*");
        sub.Run("PSUBSCRIBE", "x*");
        Assert.Equal(new[] { "misc", "news.a", "news.b" }, Parse(pub.Run("PUBSUB", "CHANNELS")).Order());
        Assert.Equal(new[] { "news.a", "news.b" }, Parse(pub.Run("PUBSUB", "CHANNELS", "news.*")).Order());
        Assert.Equal("*0\r\n", pub.Run("PUBSUB", "CHANNELS", "nope*"));
        Assert.Equal(Array(Bulk("news.a"), Int(2), Bulk("misc"), Int(1), Bulk("none"), Int(0)), pub.Run("PUBSUB", "NUMSUB", "news.a", "misc", "none"));
        Assert.Equal("*0\r\n", pub.Run("PUBSUB", "NUMSUB"));
        Assert.Equal(Int(2), pub.Run("PUBSUB", "NUMPAT"));
        Assert.Equal(Err("ERR wrong number of arguments for 'pubsub|channels' command"), pub.Run("PUBSUB", "CHANNELS", "a", "b"));
        Assert.Equal(Err("ERR wrong number of arguments for 'pubsub|numpat' command"), pub.Run("PUBSUB", "NUMPAT", "x"));
        Assert.StartsWith("-ERR unknown subcommand 'NOPE'. Try PUBSUB HELP.", pub.Run("PUBSUB", "NOPE"));
        Assert.StartsWith("*", pub.Run("PUBSUB", "HELP"));
        Assert.Equal((3L, 2L), pub.Server.PubSubCounts());
        var info = pub.Run("INFO", "stats");
        Assert.Contains("pubsub_channels:3", info);
        Assert.Contains("pubsub_patterns:2", info);
    }

    private static string[] Parse(string reply) =>
        reply.Split("\r\n").Where((line, i) => i > 0 && !line.StartsWith('$') && line.Length > 0).ToArray();

    [Fact]
    public void Arity_errors()
    {
        Assert.Equal(Err("ERR wrong number of arguments for 'subscribe' command"), sub.Run("SUBSCRIBE"));
        Assert.Equal(Err("ERR wrong number of arguments for 'psubscribe' command"), sub.Run("PSUBSCRIBE"));
        Assert.Equal(Err("ERR wrong number of arguments for 'publish' command"), pub.Run("PUBLISH", "a"));
    }

    [Fact]
    public void Disconnect_drops_every_subscription()
    {
        sub.Run("SUBSCRIBE", "a", "b");
        sub.Run("PSUBSCRIBE", "a*");
        lock (pub.Server.Keyspace.Sync)
        {
            pub.Server.Clients.Remove(sub.Session);
            pub.Server.OnClientDisconnected(sub.Session);
        }
        Assert.Equal(Int(0), pub.Run("PUBLISH", "a", "x"));
        Assert.Equal((0L, 0L), pub.Server.PubSubCounts());
        Assert.Equal(0, sub.Session.SubscriptionCount);
    }

    [Fact]
    public void Client_list_shows_subscription_counts_and_type_pubsub()
    {
        sub.Run("CLIENT", "SETNAME", "listener");
        sub.Run("SUBSCRIBE", "a", "b");
        sub.Run("PSUBSCRIBE", "c*");
        var list = pub.Run("CLIENT", "LIST", "TYPE", "pubsub");
        Assert.Contains("name=listener", list);
        Assert.Contains("sub=2 psub=1", list);
        Assert.Contains("flags=P", list);
    }

    [Fact]
    public void Output_buffer_limit_config_get_and_set()
    {
        Assert.Equal(Bulks("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            pub.Run("CONFIG", "GET", "client-output-buffer-limit"));
        Assert.Equal(Ok, pub.Run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 10"));
        Assert.Equal(Bulks("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10"),
            pub.Run("CONFIG", "GET", "client-output-buffer-limit"));
        Assert.Equal(Ok, pub.Run("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 3 replica 4 5 6"));
        Assert.Equal(Bulks("client-output-buffer-limit", "normal 1 2 3 slave 4 5 6 pubsub 1048576 524288 10"),
            pub.Run("CONFIG", "GET", "client-output-buffer-limit"));
        Assert.StartsWith("-ERR CONFIG SET failed", pub.Run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 1mb"));
        Assert.StartsWith("-ERR CONFIG SET failed", pub.Run("CONFIG", "SET", "client-output-buffer-limit", "bogus 1 1 1"));
        Assert.StartsWith("-ERR CONFIG SET failed", pub.Run("CONFIG", "SET", "client-output-buffer-limit", "pubsub x 1 1"));
    }

    [Fact]
    public void Subscriber_over_the_hard_limit_is_disconnected_and_counted()
    {
        pub.Run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4kb 0 0");
        sub.Run("SUBSCRIBE", "firehose");
        other.Run("SUBSCRIBE", "firehose");
        var payload = new string('x', 1000);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Int(2), pub.Run("PUBLISH", "firehose", payload));
            // "other" keeps up: its loop flushed and the peer consumed everything.
            other.Session.OutputConsumedMark = other.Session.Writer.BytesWritten;
        }
        Assert.False(sub.Session.Closing);
        Assert.Equal(Int(2), pub.Run("PUBLISH", "firehose", payload));
        other.Session.OutputConsumedMark = other.Session.Writer.BytesWritten;
        Assert.True(sub.Session.Closing, $"pending {sub.Session.PendingOutputBytes}");
        Assert.False(other.Session.Closing);
        // A closing subscriber gets nothing more.
        Assert.Equal(Int(1), pub.Run("PUBLISH", "firehose", payload));
        Assert.Contains("client_output_buffer_limit_disconnections:1", pub.Run("INFO", "stats"));
        Assert.Contains($"omem={sub.Session.PendingOutputBytes}", pub.Run("CLIENT", "LIST", "TYPE", "pubsub"));
    }

    [Fact]
    public void Subscriber_over_the_soft_limit_for_longer_than_its_seconds_is_disconnected()
    {
        pub.Run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 1kb 1");
        var limits = pub.Server.OutputLimits;
        sub.Run("SUBSCRIBE", "s");
        pub.Run("PUBLISH", "s", new string('x', 2000));
        Assert.False(sub.Session.Closing);
        long since = sub.Session.SoftLimitReachedAtMs;
        Assert.NotEqual(0, since);
        Assert.False(limits.IsOverLimit(sub.Session, since + 1000));
        Assert.True(limits.IsOverLimit(sub.Session, since + 1001));
        // Back under the soft limit: the clock restarts.
        sub.Session.OutputConsumedMark = sub.Session.Writer.BytesWritten;
        Assert.False(limits.IsOverLimit(sub.Session, since + 5000));
        Assert.Equal(0, sub.Session.SoftLimitReachedAtMs);
    }

    [Fact]
    public void Wake_is_called_for_subscribers_but_not_for_the_publisher()
    {
        int wakes = 0, selfWakes = 0;
        sub.Session.WakeForOutput = () => wakes++;
        pub.Session.WakeForOutput = () => selfWakes++;
        pub.Session.Protocol = RespVersion.Resp3;
        sub.Run("SUBSCRIBE", "w");
        pub.Run("SUBSCRIBE", "w");
        pub.Run("PUBLISH", "w", "x");
        Assert.Equal(1, wakes);
        Assert.Equal(0, selfWakes);
    }
}
