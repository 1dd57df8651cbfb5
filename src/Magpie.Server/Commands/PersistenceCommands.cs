using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>SAVE, BGSAVE, LASTSAVE and SHUTDOWN (docs/persistence.md).</summary>
public static class PersistenceCommands
{
    public const string NotInTransaction = "ERR Command not allowed inside a transaction";

    public static void Register(CommandTable t)
    {
        const string g = "server";
        // NoMulti: they run at once inside MULTI, where the handler refuses them, as Redis's no-multi flag does.
        t.Add(new() { Name = "save", Arity = 1, Flags = Admin | NoScript | NoAsyncLoading | DeniedInMulti | NoMulti, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = Save, Group = "server", Summary = "Synchronously save the dataset to disk", Since = "1.0.0", Complexity = "O(N) where N is the total number of keys in all databases", Acl = "@admin @slow @dangerous", Keys = [] });
        t.Add(new() { Name = "bgsave", Arity = -1, Flags = Admin | NoScript | NoAsyncLoading, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = BgSave, Group = "server", Summary = "Asynchronously save the dataset to disk", Since = "1.0.0", Complexity = "O(1)", Acl = "@admin @slow @dangerous", Keys = [], History = [("3.2.2", "Added the `SCHEDULE` option.")] });
        t.Add(new() { Name = "shutdown", Arity = -1, Flags = Admin | NoScript | Loading | Stale | DeniedInMulti | AllowBusy | NoMulti, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = Shutdown, Group = "server", Summary = "Synchronously save the dataset to disk and then shut down the server", Since = "1.0.0", Complexity = "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", Acl = "@admin @slow @dangerous", Keys = [], History = [("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")] });
    }

    private static bool RefusedInMulti(CommandContext ctx)
    {
        if (!ctx.Client.Transaction.InMulti) return false;
        ctx.Error(NotInTransaction);
        ctx.Client.Transaction.Dirty = true;
        return true;
    }

    private static void Save(CommandContext ctx)
    {
        if (RefusedInMulti(ctx)) return;
        if (ctx.Server.Persistence.Save() is { } error) ctx.Error(error);
        else ctx.Reply.WriteOk();
    }

    private static void BgSave(CommandContext ctx)
    {
        bool schedule = false;
        if (ctx.ArgCount == 2 && ctx.ArgIs(1, "schedule"u8)) schedule = true;
        else if (ctx.ArgCount > 1)
        {
            ctx.SyntaxError();
            return;
        }
        var reply = ctx.Server.Persistence.StartBackgroundSave(schedule);
        if (reply.StartsWith("ERR", StringComparison.Ordinal)) ctx.Error(reply);
        else ctx.Reply.WriteSimpleString(reply);
    }

    /// <summary>LASTSAVE: Unix time of the last successful save (the start time before any).</summary>
    public static void LastSave(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Server.Persistence.LastSaveUnix);

    private static void Shutdown(CommandContext ctx)
    {
        if (RefusedInMulti(ctx)) return;
        bool nosave = false, save = false, abort = false;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "nosave"u8)) nosave = true;
            else if (ctx.ArgIs(i, "save"u8)) save = true;
            else if (ctx.ArgIs(i, "now"u8) || ctx.ArgIs(i, "force"u8)) { }
            else if (ctx.ArgIs(i, "abort"u8)) abort = true;
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        bool force = false;
        for (int i = 1; i < ctx.ArgCount; i++) force |= ctx.ArgIs(i, "force"u8);
        if ((abort && ctx.ArgCount != 2) || (nosave && save))
        {
            ctx.SyntaxError();
            return;
        }
        if (abort)
        {
            // Magpie has no replicas to wait for, so a shutdown is never pending.
            ctx.Error("ERR No shutdown in progress.");
            return;
        }
        var p = ctx.Server.Persistence;
        bool doSave = p.DataDir is not null && !nosave && (save || p.Points.Enabled);
        if (doSave)
        {
            // A running BGSAVE is abandoned, as Redis kills its child; SAVE then writes the final snapshot.
            p.AbandonBackgroundSave();
            if (p.Save() is not null && !force)
            {
                ctx.Error("ERR Errors trying to SHUTDOWN. Check logs.");
                return;
            }
        }
        p.ShutdownHandled = true;
        ctx.CloseAfterReply = true;
        ctx.Server.RequestShutdown();
    }
}
