using Magpie.Groups;
using Magpie.Groups.Peers;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>
/// Node-to-node commands of read-through groups (docs/groups.md, "Server wiring"). Loads and peer
/// calls are asynchronous: the handler starts them and sets <see cref="CommandContext.BlockUntil"/>;
/// the reply is written when they finish, under the keyspace lock.
/// </summary>
public static class GroupCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "magpie";
        t.Add(new() { Name = "magpie.groupget", Arity = 3, Flags = ReadOnly, Handler = GroupGet, Group = g, Summary = "Returns a group key's value and remaining TTL in ms (-1: none) as its owner, loading it once if needed." });
        t.Add(new() { Name = "magpie.groupset", Arity = -4, Flags = Write, Handler = GroupSet, Group = g, Summary = "Stores a group key as its owner and invalidates the other nodes' copies." });
        t.Add(new() { Name = "magpie.groupdel", Arity = 3, Flags = Write, Handler = GroupDel, Group = g, Summary = "Removes a group key as its owner and invalidates the other nodes' copies." });
        t.Add(new() { Name = "magpie.groupinvalidate", Arity = 3, Flags = Write | Fast, Handler = GroupInvalidate, Group = g, Summary = "Drops this node's copy of a group key." });
    }

    private static void GroupGet(CommandContext ctx)
    {
        if (!TryGroup(ctx, out var group)) return;
        string key = ctx.ArgString(2);
        Run(ctx, () => group.HandlePeerGetAsync(key, CancellationToken.None).AsTask(), WriteGet);
    }

    private static void WriteGet(CommandContext ctx, PeerGetResult result)
    {
        if (!result.IsFound)
        {
            ctx.Reply.WriteNull();
            return;
        }
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(result.Value);
        ctx.Reply.WriteInteger(result.TimeToLive is { } ttl ? Math.Max(1L, (long)Math.Ceiling(ttl.TotalMilliseconds)) : -1);
    }

    private static void GroupSet(CommandContext ctx)
    {
        if (ctx.ArgCount != 4 && ctx.ArgCount != 6)
        {
            ctx.SyntaxError();
            return;
        }
        TimeSpan? ttl = null;
        if (ctx.ArgCount == 6)
        {
            if (!ctx.ArgIs(4, "px"u8))
            {
                ctx.SyntaxError();
                return;
            }
            if (!ctx.TryGetInt64(5, out long ms)) return;
            if (ms <= 0)
            {
                ctx.Error("ERR invalid expire time in 'magpie.groupset' command");
                return;
            }
            ttl = TimeSpan.FromMilliseconds(ms);
        }
        if (!TryGroup(ctx, out var group)) return;
        string key = ctx.ArgString(2);
        byte[] value = ctx.ArgBytes(3);
        Run(ctx, async () => { await group.HandlePeerSetAsync(key, value, ttl).ConfigureAwait(false); return true; }, WriteOk);
    }

    private static void GroupDel(CommandContext ctx)
    {
        if (!TryGroup(ctx, out var group)) return;
        string key = ctx.ArgString(2);
        Run(ctx, async () => { await group.HandlePeerRemoveAsync(key).ConfigureAwait(false); return true; }, WriteOk);
    }

    private static void GroupInvalidate(CommandContext ctx)
    {
        // Unknown groups are ignored: a node may not declare every group another node has.
        ctx.Server.Groups?.HandleInvalidate(ctx.ArgString(1), ctx.ArgString(2));
        ctx.Reply.WriteOk();
    }

    private static void WriteOk(CommandContext ctx, bool _) => ctx.Reply.WriteOk();

    private static bool TryGroup(CommandContext ctx, out CacheGroup group)
    {
        string name = ctx.ArgString(1);
        if (ctx.Server.Groups is { } registry && registry.TryGet(name, out group)) return true;
        group = null!;
        ctx.Error($"ERR unknown group '{name}'");
        return false;
    }

    /// <summary>
    /// Starts <paramref name="start"/>; answers now if it already finished, else blocks the client
    /// until it does (the reply is written under the keyspace lock by the continuation).
    /// </summary>
    private static void Run<T>(CommandContext ctx, Func<Task<T>> start, Action<CommandContext, T> write)
    {
        Task<T> task;
        try
        {
            task = start();
        }
        catch (Exception ex)
        {
            WriteFailure(ctx, ex);
            return;
        }
        if (task.IsCompleted)
        {
            Finish(ctx, task, write);
            return;
        }
        if (!ctx.Server.Blocking.CanBlock(ctx))
        {
            // Inside MULTI/EXEC the reply must be written now; the work carries on, unanswered.
            ctx.Error($"ERR {ctx.Command.FullName} cannot wait inside a transaction");
            return;
        }
        long clientId = ctx.Client.Id;
        ctx.BlockUntil = task.ContinueWith(
            done =>
            {
                lock (ctx.Server.Keyspace.Sync)
                {
                    // A client that left while waiting has no writer to answer on.
                    if (ctx.Server.Clients.Find(clientId) is null || ctx.Client.Closing) return;
                    Finish(ctx, done, write);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static void Finish<T>(CommandContext ctx, Task<T> task, Action<CommandContext, T> write)
    {
        if (task.IsCompletedSuccessfully) write(ctx, task.Result);
        else WriteFailure(ctx, task.Exception?.InnerException ?? new OperationCanceledException("the request was cancelled"));
    }

    private static void WriteFailure(CommandContext ctx, Exception ex)
    {
        string message = ex.Message.ReplaceLineEndings(" ");
        ctx.Error(ex is GroupNotFoundException ? $"ERR unknown group '{((GroupNotFoundException)ex).Group}'" : "ERR " + message);
    }
}
