using Magpie.Server.Blocking;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>
/// BZPOPMIN, BZPOPMAX and BZMPOP: the sorted-set pops of <see cref="SortedSetCommands"/>, waiting on
/// the blocking registry when every key is empty.
/// </summary>
public static class SortedSetBlockingCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "sorted-set";
        t.Add(new() { Name = "bzpopmin", Arity = -3, Flags = Write | NoScript | CommandFlags.Blocking | Fast, FirstKey = 1, LastKey = -2, KeyStep = 1, Handler = ctx => BZPop(ctx, max: false), Group = g, Summary = "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", Since = "5.0.0", Complexity = "O(log(N)) with N being the number of elements in the sorted set.", Acl = "@sortedset", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1, LastKey = -2 }], History = [("6.0.0", "`timeout` is interpreted as a double instead of an integer.")] });
        t.Add(new() { Name = "bzpopmax", Arity = -3, Flags = Write | NoScript | CommandFlags.Blocking | Fast, FirstKey = 1, LastKey = -2, KeyStep = 1, Handler = ctx => BZPop(ctx, max: true), Group = g, Summary = "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", Since = "5.0.0", Complexity = "O(log(N)) with N being the number of elements in the sorted set.", Acl = "@sortedset", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1, LastKey = -2 }], History = [("6.0.0", "`timeout` is interpreted as a double instead of an integer.")] });
        t.Add(new() { Name = "bzmpop", Arity = -5, Flags = Write | CommandFlags.Blocking | MovableKeys, NumKeysIndex = 2, Handler = BZMPop, Group = g, Summary = "Remove and return members with scores in a sorted set or block until one is available", Since = "7.0.0", Complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", Acl = "@sortedset", Keys = [new(K.RW | K.Access | K.Delete) { Index = 2, KeyNum = true }] });
    }

    private static void BZPop(CommandContext ctx, bool max)
    {
        if (!BlockingRegistry.TryParseTimeout(ctx, ctx.ArgCount - 1, out long deadline)) return;
        int keyCount = ctx.ArgCount - 2;
        var outcome = SortedSetCommands.PopFirstNonEmpty(ctx, 1, keyCount, max, -1, emitKey: true, nested: false);
        if (outcome != SortedSetCommands.PopOutcome.NothingToPop) return;
        Block(ctx, 1, keyCount, deadline, (waiter, readyKey) => ServeFromReadyKey(waiter, readyKey, max, -1, nested: false));
    }

    private static void BZMPop(CommandContext ctx)
    {
        if (!BlockingRegistry.TryParseTimeout(ctx, 1, out long deadline)) return;
        if (!SortedSetCommands.TryParsePopArguments(ctx, 2, out int keyCount, out bool max, out long count)) return;
        var outcome = SortedSetCommands.PopFirstNonEmpty(ctx, 3, keyCount, max, count, emitKey: true, nested: true);
        if (outcome != SortedSetCommands.PopOutcome.NothingToPop) return;
        Block(ctx, 3, keyCount, deadline, (waiter, readyKey) => ServeFromReadyKey(waiter, readyKey, max, count, nested: true));
    }

    private static void Block(CommandContext ctx, int firstKey, int keyCount, long deadline, BlockedServe serve)
    {
        var blocking = ctx.Server.Blocking;
        if (!blocking.CanBlock(ctx))
        {
            // Inside MULTI a blocking command answers at once, as if it timed out.
            ctx.Reply.WriteNullArray();
            return;
        }
        var keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++) keys[i] = ctx.ArgBytes(firstKey + i);
        blocking.Block(ctx, keys, deadline, serve);
    }

    /// <summary>
    /// Serves a waiting client from the key that just became ready, as Redis does. A key that now
    /// holds another type is passed over and the client keeps waiting.
    /// </summary>
    private static bool ServeFromReadyKey(CommandContext waiter, byte[] readyKey, bool max, long count, bool nested)
    {
        var entry = waiter.Db.GetForWrite(readyKey);
        if (entry?.Value is not RedisSortedSet set) return false;
        SortedSetCommands.Pop(waiter, entry, set, max, count, emitKey: true, nested);
        return true;
    }
}
