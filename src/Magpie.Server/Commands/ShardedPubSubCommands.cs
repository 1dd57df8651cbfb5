using Magpie.Server.Util;
using static Magpie.Server.Commands.CommandFlags;
using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>
/// Sharded pub/sub (Redis 7.0): SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, and PUBSUB SHARDCHANNELS /
/// SHARDNUMSUB. Shard channels live in their own namespace of the one <see cref="PubSub.PubSubHub"/>.
/// The channel is the key spec (flagged not_key), so in cluster mode the slot check routes it:
/// MOVED for a channel owned elsewhere, CROSSSLOT for channels of different slots.
/// </summary>
public static class ShardedPubSubCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "pubsub";
        t.Add(new() { Name = "ssubscribe", Arity = -2, Flags = CommandFlags.PubSub | NoScript | Loading | Stale | AllowedInSubscribe, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SSubscribe, Group = g, Summary = "Listen for messages published to the given shard channels", Since = "7.0.0", Complexity = "O(N) where N is the number of shard channels to subscribe to.", Acl = "", Keys = [new(K.NotKey) { Index = 1, LastKey = -1 }] });
        t.Add(new() { Name = "sunsubscribe", Arity = -1, Flags = CommandFlags.PubSub | NoScript | Loading | Stale | AllowedInSubscribe, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SUnsubscribe, Group = g, Summary = "Stop listening for messages posted to the given shard channels", Since = "7.0.0", Complexity = "O(N) where N is the number of clients already subscribed to a shard channel.", Acl = "", Keys = [new(K.NotKey) { Index = 1, LastKey = -1 }] });
        t.Add(new() { Name = "spublish", Arity = 3, Flags = CommandFlags.PubSub | Loading | Stale | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SPublish, Group = g, Summary = "Post a message to a shard channel", Since = "7.0.0", Complexity = "O(N) where N is the number of clients subscribed to the receiving shard channel.", Acl = "", Keys = [new(K.NotKey) { Index = 1 }] });
    }

    /// <summary>PUBSUB's shard subcommands, added to the PUBSUB container by <see cref="PubSubCommands"/>.</summary>
    public static CommandSpec[] PubSubSubcommands(string g) =>
    [
        new() { Name = "shardchannels", Parent = "pubsub", Arity = -2, Flags = CommandFlags.PubSub | Loading | Stale, Handler = ShardChannels, Group = g, Summary = "List active shard channels", Since = "7.0.0", Complexity = "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", Acl = "" },
        new() { Name = "shardnumsub", Parent = "pubsub", Arity = -2, Flags = CommandFlags.PubSub | Loading | Stale, Handler = ShardNumSub, Group = g, Summary = "Get the count of subscribers for shard channels", Since = "7.0.0", Complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", Acl = "" },
    ];

    private static void SSubscribe(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            var channel = ctx.ArgBytes(i);
            hub.SSubscribe(ctx.Client, channel);
            Confirm(ctx, "ssubscribe"u8, channel);
        }
    }

    /// <summary>SUNSUBSCRIBE: the named shard channels, or with no arguments all of them (one null confirmation when none).</summary>
    private static void SUnsubscribe(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        if (ctx.ArgCount == 1)
        {
            var all = hub.ShardChannelsOf(ctx.Client);
            foreach (var channel in all)
            {
                hub.SUnsubscribe(ctx.Client, channel);
                Confirm(ctx, "sunsubscribe"u8, channel);
            }
            if (all.Count == 0) Confirm(ctx, "sunsubscribe"u8, null);
            return;
        }
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            var channel = ctx.ArgBytes(i);
            hub.SUnsubscribe(ctx.Client, channel);
            Confirm(ctx, "sunsubscribe"u8, channel);
        }
    }

    /// <summary>[kind, channel, shard subscriptions left]: Redis counts only shard channels here.</summary>
    private static void Confirm(CommandContext ctx, ReadOnlySpan<byte> kind, byte[]? channel) =>
        PubSubCommands.Confirm(ctx, kind, channel, ctx.Client.ShardChannelCount);

    private static void SPublish(CommandContext ctx) =>
        ctx.Reply.WriteInteger(ctx.Server.PubSub.SPublish(ctx.Arg(1), ctx.Arg(2), ctx.Client, ctx.Now));

    private static void ShardChannels(CommandContext ctx) => PubSubCommands.ListChannels(ctx, ctx.Server.PubSub.ShardChannels);

    private static void ShardNumSub(CommandContext ctx)
    {
        var hub = ctx.Server.PubSub;
        ctx.Reply.WriteArrayHeader((ctx.ArgCount - 2) * 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            ctx.Reply.WriteBulk(ctx.Arg(i));
            ctx.Reply.WriteInteger(hub.ShardSubscriberCount(ctx.Arg(i)));
        }
    }
}
