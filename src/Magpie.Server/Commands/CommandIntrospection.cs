using Magpie.Server.Util;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>COMMAND and its subcommands, generated from the command table.</summary>
public static class CommandIntrospection
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        var spec = new CommandSpec { Name = "command", Arity = -1, Flags = Loading | Stale, Handler = All, Group = g, Summary = "Returns detailed information about all commands.", Since = "2.8.13", Complexity = "O(N)" };
        spec.Subcommands = new Dictionary<string, CommandSpec>(StringComparer.OrdinalIgnoreCase)
        {
            ["count"] = new() { Name = "count", Parent = "command", Arity = 2, Flags = Loading | Stale, Handler = ctx => ctx.Reply.WriteInteger(ctx.Server.Commands.Count), Group = g, Summary = "Returns a count of commands.", Since = "2.8.13" },
            ["info"] = new() { Name = "info", Parent = "command", Arity = -2, Flags = Loading | Stale, Handler = Info, Group = g, Summary = "Returns information about one, multiple or all commands.", Since = "2.8.13", Complexity = "O(N)" },
            ["docs"] = new() { Name = "docs", Parent = "command", Arity = -2, Flags = Loading | Stale, Handler = Docs, Group = g, Summary = "Returns documentary information about one, multiple or all commands.", Since = "7.0.0", Complexity = "O(N)" },
            ["list"] = new() { Name = "list", Parent = "command", Arity = -2, Flags = Loading | Stale, Handler = List, Group = g, Summary = "Returns a list of command names.", Since = "7.0.0", Complexity = "O(N)" },
            ["getkeys"] = new() { Name = "getkeys", Parent = "command", Arity = -3, Flags = Loading | Stale, Handler = GetKeys, Group = g, Summary = "Extracts the key names from an arbitrary command.", Since = "2.8.13", Complexity = "O(N)" },
            ["help"] = new() { Name = "help", Parent = "command", Arity = 2, Flags = Loading | Stale, Handler = Help, Group = g, Summary = "Returns helpful text about the different subcommands.", Since = "5.0.0" },
        };
        t.Add(spec);
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
        r.WriteArrayHeader(0); // tips
        WriteKeySpecs(ctx, c);
        var subs = c.Subcommands?.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList() ?? [];
        r.WriteArrayHeader(subs.Count);
        foreach (var s in subs) WriteInfo(ctx, s);
    }

    /// <summary>
    /// Redis 7 key specs: "range" for first/last/step commands, "keynum" for numkeys commands, and
    /// both for a STORE destination followed by numkeys sources.
    /// </summary>
    private static void WriteKeySpecs(CommandContext ctx, CommandSpec c)
    {
        int count = (c.FirstKey > 0 ? 1 : 0) + (c.NumKeysIndex > 0 ? 1 : 0);
        ctx.Reply.WriteArrayHeader(count);
        if (c.FirstKey > 0)
            WriteKeySpec(ctx, c.FirstKey, "range",
                ("lastkey", c.LastKey < 0 ? c.LastKey : c.LastKey - c.FirstKey), ("keystep", c.KeyStep), ("limit", 0));
        if (c.NumKeysIndex > 0)
            WriteKeySpec(ctx, c.NumKeysIndex, "keynum", ("keynumidx", 0), ("firstkey", 1), ("keystep", 1));
    }

    private static void WriteKeySpec(CommandContext ctx, int beginIndex, string findType, params (string Name, long Value)[] spec)
    {
        var r = ctx.Reply;
        r.WriteMapHeader(3);
        r.WriteBulk("flags"); r.WriteSetHeader(0);
        r.WriteBulk("begin_search");
        r.WriteMapHeader(2);
        r.WriteBulk("type"); r.WriteBulk("index");
        r.WriteBulk("spec"); r.WriteMapHeader(1); r.WriteBulk("index"); r.WriteInteger(beginIndex);
        r.WriteBulk("find_keys");
        r.WriteMapHeader(2);
        r.WriteBulk("type"); r.WriteBulk(findType);
        r.WriteBulk("spec");
        r.WriteMapHeader(spec.Length);
        foreach (var (name, value) in spec)
        {
            r.WriteBulk(name);
            r.WriteInteger(value);
        }
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

    private static void WriteDoc(CommandContext ctx, CommandSpec c)
    {
        var r = ctx.Reply;
        var subs = c.Subcommands?.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        r.WriteMapHeader(subs is null ? 4 : 5);
        r.WriteBulk("summary"); r.WriteBulk(c.Summary);
        r.WriteBulk("since"); r.WriteBulk(c.Since);
        r.WriteBulk("group"); r.WriteBulk(c.Group);
        r.WriteBulk("complexity"); r.WriteBulk(c.Complexity);
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
