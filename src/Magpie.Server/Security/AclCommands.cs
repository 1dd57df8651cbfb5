using System.Security.Cryptography;
using Magpie.Protocol;
using Magpie.Server.Commands;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Security;

/// <summary>The ACL command and its subcommands, as Redis 7.0.</summary>
public static class AclCommands
{
    public static void Register(CommandTable t)
    {
        t.AddContainer("acl", "server", "A container for Access List Control commands.", None,
            Sub("setuser", -3, SetUser, Admin | NoScript | Loading | Stale, "Creates and modifies an ACL user and its rules."),
            Sub("getuser", 3, GetUser, Admin | NoScript | Loading | Stale, "Lists the ACL rules of a user."),
            Sub("deluser", -3, DelUser, Admin | NoScript | Loading | Stale, "Deletes ACL users, and terminates their connections."),
            Sub("list", 2, List, Admin | NoScript | Loading | Stale, "Dumps the effective rules in ACL file format."),
            Sub("users", 2, Users, Admin | NoScript | Loading | Stale, "Lists all ACL users."),
            Sub("whoami", 2, WhoAmI, NoScript | Loading | Stale, "Returns the authenticated username of the current connection."),
            Sub("cat", -2, Cat, NoScript | Loading | Stale, "Lists the ACL categories, or the commands inside a category."),
            Sub("genpass", -2, GenPass, NoScript | Loading | Stale, "Generates a pseudorandom, secure password that can be used to identify ACL users."),
            Sub("log", -2, Log, Admin | NoScript | Loading | Stale, "Lists recent security events generated due to ACL rules."),
            Sub("dryrun", -4, DryRun, Admin | NoScript | Loading | Stale, "Simulates the execution of a command by a user, without executing the command."),
            Sub("save", 2, Save, Admin | NoScript | Loading | Stale, "Saves the effective ACL rules in the configured ACL file."),
            Sub("load", 2, Load, Admin | NoScript | Loading | Stale, "Reloads the rules from the configured ACL file."),
            Sub("help", 2, Help, Loading | Stale, "Returns helpful text about the different subcommands."));
    }

    private static CommandSpec Sub(string name, int arity, CommandHandler handler, CommandFlags flags, string summary) =>
        new() { Name = name, Parent = "acl", Arity = arity, Flags = flags, Handler = handler, Group = "server", Summary = summary, Since = name is "dryrun" ? "7.0.0" : name is "genpass" or "log" or "help" ? "6.0.0" : "6.0.0", Complexity = "O(N)" };

    private static AclStore Acl(CommandContext ctx) => ctx.Server.Acl;

    private static void SetUser(CommandContext ctx)
    {
        var rules = new List<string>();
        for (int i = 3; i < ctx.ArgCount; i++) rules.Add(ctx.ArgString(i));
        var error = Acl(ctx).SetUser(ctx.ArgString(2), rules);
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Error("ERR " + error);
    }

    private static void GetUser(CommandContext ctx)
    {
        var user = Acl(ctx).Find(ctx.ArgString(2));
        var w = ctx.Reply;
        if (user is null)
        {
            w.WriteNull();
            return;
        }
        w.WriteMapHeader(6);
        w.WriteBulk("flags"u8);
        var flags = user.Flags().ToList();
        w.WriteArrayHeader(flags.Count);
        foreach (var f in flags) w.WriteBulk(f);
        w.WriteBulk("passwords"u8);
        w.WriteArrayHeader(user.Passwords.Count);
        foreach (var p in user.Passwords) w.WriteBulk(p);
        WriteSelectorFields(w, user.Root);
        w.WriteBulk("selectors"u8);
        w.WriteArrayHeader(user.Selectors.Count);
        foreach (var s in user.Selectors)
        {
            w.WriteMapHeader(3);
            WriteSelectorFields(w, s);
        }
    }

    private static void WriteSelectorFields(RespWriter w, AclSelector s)
    {
        w.WriteBulk("commands"u8);
        w.WriteBulk(s.DescribeCommands());
        w.WriteBulk("keys"u8);
        w.WriteBulk(s.DescribeKeys());
        w.WriteBulk("channels"u8);
        w.WriteBulk(s.DescribeChannels());
    }

