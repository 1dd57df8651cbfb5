using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>BGREWRITEAOF: a new AOF base from a point-in-time snapshot, without stalling clients.</summary>
public static class AofCommands
{
    public static void Register(CommandTable t)
    {
        t.Add(new() { Name = "bgrewriteaof", Arity = 1, Flags = Admin | NoScript | NoAsyncLoading, Handler = BgRewriteAof, Group = "server", Summary = "Asynchronously rewrite the append-only file", Since = "1.0.0", Complexity = "O(1)" });
    }

    private static void BgRewriteAof(CommandContext ctx)
    {
        var aof = ctx.Server.Persistence.Aof;
        if (aof is null)
        {
            ctx.Error("ERR persistence is off: start the node with --data-dir to write an append-only file");
            return;
        }
        var reply = aof.StartRewrite();
        if (reply.StartsWith("ERR", StringComparison.Ordinal)) ctx.Error(reply);
        else ctx.Reply.WriteSimpleString(reply);
    }
}
