using System.Text;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Util;
using static Magpie.Server.Commands.CommandFlags;
using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Scripting;

/// <summary>FCALL, FCALL_RO and FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL/HELP, as Redis 7.0.</summary>
public static class FunctionCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "scripting";
        const string acl = "@scripting";
        string[] allSucceeded = ["request_policy:all_shards", "response_policy:all_succeeded"];
        t.Add(new() { Name = "fcall", Arity = -3, Flags = NoScript | Stale | SkipMonitor | NoMandatoryKeys | MovableKeys, NumKeysIndex = 2, Handler = FCall, Group = g, Summary = "Invoke a function", Since = "7.0.0", Complexity = "Depends on the function that is executed.", Acl = acl,
            Keys = [new(K.RW | K.Access | K.Update) { Index = 2, KeyNum = true, Notes = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE" }] });
        t.Add(new() { Name = "fcall_ro", Arity = -3, Flags = NoScript | Stale | SkipMonitor | NoMandatoryKeys | ReadOnly | MovableKeys, NumKeysIndex = 2, Handler = FCallRo, Group = g, Summary = "Invoke a read-only function", Since = "7.0.0", Complexity = "Depends on the function that is executed.", Acl = acl,
            Keys = [new(K.RO | K.Access) { Index = 2, KeyNum = true, Notes = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS" }] });
        t.Add(new CommandSpec
        {
            Name = "function", Arity = -2, Group = g, Summary = "A container for function commands", Since = "7.0.0", Complexity = "Depends on subcommand.", Acl = "",
            Subcommands = CommandSpec.Children(
                Sub("load", -3, Write | DenyOom | NoScript, Load, "Create a function with the given arguments (name, code, description)", "O(1) (considering compilation time is redundant)", allSucceeded),
                Sub("delete", 3, Write | NoScript, Delete, "Delete a function by name", "O(1)", allSucceeded),
                Sub("kill", 2, NoScript | AllowBusy, Kill, "Kill the function currently in execution.", "O(1)", ["request_policy:all_shards", "response_policy:one_succeeded"]),
                Sub("flush", -2, Write | NoScript, Flush, "Deleting all functions", "O(N) where N is the number of functions deleted", allSucceeded),
                Sub("dump", 2, NoScript, Dump, "Dump all functions into a serialized binary payload", "O(N) where N is the number of functions", null),
                Sub("list", -2, NoScript, List, "List information about all the functions", "O(N) where N is the number of functions", ["nondeterministic_output_order"]),
                Sub("restore", -3, Write | DenyOom | NoScript, Restore, "Restore all the functions on the given payload", "O(N) where N is the number of functions on the payload", allSucceeded),
                Sub("help", 2, Loading | Stale, Help, "Show helpful text about the different subcommands", "O(1)", null),
                Sub("stats", 2, NoScript | AllowBusy, Stats, "Return information about the function currently running (name, description, duration)", "O(1)", ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])),
        });
    }

    private static CommandSpec Sub(string name, int arity, CommandFlags flags, CommandHandler handler, string summary, string complexity, string[]? tips) =>
        new() { Name = name, Parent = "function", Arity = arity, Flags = flags, Handler = handler, Group = "scripting", Summary = summary, Since = "7.0.0", Complexity = complexity, Acl = "@scripting", Tips = tips };

    private static void FCall(CommandContext ctx) => FCallGeneric(ctx, readOnly: false);

    private static void FCallRo(CommandContext ctx) => FCallGeneric(ctx, readOnly: true);

    private static void FCallGeneric(CommandContext ctx, bool readOnly)
    {
        var runner = ctx.Server.Scripting;
        var function = runner.Functions.Find(ctx.ArgString(1));
        if (function is null)
        {
            ctx.Error("ERR Function not found");
            return;
        }
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long numKeys))
        {
            ctx.Error("ERR Bad number of keys provided");
            return;
        }
        if (numKeys > ctx.ArgCount - 3)
        {
            ctx.Error("ERR Number of keys can't be greater than number of args");
            return;
        }
        if (numKeys < 0)
        {
            ctx.Error("ERR Number of keys can't be negative");
            return;
        }
        runner.RunFunction(ctx, function, (int)numKeys, readOnly);
    }

    private static void SubcommandSyntaxError(CommandContext ctx) =>
        ctx.Error($"ERR unknown subcommand or wrong number of arguments for '{ctx.ArgString(1)}'. Try FUNCTION HELP.");

    private static void Load(CommandContext ctx)
    {
        bool replace = false;
        int pos = 2;
        while (pos < ctx.ArgCount - 1)
        {
            if (ctx.ArgIs(pos, "replace"u8)) { replace = true; pos++; continue; }
            ctx.Error($"ERR Unknown option given: {ctx.ArgString(pos)}");
            return;
        }
        if (pos >= ctx.ArgCount)
        {
            ctx.Error("ERR Function code is missing");
            return;
        }
        var name = ctx.Server.Scripting.Functions.Load(ctx.Arg(pos).ToArray(), replace, out var error);
        if (name is null) ctx.Error("ERR " + error);
        else ctx.Reply.WriteBulk(name);
    }

    private static void Delete(CommandContext ctx)
    {
        if (ctx.Server.Scripting.Functions.Delete(ctx.ArgString(2))) ctx.Reply.WriteOk();
        else ctx.Error("ERR Library not found");
    }

    private static void Kill(CommandContext ctx)
    {
        // Under the lock no function runs; a busy one is killed through ScriptWatchdog.AnswerWhileBusy.
        var error = ctx.Server.Scripting.Watchdog.Kill(eval: false);
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Error(error);
    }

    private static void Flush(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            SubcommandSyntaxError(ctx);
            return;
        }
        if (ctx.ArgCount == 3 && !ctx.ArgIs(2, "sync"u8) && !ctx.ArgIs(2, "async"u8))
        {
            ctx.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        ctx.Server.Scripting.Functions.Flush();
        ctx.Reply.WriteOk();
    }

    private static void Dump(CommandContext ctx) => ctx.Reply.WriteBulk(ctx.Server.Scripting.Functions.Dump());

    private static void Restore(CommandContext ctx)
    {
        if (ctx.ArgCount > 4)
        {
            SubcommandSyntaxError(ctx);
            return;
        }
        var policy = FunctionStore.RestorePolicy.Append;
        if (ctx.ArgCount == 4)
        {
            if (ctx.ArgIs(3, "append"u8)) policy = FunctionStore.RestorePolicy.Append;
            else if (ctx.ArgIs(3, "replace"u8)) policy = FunctionStore.RestorePolicy.Replace;
            else if (ctx.ArgIs(3, "flush"u8)) policy = FunctionStore.RestorePolicy.Flush;
            else
            {
                ctx.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        var error = ctx.Server.Scripting.Functions.Restore(ctx.Arg(2).ToArray(), policy);
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Error("ERR " + error);
    }

    private static void List(CommandContext ctx)
    {
        bool withCode = false;
        byte[]? pattern = null;
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (!withCode && ctx.ArgIs(i, "withcode"u8)) { withCode = true; continue; }
            if (pattern is null && ctx.ArgIs(i, "libraryname"u8))
            {
                if (i >= ctx.ArgCount - 1)
                {
                    ctx.Error("ERR library name argument was not given");
                    return;
                }
                pattern = ctx.Arg(++i).ToArray();
                continue;
            }
            ctx.Error($"ERR Unknown argument {ctx.ArgString(i)}");
            return;
        }
        var libraries = ctx.Server.Scripting.Functions.Current.Libraries.Values
            .Where(l => pattern is null || Glob.Match(pattern, Encoding.UTF8.GetBytes(l.Name), ignoreCase: true)).ToList();
        var w = ctx.Reply;
        w.WriteArrayHeader(libraries.Count);
        foreach (var library in libraries)
        {
            w.WriteMapHeader(withCode ? 4 : 3);
            w.WriteBulk("library_name");
            w.WriteBulk(library.Name);
            w.WriteBulk("engine");
            w.WriteBulk(library.Engine);
            w.WriteBulk("functions");
            w.WriteArrayHeader(library.Functions.Count);
            foreach (var f in library.Functions.Values)
            {
                w.WriteMapHeader(3);
                w.WriteBulk("name");
                w.WriteBulk(f.Name);
                w.WriteBulk("description");
                if (f.Description is null) w.WriteNull();
                else w.WriteBulk(f.Description);
                w.WriteBulk("flags");
                var names = ScriptFlagNames.All.Where(x => f.Flags.HasFlag(x.Flag)).ToList();
                w.WriteSetHeader(names.Count);
                foreach (var (flagName, _) in names) w.WriteSimpleString(flagName);
            }
            if (withCode)
            {
                w.WriteBulk("library_code");
                w.WriteBulk(library.Code);
            }
        }
    }

    private static void Stats(CommandContext ctx)
    {
        // While a script is busy this is answered by ScriptWatchdog.AnswerWhileBusy; under the lock none runs.
        var functions = ctx.Server.Scripting.Functions.Current;
        var w = ctx.Reply;
        w.WriteMapHeader(2);
        w.WriteBulk("running_script");
        w.WriteNull();
        w.WriteBulk("engines");
        w.WriteMapHeader(1);
        w.WriteBulk("LUA");
        w.WriteMapHeader(2);
        w.WriteBulk("libraries_count");
        w.WriteInteger(functions.Libraries.Count);
        w.WriteBulk("functions_count");
        w.WriteInteger(functions.Functions.Count);
    }

    private static void Help(CommandContext ctx)
    {
        string[] lines =
        [
            "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
            "HELP",
            "    Prints this help.",
        ];
        ctx.Reply.WriteArrayHeader(lines.Length);
        foreach (var line in lines) ctx.Reply.WriteSimpleString(line);
    }
}
