namespace Magpie.Server.Commands;

/// <summary>The "&lt;COMMAND&gt; HELP" reply: a header line, the given lines, and the HELP line, as Redis writes it.</summary>
internal static class HelpReply
{
    public static void Write(CommandContext ctx, string command, params string[] lines)
    {
        ctx.Reply.WriteArrayHeader(lines.Length + 3);
        ctx.Reply.WriteSimpleString($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (var line in lines) ctx.Reply.WriteSimpleString(line);
        ctx.Reply.WriteSimpleString("HELP");
        ctx.Reply.WriteSimpleString("    Prints this help.");
    }
}
