using Magpie.Protocol;
using Magpie.Server.Commands;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Introspection;

/// <summary>CLIENT REPLY, CLIENT PAUSE and CLIENT UNPAUSE, added to the CLIENT container.</summary>
public static class ClientControlCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "connection";
        var client = t.Find("client")!.Subcommands!;
        client["reply"] = new() { Name = "reply", Parent = "client", Arity = 3, Flags = NoScript | Loading | Stale, Handler = Reply, Group = g, Summary = "Instruct the server whether to reply to commands", Since = "3.2.0", Acl = "@connection" };
        client["pause"] = new() { Name = "pause", Parent = "client", Arity = -3, Flags = Admin | NoScript | Loading | Stale, Handler = Pause, Group = g, Summary = "Stop processing commands from clients for some time", Since = "2.9.50", Acl = "@connection", History = [("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option.")] };
        client["unpause"] = new() { Name = "unpause", Parent = "client", Arity = 2, Flags = Admin | NoScript | Loading | Stale, Handler = Unpause, Group = g, Summary = "Resume processing of clients that were paused", Since = "6.2.0", Complexity = "O(N) Where N is the number of paused clients", Acl = "@connection" };
    }

    private static void Reply(CommandContext ctx)
    {
        var w = ctx.Client.Writer;
        var current = w.Output as ClientReplyOutput;
        if (ctx.ArgIs(2, "on"u8))
        {
            if (current is not null) w.Output = current.Original;
            ctx.Reply.WriteOk();
        }
        else if (ctx.ArgIs(2, "off"u8))
        {
            if (current is not { SkipOne: false }) w.Output = new ClientReplyOutput(current?.Original ?? w.Output, skipOne: false);
        }
        else if (ctx.ArgIs(2, "skip"u8))
        {
            if (current is null) w.Output = new ClientReplyOutput(w.Output, skipOne: true);
        }
        else ctx.SyntaxError();
    }

    private static void Pause(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long ms))
        {
            ctx.Error("ERR timeout is not an integer or out of range");
            return;
        }
        if (ms < 0)
        {
            ctx.Error("ERR timeout is negative");
            return;
        }
        bool all = true;
        if (ctx.ArgCount == 4)
        {
            if (ctx.ArgIs(3, "write"u8)) all = false;
            else if (!ctx.ArgIs(3, "all"u8))
            {
                ctx.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        else if (ctx.ArgCount > 4)
        {
            ctx.Error($"ERR unknown subcommand or wrong number of arguments for '{ctx.ArgString(1)}'. Try CLIENT HELP.");
            return;
        }
        ctx.Server.Introspection.Pause.Pause(ctx.Keyspace.Clock() + ms, all);
        ctx.Reply.WriteOk();
    }

    private static void Unpause(CommandContext ctx)
    {
        ctx.Server.Introspection.Pause.Unpause();
        ctx.Reply.WriteOk();
    }
}
