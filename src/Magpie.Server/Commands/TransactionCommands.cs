using Magpie.Protocol;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>MULTI, EXEC, DISCARD, WATCH, UNWATCH.</summary>
public static class TransactionCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "transactions";
        t.Add(new() { Name = "multi", Arity = 1, Flags = NoScript | Loading | Stale | Fast | AllowBusy | NoMulti, Handler = Multi, Group = g, Summary = "Mark the start of a transaction block", Since = "1.2.0", Acl = "@transaction" });
        t.Add(new() { Name = "exec", Arity = 1, Flags = NoScript | Loading | Stale | SkipSlowlog | NoMulti, Handler = Exec, Group = g, Summary = "Execute all commands issued after MULTI", Since = "1.2.0", Complexity = "Depends on commands in the transaction", Acl = "@transaction" });
        t.Add(new() { Name = "discard", Arity = 1, Flags = NoScript | Loading | Stale | Fast | AllowBusy | NoMulti, Handler = Discard, Group = g, Summary = "Discard all commands issued after MULTI", Since = "2.0.0", Complexity = "O(N), when N is the number of queued commands", Acl = "@transaction" });
        t.Add(new() { Name = "watch", Arity = -2, Flags = NoScript | Loading | Stale | Fast | AllowBusy | NoMulti, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = Watch, Group = g, Summary = "Watch the given keys to determine execution of the MULTI/EXEC block", Since = "2.2.0", Complexity = "O(1) for every key.", Acl = "@transaction", Keys = [new(K.RO) { Index = 1, LastKey = -1 }] });
        t.Add(new() { Name = "unwatch", Arity = 1, Flags = NoScript | Loading | Stale | Fast | AllowBusy, Handler = Unwatch, Group = g, Summary = "Forget about all watched keys", Since = "2.2.0", Acl = "@transaction" });
    }

    private static void Multi(CommandContext ctx)
    {
        var tx = ctx.Client.Transaction;
        if (tx.InMulti)
        {
            ctx.Error(Errors.NestedMulti);
            return;
        }
        tx.InMulti = true;
        ctx.Reply.WriteOk();
    }

    private static void Discard(CommandContext ctx)
    {
        var tx = ctx.Client.Transaction;
        if (!tx.InMulti)
        {
            ctx.Error(string.Format(Errors.NotInMulti, "DISCARD"));
            return;
        }
        tx.ResetMulti();
        ctx.Server.Watches.UnwatchAll(ctx.Client);
        ctx.Reply.WriteOk();
    }

    private static void Watch(CommandContext ctx)
    {
        if (ctx.Client.Transaction.InMulti)
        {
            ctx.Error(Errors.WatchInMulti);
            return;
        }
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            // Expire the key now if it is due, so a key that was already gone doesn't count as a change later.
            ctx.Db.Lookup(ctx.Arg(i));
            ctx.Server.Watches.Watch(ctx.Client, ctx.Db, ctx.ArgBytes(i));
        }
        ctx.Reply.WriteOk();
    }

    private static void Unwatch(CommandContext ctx)
    {
        ctx.Server.Watches.UnwatchAll(ctx.Client);
        ctx.Reply.WriteOk();
    }

    private static void Exec(CommandContext ctx)
    {
        var client = ctx.Client;
        var tx = client.Transaction;
        if (!tx.InMulti)
        {
            ctx.Error(string.Format(Errors.NotInMulti, "EXEC"));
            return;
        }
        var watches = ctx.Server.Watches;
        if (tx.Dirty)
        {
            tx.ResetMulti();
            watches.UnwatchAll(client);
            ctx.Error(Errors.ExecAbort);
            return;
        }
        // A watched key that expired since WATCH counts as changed: looking it up deletes it and tells the watchers.
        foreach (var (db, key) in tx.Watched) db.Lookup(key);
        if (tx.WatchedKeyChanged)
        {
            tx.ResetMulti();
            watches.UnwatchAll(client);
            ctx.Reply.WriteNullArray();
            return;
        }
        // The queue is replayed with this connection's context; InMulti stays set while it runs, so
        // blocking commands inside it don't block, as in Redis.
        watches.UnwatchAll(client);
        var queue = tx.Queue.ToArray();
        var original = ctx.Request;
        var replay = new RespRequest();
        ctx.Reply.WriteArrayHeader(queue.Length);
        try
        {
            ctx.Request = replay;
            foreach (var args in queue)
            {
                replay.Load(args);
                var spec = ctx.Server.Dispatcher.Resolve(ctx, replay);
                if (spec is not null && ctx.Server.Acl.PermitQueued(ctx, spec)) ctx.Server.Dispatcher.Run(ctx, spec);
            }
        }
        finally
        {
            ctx.Request = original;
            tx.ResetMulti();
            ctx.Command = ctx.Server.Commands.Find("exec")!;
        }
    }
}
