using Magpie.Protocol;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;
using Magpie.Server.Util;
using Magpie.Storage;

namespace Magpie.Server.PubSub;

/// <summary>
/// Channel and pattern subscriptions, and delivery. Everything here runs under the keyspace lock:
/// PUBLISH writes each message straight into the subscriber's <see cref="RespWriter"/>, then checks
/// that subscriber's output-buffer limit and wakes its connection loop to flush.
/// </summary>
public sealed class PubSubHub
{
    private readonly ServerState _server;
    private readonly Dictionary<byte[], List<ClientSession>> _channels = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], List<ClientSession>>.AlternateLookup<ReadOnlySpan<byte>> _channelLookup;
    private readonly Dictionary<byte[], List<ClientSession>> _patterns = new(ByteArrayComparer.Instance);
    private readonly Dictionary<long, Subscriptions> _bySession = [];

    // Shard channels (SSUBSCRIBE/SPUBLISH): a namespace of their own, no pattern matching.
    private readonly Dictionary<byte[], List<ClientSession>> _shardChannels = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], List<ClientSession>>.AlternateLookup<ReadOnlySpan<byte>> _shardLookup;

    public PubSubHub(ServerState server)
    {
        _server = server;
        _channelLookup = _channels.GetAlternateLookup<ReadOnlySpan<byte>>();
        _shardLookup = _shardChannels.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Shard channels with at least one subscriber (PUBSUB SHARDCHANNELS, INFO pubsubshard_channels).</summary>
    public int ShardChannelCount => _shardChannels.Count;

    public IEnumerable<byte[]> ShardChannels => _shardChannels.Keys;

    public int ShardSubscriberCount(ReadOnlySpan<byte> channel) => _shardLookup.TryGetValue(channel, out var list) ? list.Count : 0;

    /// <summary>SSUBSCRIBE one shard channel; true when it was new for this client.</summary>
    public bool SSubscribe(ClientSession session, byte[] channel)
    {
        var subs = For(session);
        if (!subs.ShardChannels.Add(channel)) return false;
        if (!_shardChannels.TryGetValue(channel, out var list)) _shardChannels[channel] = list = [];
        list.Add(session);
        session.ShardChannelCount++;
        return true;
    }

    public bool SUnsubscribe(ClientSession session, byte[] channel)
    {
        if (!_bySession.TryGetValue(session.Id, out var subs) || !subs.ShardChannels.Remove(channel)) return false;
        RemoveFrom(_shardChannels, channel, session);
        session.ShardChannelCount--;
        Forget(session, subs);
        return true;
    }

    /// <summary>The client's shard channels, in subscription order (a copy).</summary>
    public List<byte[]> ShardChannelsOf(ClientSession session) =>
        _bySession.TryGetValue(session.Id, out var subs) ? [.. subs.ShardChannels] : [];

    /// <summary>
    /// SPUBLISH: writes "smessage" to every subscriber of the shard channel (patterns never match
    /// shard channels). Returns how many clients received it.
    /// </summary>
    public long SPublish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, ClientSession? publisher, long nowMs)
    {
        if (!_shardLookup.TryGetValue(channel, out var list)) return 0;
        long receivers = 0;
        foreach (var session in list)
        {
            if (session.Closing) continue;
            var w = session.Writer;
            w.WritePushHeader(3);
            w.WriteBulk("smessage"u8);
            w.WriteBulk(channel);
            w.WriteBulk(message);
            receivers++;
            Pushed(session, publisher, nowMs);
        }
        return receivers;
    }

    /// <summary>Channels with at least one subscriber (INFO pubsub_channels, PUBSUB CHANNELS).</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Distinct patterns subscribed (INFO pubsub_patterns, PUBSUB NUMPAT).</summary>
    public int PatternCount => _patterns.Count;

    public IEnumerable<byte[]> Channels => _channels.Keys;

    public int SubscriberCount(ReadOnlySpan<byte> channel) => _channelLookup.TryGetValue(channel, out var list) ? list.Count : 0;

    public bool IsSubscribed(ClientSession session, ReadOnlySpan<byte> channel) =>
        _bySession.TryGetValue(session.Id, out var subs) && subs.Channels.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(channel);

    /// <summary>SUBSCRIBE one channel; true when it was new for this client.</summary>
    public bool Subscribe(ClientSession session, byte[] channel)
    {
        var subs = For(session);
        if (!subs.Channels.Add(channel)) return false;
        if (!_channels.TryGetValue(channel, out var list)) _channels[channel] = list = [];
        list.Add(session);
        session.ChannelCount++;
        return true;
    }

    public bool Unsubscribe(ClientSession session, byte[] channel)
    {
        if (!_bySession.TryGetValue(session.Id, out var subs) || !subs.Channels.Remove(channel)) return false;
        RemoveFrom(_channels, channel, session);
        session.ChannelCount--;
        Forget(session, subs);
        return true;
    }

    public bool PSubscribe(ClientSession session, byte[] pattern)
    {
        var subs = For(session);
        if (!subs.Patterns.Add(pattern)) return false;
        if (!_patterns.TryGetValue(pattern, out var list)) _patterns[pattern] = list = [];
        list.Add(session);
        session.PatternCount++;
        return true;
    }

    public bool PUnsubscribe(ClientSession session, byte[] pattern)
    {
        if (!_bySession.TryGetValue(session.Id, out var subs) || !subs.Patterns.Remove(pattern)) return false;
        RemoveFrom(_patterns, pattern, session);
        session.PatternCount--;
        Forget(session, subs);
        return true;
    }

    /// <summary>The client's channels, in subscription order (a copy: callers unsubscribe while iterating).</summary>
    public List<byte[]> ChannelsOf(ClientSession session) =>
        _bySession.TryGetValue(session.Id, out var subs) ? [.. subs.Channels] : [];

    public List<byte[]> PatternsOf(ClientSession session) =>
        _bySession.TryGetValue(session.Id, out var subs) ? [.. subs.Patterns] : [];

    /// <summary>Drops every subscription silently (RESET, disconnect).</summary>
    public void UnsubscribeAll(ClientSession session)
    {
        if (!_bySession.TryGetValue(session.Id, out var subs)) return;
        foreach (var channel in subs.Channels) RemoveFrom(_channels, channel, session);
        foreach (var pattern in subs.Patterns) RemoveFrom(_patterns, pattern, session);
        foreach (var channel in subs.ShardChannels) RemoveFrom(_shardChannels, channel, session);
        subs.Channels.Clear();
        subs.Patterns.Clear();
        subs.ShardChannels.Clear();
        session.ChannelCount = 0;
        session.PatternCount = 0;
        session.ShardChannelCount = 0;
        _bySession.Remove(session.Id);
    }

    /// <summary>
    /// PUBLISH: writes "message" to every subscriber of the channel and "pmessage" to every client
    /// whose pattern matches. Returns how many deliveries were made, as Redis counts them.
    /// </summary>
    public long Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, ClientSession? publisher, long nowMs)
    {
        long receivers = 0;
        if (_channelLookup.TryGetValue(channel, out var list))
        {
            // A subscriber cut off by its output limit is only marked closing here; it leaves the
            // lists when its connection ends, so these loops never see the lists change.
            foreach (var session in list)
            {
                if (session.Closing) continue;
                var w = session.Writer;
                w.WritePushHeader(3);
                w.WriteBulk("message"u8);
                w.WriteBulk(channel);
                w.WriteBulk(message);
                receivers++;
                Pushed(session, publisher, nowMs);
            }
        }
        if (_patterns.Count > 0)
        {
            foreach (var (pattern, subscribers) in _patterns)
            {
                if (!Glob.Match(pattern, channel)) continue;
                foreach (var session in subscribers)
                {
                    if (session.Closing) continue;
                    var w = session.Writer;
                    w.WritePushHeader(4);
                    w.WriteBulk("pmessage"u8);
                    w.WriteBulk(pattern);
                    w.WriteBulk(channel);
                    w.WriteBulk(message);
                    receivers++;
                    Pushed(session, publisher, nowMs);
                }
            }
        }
        return receivers;
    }

    /// <summary>
    /// After output was written into <paramref name="session"/> outside its own command: enforce its
    /// output-buffer limit and wake its loop (the publisher's own loop flushes anyway).
    /// </summary>
    public void Pushed(ClientSession session, ClientSession? current, long nowMs) =>
        _server.OutputLimits.AfterPush(session, nowMs, wake: session != current);

    private Subscriptions For(ClientSession session)
    {
        if (!_bySession.TryGetValue(session.Id, out var subs)) _bySession[session.Id] = subs = new Subscriptions();
        return subs;
    }

    private void Forget(ClientSession session, Subscriptions subs)
    {
        if (subs.Channels.Count == 0 && subs.Patterns.Count == 0 && subs.ShardChannels.Count == 0) _bySession.Remove(session.Id);
    }

    private static void RemoveFrom(Dictionary<byte[], List<ClientSession>> index, byte[] name, ClientSession session)
    {
        if (!index.TryGetValue(name, out var list)) return;
        list.Remove(session);
        if (list.Count == 0) index.Remove(name);
    }

    private sealed class Subscriptions
    {
        public readonly HashSet<byte[]> Channels = new(ByteArrayComparer.Instance);
        public readonly HashSet<byte[]> Patterns = new(ByteArrayComparer.Instance);
        public readonly HashSet<byte[]> ShardChannels = new(ByteArrayComparer.Instance);
    }
}
