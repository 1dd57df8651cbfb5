using Magpie.Server.Util;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>COMMAND and its subcommands, generated from the command table.</summary>
public static class CommandIntrospection
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        t.Add(new() { Name = "command", Arity = -1, Flags = Loading | Stale, Handler = All, Subcommands = CommandSpec.Children(
            new() { Name = "count", Parent = "command", Arity = 2, Flags = Loading | Stale, Handler = ctx => ctx.Reply.WriteInteger(ctx.Server.Commands.Count), Group = g, Summary = "Get total number of Redis commands", Since = "2.8.13", Acl = "@connection" },
            new() { Name = "info", Parent = "command", Arity = -2, Flags = Loading | Stale, Handler = Info, Group = g, Summary = "Get array of specific Redis command details, or all when no argument is given.", Since = "2.8.13", Complexity = "O(N) where N is the number of commands to look up", Acl = "@connection", Tips = ["nondeterministic_output_order"], History = [("7.0.0", "Allowed to be called with no argument to get info on all commands.")] },
            new() { Name = "docs", Parent = "command", Arity = -2, Flags = Loading | Stale, Handler = Docs, Group = g, Summary = "Get array of specific Redis command documentation", Since = "7.0.0", Complexity = "O(N) where N is the number of commands to look up", Acl = "@connection", Tips = ["nondeterministic_output_order"] },
            new() { Name = "list", Parent = "command", Arity = -2, Flags = Loading | Stale, Handler = List, Group = g, Summary = "Get an array of Redis command names", Since = "7.0.0", Complexity = "O(N) where N is the total number of Redis commands", Acl = "@connection", Tips = ["nondeterministic_output_order"] },
            new() { Name = "getkeys", Parent = "command", Arity = -4, Flags = Loading | Stale, Handler = GetKeys, Group = g, Summary = "Extract keys given a full Redis command", Since = "2.8.13", Complexity = "O(N) where N is the number of arguments to the command", Acl = "@connection" },
            new() { Name = "help", Parent = "command", Arity = 2, Flags = Loading | Stale, Handler = Help, Group = g, Summary = "Show helpful text about the different subcommands", Since = "5.0.0", Acl = "@connection" }), Group = g, Summary = "Get array of Redis command details", Since = "2.8.13", Complexity = "O(N) where N is the total number of Redis commands", Acl = "@connection", Tips = ["nondeterministic_output_order"] });
    }

    // COMMAND with no subcommand lists everything; the dispatcher only resolves subcommands when one is given.
    private static void All(CommandContext ctx)
    {
        var all = ctx.Server.Commands.All.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        ctx.Reply.WriteArrayHeader(all.Count);
        foreach (var c in all) WriteInfo(ctx, c);
    }

    private static void Info(CommandContext ctx)
    {
        if (ctx.ArgCount == 2)
        {
            All(ctx);
            return;
        }
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            var spec = Find(ctx, ctx.ArgString(i));
            if (spec is null) ctx.Reply.WriteNullArray();
            else WriteInfo(ctx, spec);
        }
    }

    /// <summary>Finds "get" or "config|get".</summary>
    private static CommandSpec? Find(CommandContext ctx, string name)
    {
        var parts = name.Split('|', 2);
        var spec = ctx.Server.Commands.Find(parts[0]);
        if (spec is null || parts.Length == 1) return spec;
        return spec.Subcommands?.GetValueOrDefault(parts[1]);
    }

    private static void WriteInfo(CommandContext ctx, CommandSpec c)
    {
        var r = ctx.Reply;
        r.WriteArrayHeader(10);
        r.WriteBulk(c.FullName);
        r.WriteInteger(c.Arity);
        var flags = CommandFlagNames.Names(c.Flags).ToList();
        r.WriteSetHeader(flags.Count);
        foreach (var f in flags) r.WriteSimpleString(f);
        r.WriteInteger(c.FirstKey);
        r.WriteInteger(c.LastKey);
        r.WriteInteger(c.KeyStep);
        var categories = c.AclCategories().ToList();
        r.WriteSetHeader(categories.Count);
        foreach (var cat in categories) r.WriteSimpleString(cat);
        var tips = c.Tips ?? [];
        r.WriteArrayHeader(tips.Length);
        foreach (var tip in tips) r.WriteBulk(tip);
        WriteKeySpecs(ctx, c);
        var subs = c.Subcommands?.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList() ?? [];
        r.WriteArrayHeader(subs.Count);
        foreach (var s in subs) WriteInfo(ctx, s);
    }

    /// <summary>Redis 7.0 key specs, as addReplyCommandKeySpecs writes them.</summary>
    private static void WriteKeySpecs(CommandContext ctx, CommandSpec c)
    {
        var r = ctx.Reply;
        var specs = c.EffectiveKeySpecs;
        r.WriteArrayHeader(specs.Length);
        foreach (var k in specs)
        {
            r.WriteMapHeader(k.Notes is null ? 3 : 4);
            if (k.Notes is not null)
            {
                r.WriteBulk("notes");
                r.WriteBulk(k.Notes);
            }
            r.WriteBulk("flags");
            var flags = KeySpec.FlagNames(k.Flags).ToList();
            r.WriteSetHeader(flags.Count);
            foreach (var f in flags) r.WriteSimpleString(f);
            r.WriteBulk("begin_search");
            r.WriteMapHeader(2);
            if (k.BeginUnknown) WriteUnknown(r);
            else if (k.Keyword is not null)
            {
                r.WriteBulk("type"); r.WriteBulk("keyword");
                r.WriteBulk("spec"); r.WriteMapHeader(2);
                r.WriteBulk("keyword"); r.WriteBulk(k.Keyword);
                r.WriteBulk("startfrom"); r.WriteInteger(k.StartFrom);
            }
            else
            {
                r.WriteBulk("type"); r.WriteBulk("index");
                r.WriteBulk("spec"); r.WriteMapHeader(1);
                r.WriteBulk("index"); r.WriteInteger(k.Index);
            }
            r.WriteBulk("find_keys");
            r.WriteMapHeader(2);
            if (k.FindUnknown) WriteUnknown(r);
            else if (k.KeyNum)
            {
                r.WriteBulk("type"); r.WriteBulk("keynum");
                r.WriteBulk("spec"); r.WriteMapHeader(3);
                r.WriteBulk("keynumidx"); r.WriteInteger(k.KeyNumIdx);
                r.WriteBulk("firstkey"); r.WriteInteger(k.FirstKey);
                r.WriteBulk("keystep"); r.WriteInteger(k.KeyStep);
            }
            else
            {
                r.WriteBulk("type"); r.WriteBulk("range");
                r.WriteBulk("spec"); r.WriteMapHeader(3);
                r.WriteBulk("lastkey"); r.WriteInteger(k.LastKey);
                r.WriteBulk("keystep"); r.WriteInteger(k.KeyStep);
                r.WriteBulk("limit"); r.WriteInteger(k.Limit);
            }
        }
    }

    private static void WriteUnknown(Magpie.Protocol.RespWriter r)
    {
        r.WriteBulk("type"); r.WriteBulk("unknown");
        r.WriteBulk("spec"); r.WriteMapHeader(0);
    }

    private static void Docs(CommandContext ctx)
    {
        var specs = ctx.ArgCount == 2
            ? ctx.Server.Commands.All.OrderBy(c => c.Name, StringComparer.Ordinal).ToList()
            : Enumerable.Range(2, ctx.ArgCount - 2).Select(i => Find(ctx, ctx.ArgString(i))).OfType<CommandSpec>().ToList();
        ctx.Reply.WriteMapHeader(specs.Count);
        foreach (var c in specs)
        {
            ctx.Reply.WriteBulk(c.FullName);
            WriteDoc(ctx, c);
        }
    }

    /// <summary>One command's docs, in the order of Redis 7.0's addReplyCommandDocs.</summary>
    private static void WriteDoc(CommandContext ctx, CommandSpec c)
    {
        var r = ctx.Reply;
        var subs = c.Subcommands?.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        int fields = (c.Complexity.Length > 0 ? 4 : 3) + (subs is null ? 0 : 1) + (c.DocFlags is null ? 0 : 1) + (c.DeprecatedSince is null ? 0 : 1)
            + (c.ReplacedBy is null ? 0 : 1) + (c.History is null ? 0 : 1);
        r.WriteMapHeader(fields);
        r.WriteBulk("summary"); r.WriteBulk(c.Summary);
        r.WriteBulk("since"); r.WriteBulk(c.Since);
        r.WriteBulk("group"); r.WriteBulk(c.Group);
        // Internal commands (PSYNC, SYNC) have no complexity in Redis's docs: the field is left out.
        if (c.Complexity.Length > 0) { r.WriteBulk("complexity"); r.WriteBulk(c.Complexity); }
        if (c.DocFlags is not null)
        {
            r.WriteBulk("doc_flags");
            r.WriteSetHeader(c.DocFlags.Length);
            foreach (var f in c.DocFlags) r.WriteSimpleString(f);
        }
        if (c.DeprecatedSince is not null) { r.WriteBulk("deprecated_since"); r.WriteBulk(c.DeprecatedSince); }
        if (c.ReplacedBy is not null) { r.WriteBulk("replaced_by"); r.WriteBulk(c.ReplacedBy); }
        if (c.History is not null)
        {
            r.WriteBulk("history");
            r.WriteArrayHeader(c.History.Length);
            foreach (var (version, change) in c.History)
            {
                r.WriteArrayHeader(2);
                r.WriteBulk(version);
                r.WriteBulk(change);
            }
        }
        if (subs is null) return;
        r.WriteBulk("subcommands");
        r.WriteMapHeader(subs.Count);
        foreach (var s in subs)
        {
            r.WriteBulk(s.FullName);
            WriteDoc(ctx, s);
        }
    }

    private static void List(CommandContext ctx)
    {
        IEnumerable<CommandSpec> specs = ctx.Server.Commands.All;
        if (ctx.ArgCount != 2)
        {
            if (ctx.ArgCount != 5 || !ctx.ArgIs(2, "filterby"u8))
            {
                ctx.SyntaxError();
                return;
            }
            var value = ctx.ArgString(4);
            if (ctx.ArgIs(3, "module"u8)) specs = [];
            else if (ctx.ArgIs(3, "aclcat"u8)) specs = specs.Where(s => s.AclCategories().Contains("@" + value.ToLowerInvariant()));
            else if (ctx.ArgIs(3, "pattern"u8)) specs = specs.Where(s => Glob.Match(value, s.Name));
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        var names = specs.Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
        ctx.Reply.WriteArrayHeader(names.Count);
        foreach (var n in names) ctx.Reply.WriteBulk(n);
    }

    private static void GetKeys(CommandContext ctx)
    {
        var spec = ctx.Server.Commands.Find(ctx.Arg(2));
        if (spec is null)
        {
            ctx.Error("ERR Invalid command specified");
            return;
        }
        int argc = ctx.ArgCount - 2;
        if (spec.Subcommands is not null && argc >= 2)
            spec = spec.Subcommands.GetValueOrDefault(ctx.ArgString(3)) ?? spec;
        if (!spec.ArityMatches(argc))
        {
            ctx.Error("ERR Invalid number of arguments specified for command");
            return;
        }
        var positions = spec.KeyPositions(argc, i => ctx.ArgString(i + 2)).ToList();
        if (positions.Count == 0)
        {
            ctx.Error("ERR The command has no key arguments");
            return;
        }
        ctx.Reply.WriteArrayHeader(positions.Count);
        foreach (var p in positions) ctx.Reply.WriteBulk(ctx.Arg(p + 2));
    }

    private static void Help(CommandContext ctx) => HelpReply.Write(ctx, "COMMAND",
        "(no subcommand)", "    Return details about all Redis commands.",
        "COUNT", "    Return the total number of commands in this Redis server.",
        "LIST", "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
        "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
        "GETKEYS <full-command>", "    Return the keys from a full Redis command.");
}