    private static void DelUser(CommandContext ctx)
    {
        var names = new List<string>();
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            var name = ctx.ArgString(i);
            if (name == "default")
            {
                ctx.Error("ERR The 'default' user cannot be removed");
                return;
            }
            names.Add(name);
        }
        ctx.Reply.WriteInteger(Acl(ctx).DeleteUsers(names));
    }

    private static void List(CommandContext ctx)
    {
        var users = Acl(ctx).Users.ToList();
        ctx.Reply.WriteArrayHeader(users.Count);
        foreach (var u in users) ctx.Reply.WriteBulk(u.Describe());
    }

    private static void Users(CommandContext ctx)
    {
        var users = Acl(ctx).Users.ToList();
        ctx.Reply.WriteArrayHeader(users.Count);
        foreach (var u in users) ctx.Reply.WriteBulk(u.Name);
    }

    private static void WhoAmI(CommandContext ctx) => ctx.Reply.WriteBulk(Acl(ctx).UserOf(ctx.Client).Name);

    private static void Cat(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.WrongArity();
            return;
        }
        if (ctx.ArgCount == 2)
        {
            ctx.Reply.WriteArrayHeader(AclCategoryNames.All.Length);
            foreach (var c in AclCategoryNames.All) ctx.Reply.WriteBulk(c);
            return;
        }
        var category = ctx.ArgString(2).ToLowerInvariant();
        if (!AclCategoryNames.All.Contains(category))
        {
            ctx.Error($"ERR Unknown category '{ctx.ArgString(2)}'");
            return;
        }
        var names = new List<string>();
        foreach (var spec in ctx.Server.Commands.All)
        {
            if (AclSelector.InCategory(spec, category)) names.Add(spec.FullName);
            if (spec.Subcommands is null) continue;
            foreach (var sub in spec.Subcommands.Values)
                if (AclSelector.InCategory(sub, category)) names.Add(sub.FullName);
        }
        ctx.Reply.WriteArrayHeader(names.Count);
        foreach (var n in names) ctx.Reply.WriteBulk(n);
    }

    private static void GenPass(CommandContext ctx)
    {
        long bits = 256;
        if (ctx.ArgCount > 3)
        {
            ctx.WrongArity();
            return;
        }
        if (ctx.ArgCount == 3 && (!RedisNumbers.TryParseInt64(ctx.Arg(2), out bits) || bits <= 0 || bits > 4096))
        {
            ctx.Error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
            return;
        }
        int chars = (int)((bits + 3) / 4);
        var hex = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes((chars + 1) / 2));
        ctx.Reply.WriteBulk(hex[..chars]);
    }

    private static void Log(CommandContext ctx)
    {
        var acl = Acl(ctx);
        long count = 10;
        if (ctx.ArgCount > 3)
        {
            ctx.WrongArity();
            return;
        }
        if (ctx.ArgCount == 3)
        {
            if (ctx.ArgIs(2, "reset"u8))
            {
                acl.ResetLog();
                ctx.Reply.WriteOk();
                return;
            }
            if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out count) || count < 0)
            {
                ctx.Error("ERR value is out of range, must be positive");
                return;
            }
        }
        var entries = acl.Log.Take((int)Math.Min(count, int.MaxValue)).ToList();
        long now = ctx.Now;
        var w = ctx.Reply;
        w.WriteArrayHeader(entries.Count);
        foreach (var e in entries)
        {
            w.WriteMapHeader(10);
            w.WriteBulk("count"u8); w.WriteInteger(e.Count);
            w.WriteBulk("reason"u8); w.WriteBulk(e.Reason);
            w.WriteBulk("context"u8); w.WriteBulk(e.Context);
            w.WriteBulk("object"u8); w.WriteBulk(e.Object);
            w.WriteBulk("username"u8); w.WriteBulk(e.Username);
            w.WriteBulk("age-seconds"u8); w.WriteDouble((now - e.CreatedMs) / 1000.0);
            w.WriteBulk("client-info"u8); w.WriteBulk(e.ClientInfo);
            w.WriteBulk("entry-id"u8); w.WriteInteger(e.Id);
            w.WriteBulk("timestamp-created"u8); w.WriteInteger(e.CreatedMs);
            w.WriteBulk("timestamp-last-updated"u8); w.WriteInteger(e.LastMs);
        }
    }

    private static void DryRun(CommandContext ctx)
    {
        var user = Acl(ctx).Find(ctx.ArgString(2));
        if (user is null)
        {
            ctx.Error($"ERR User '{ctx.ArgString(2)}' not found");
            return;
        }
        // Resolve the simulated command as the dispatcher would, on a copy of its arguments.
        var args = new byte[ctx.ArgCount - 3][];
        for (int i = 0; i < args.Length; i++) args[i] = ctx.ArgBytes(i + 3);
        var request = new RespRequest();
        request.Load(args);
        var spec = ctx.Server.Commands.Find(request[0]);
        if (spec is null)
        {
            ctx.Error($"ERR Command '{request.GetString(0)}' not found");
            return;
        }
        if (spec.Subcommands is not null && request.Count >= 2 && spec.Subcommands.TryGetValue(request.GetString(1), out var sub)) spec = sub;
        if (!spec.ArityMatches(request.Count))
        {
            ctx.Error(Errors.WrongArity(spec.FullName));
            return;
        }
        var denial = AclStore.DryRun(user, spec, request);
        if (denial is null) ctx.Reply.WriteOk();
        else ctx.Reply.WriteBulk(denial);
    }

    private static void Save(CommandContext ctx)
    {
        var error = Acl(ctx).Save();
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Error(error);
    }

    private static void Load(CommandContext ctx)
    {
        var acl = Acl(ctx);
        if (acl.AclFile is null)
        {
            ctx.Error(AclStore.NoFile);
            return;
        }
        var error = acl.Load(acl.AclFile);
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Error("ERR " + error);
    }

    private static void Help(CommandContext ctx) => HelpReply.Write(ctx, "ACL",
        "CAT [<category>]", "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]", "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]", "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>", "    Get the user's details.",
        "GENPASS [<bits>]", "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST", "    Show users details in config file format.",
        "LOAD", "    Reload users from the ACL file.",
        "LOG [<count> | RESET]", "    Show the ACL log entries.",
        "SAVE", "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]", "    Create or modify a user with the specified attributes.",
        "USERS", "    List all the registered usernames.",
        "WHOAMI", "    Return the current connection username.");
}
