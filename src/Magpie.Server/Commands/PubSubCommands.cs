using Magpie.Server.Connections;
using Magpie.Server.Util;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>Pub/sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB (the shard commands: <see cref="ShardedPubSubCommands"/>).</summary>
public static class PubSubCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "pubsub";
        t.Add(new() { Name = "subscribe", Arity = -2, Flags = CommandFlags.PubSub | NoScript | Loading | Stale | AllowedInSubscribe, Handler = Subscribe, Group = g, Summary = "Listen for messages published to the given channels", Since = "2.0.0", Complexity = "O(N) where N is the number of channels to subscribe to.", Acl = "" });
        t.Add(new() { Name = "unsubscribe", Arity = -1, Flags = CommandFlags.PubSub | NoScript | Loading | Stale | AllowedInSubscribe, Handler = Unsubscribe, Group = g, Summary = "Stop listening for messages posted to the given channels", Since = "2.0.0", Complexity = "O(N) where N is the number of clients already subscribed to a channel.", Acl = "" });
        t.Add(new() { Name = "psubscribe", Arity = -2, Flags = CommandFlags.PubSub | NoScript | Loading | Stale | AllowedInSubscribe, Handler = PSubscribe, Group = g, Summary = "Listen for messages published to channels matching the given patterns", Since = "2.0.0", Complexity = "O(N) where N is the number of patterns the client is already subscribed to.", Acl = "" });
        t.Add(new() { Name = "punsubscribe", Arity = -1, Flags = CommandFlags.PubSub | NoScript | Loading | Stale | AllowedInSubscribe, Handler = PUnsubscribe, Group = g, Summary = "Stop listening for messages posted to channels matching the given patterns", Since = "2.0.0", Complexity = "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).", Acl = "" });
        t.Add(new() { Name = "publish", Arity = 3, Flags = CommandFlags.PubSub | Loading | Stale | Fast, Handler = Publish, Group = g, Summary = "Post a message to a channel", Since = "2.0.0", Complexity = "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", Acl = "" });
        t.Add(new() { Name = "pubsub", Arity = -2, Subcommands = CommandSpec.Children([
            new() { Name = "channels", Parent = "pubsub", Arity = -2, Flags = CommandFlags.PubSub | Loading | Stale, Handler = PubSubChannels, Group = g, Summary = "List active channels", Since = "2.8.0", Complexity = "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", Acl = "" },
            new() { Name = "numsub", Parent = "pubsub", Arity = -2, Flags = CommandFlags.PubSub | Loading | Stale, Handler = PubSubNumSub, Group = g, Summary = "Get the count of subscribers for channels", Since = "2.8.0", Complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested channels", Acl = "" },
            new() { Name = "numpat", Parent = "pubsub", Arity = 2, Flags = CommandFlags.PubSub | Loading | Stale, Handler = ctx => ctx.Reply.WriteInteger(ctx.Server.PubSub.PatternCount), Group = g, Summary = "Get the count of unique patterns pattern subscriptions", Since = "2.8.0", Acl = "" },
            new() { Name = "help", Parent = "pubsub", Arity = 2, Flags = Loading | Stale, Handler = PubSubHelp, Group = g, Summary = "Show helpful text about the different subcommands", Since = "6.2.0", Acl = "" },
            .. ShardedPubSubCommands.PubSubSubcommands(g)]), Group = g, Summary = "A container for Pub/Sub commands", Since = "2.8.0", Complexity = "Depends on subcommand.", Acl = "" });
    }


    private static void Subscribe(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            var channel = ctx.ArgBytes(i);
            hub.Subscribe(ctx.Client, channel);
            Confirm(ctx, "subscribe"u8, channel);
        }
    }

    private static void PSubscribe(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            var pattern = ctx.ArgBytes(i);
            hub.PSubscribe(ctx.Client, pattern);
            Confirm(ctx, "psubscribe"u8, pattern);
        }
    }

    private static void Unsubscribe(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        Leave(ctx, "unsubscribe"u8, hub.ChannelsOf, (client, channel) => hub.Unsubscribe(client, channel));
    }

    private static void PUnsubscribe(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        Leave(ctx, "punsubscribe"u8, hub.PatternsOf, (client, pattern) => hub.PUnsubscribe(client, pattern));
    }

    /// <summary>
    /// (P)UNSUBSCRIBE: the named channels or patterns, or with no arguments all of them, one
    /// confirmation each (or a single one with a null name when there were none), as Redis replies.
    /// </summary>
    private static void Leave(CommandContext ctx, ReadOnlySpan<byte> kind, Func<ClientSession, List<byte[]>> current, Action<ClientSession, byte[]> remove)
    {
        if (ctx.ArgCount == 1)
        {
            var all = current(ctx.Client);
            foreach (var name in all)
            {
                remove(ctx.Client, name);
                Confirm(ctx, kind, name);
            }
            if (all.Count == 0) Confirm(ctx, kind, null);
            return;
        }
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            var name = ctx.ArgBytes(i);
            remove(ctx.Client, name);
            Confirm(ctx, kind, name);
        }
    }

    /// <summary>One confirmation: [kind, name, subscriptions left]; a push on RESP3, an array on RESP2.</summary>
    private static void Confirm(CommandContext ctx, ReadOnlySpan<byte> kind, byte[]? name) =>
        Confirm(ctx, kind, name, ctx.Client.ChannelAndPatternCount);

    /// <summary>The confirmation shape, with the count the kind reports (shard commands count only shard channels).</summary>
    internal static void Confirm(CommandContext ctx, ReadOnlySpan<byte> kind, byte[]? name, int remaining)
    {
        var w = ctx.Reply;
        w.WritePushHeader(3);
        w.WriteBulk(kind);
        if (name is null) w.WriteNull();
        else w.WriteBulk(name);
        w.WriteInteger(remaining);
    }

    private static void Publish(CommandContext ctx) =>
        ctx.Reply.WriteInteger(ctx.Server.PubSub.Publish(ctx.Arg(1), ctx.Arg(2), ctx.Client, ctx.Now));

    private static void PubSubChannels(CommandContext ctx) => ListChannels(ctx, ctx.Server.PubSub.Channels);

    /// <summary>PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the active channels matching the pattern.</summary>
    internal static void ListChannels(CommandContext ctx, IEnumerable<byte[]> channels)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.WrongArity();
            return;
        }
        var matching = new List<byte[]>();
        foreach (var channel in channels)
            if (ctx.ArgCount == 2 || Glob.Match(ctx.Arg(2), channel)) matching.Add(channel);
        ctx.Reply.WriteArrayHeader(matching.Count);
        foreach (var channel in matching) ctx.Reply.WriteBulk(channel);
    }

    private static void PubSubNumSub(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        ctx.Reply.WriteArrayHeader((ctx.ArgCount - 2) * 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            ctx.Reply.WriteBulk(ctx.Arg(i));
            ctx.Reply.WriteInteger(hub.SubscriberCount(ctx.Arg(i)));
        }
    }

    private static void PubSubHelp(CommandContext ctx) => HelpReply.Write(ctx, "PUBSUB",
        "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT", "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]", "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]", "    Return the number of subscribers for the specified shard level channel(s)");
}
