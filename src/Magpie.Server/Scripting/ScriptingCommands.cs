using Magpie.Protocol;
using Magpie.Server.Commands;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Scripting;

/// <summary>EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP.</summary>
public static class ScriptingCommands
{
    public const string NoScriptError = "NOSCRIPT No matching script. Please use EVAL.";

    public static void Register(CommandTable t)
    {
        const string g = "scripting";
        t.Add(new() { Name = "eval", Arity = -3, Flags = NoScript | Stale | SkipMonitor | NoMandatoryKeys | MovableKeys, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = Eval, Group = "scripting", Summary = "Execute a Lua script server side", Since = "2.6.0", Complexity = "Depends on the script that is executed.", Acl = "@slow @scripting", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update) { Index = 2, KeyNum = true, Notes = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE" }] });
        t.Add(new() { Name = "evalsha", Arity = -3, Flags = NoScript | Stale | SkipMonitor | NoMandatoryKeys | MovableKeys, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = EvalSha, Group = "scripting", Summary = "Execute a Lua script server side", Since = "2.6.0", Complexity = "Depends on the script that is executed.", Acl = "@slow @scripting", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update) { Index = 2, KeyNum = true }] });
        t.Add(new() { Name = "eval_ro", Arity = -3, Flags = ReadOnly | NoScript | Stale | SkipMonitor | NoMandatoryKeys | MovableKeys, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = EvalRo, Group = "scripting", Summary = "Execute a read-only Lua script server side", Since = "7.0.0", Complexity = "Depends on the script that is executed.", Acl = "@slow @scripting", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 2, KeyNum = true, Notes = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS" }] });
        t.Add(new() { Name = "evalsha_ro", Arity = -3, Flags = ReadOnly | NoScript | Stale | SkipMonitor | NoMandatoryKeys | MovableKeys, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = EvalShaRo, Group = "scripting", Summary = "Execute a read-only Lua script server side", Since = "7.0.0", Complexity = "Depends on the script that is executed.", Acl = "@slow @scripting", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 2, KeyNum = true }] });
        t.AddContainer("script", g, "A container for Lua scripts management commands.", None,
            new CommandSpec { Name = "load", Parent = "script", Arity = 3, Flags = NoScript | Stale, Handler = ScriptLoad, Group = g, Summary = "Loads a server-side Lua script to the script cache.", Since = "2.6.0", Complexity = "O(N) with N being the length in bytes of the script body." },
            new CommandSpec { Name = "exists", Parent = "script", Arity = -3, Flags = NoScript, Handler = ScriptExists, Group = g, Summary = "Determines whether server-side Lua scripts exist in the script cache.", Since = "2.6.0", Complexity = "O(N) with N being the number of scripts to check." },
            new CommandSpec { Name = "flush", Parent = "script", Arity = -2, Flags = NoScript, Handler = ScriptFlush, Group = g, Summary = "Removes all server-side Lua scripts from the script cache.", Since = "2.6.0", Complexity = "O(N) with N being the number of scripts in cache" },
            new CommandSpec { Name = "kill", Parent = "script", Arity = 2, Flags = NoScript, Handler = ScriptKill, Group = g, Summary = "Terminates a server-side Lua script during execution.", Since = "2.6.0" },
            new CommandSpec { Name = "help", Parent = "script", Arity = 2, Flags = Loading | Stale, Handler = ScriptHelp, Group = g, Summary = "Returns helpful text about the different subcommands.", Since = "5.0.0" });
    }

    private static void Eval(CommandContext ctx) => EvalBody(ctx, readOnly: false);

    private static void EvalRo(CommandContext ctx) => EvalBody(ctx, readOnly: true);

    private static void EvalSha(CommandContext ctx) => EvalBySha(ctx, readOnly: false);

    private static void EvalShaRo(CommandContext ctx) => EvalBySha(ctx, readOnly: true);

    /// <summary>numkeys at index 2, checked as Redis does; -1 after writing the error.</summary>
    internal static int NumKeys(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long numKeys))
        {
            ctx.Error(Errors.NotInteger);
            return -1;
        }
        if (numKeys > ctx.ArgCount - 3)
        {
            ctx.Error("ERR Number of keys can't be greater than number of args");
            return -1;
        }
        if (numKeys < 0)
        {
            ctx.Error("ERR Number of keys can't be negative");
            return -1;
        }
        return (int)numKeys;
    }

    private static void EvalBody(CommandContext ctx, bool readOnly)
    {
        int numKeys = NumKeys(ctx);
        if (numKeys < 0) return;
        var runner = ctx.Server.Scripting;
        var script = runner.Load(ctx.Arg(1), out var error);
        if (script is null)
        {
            ctx.Error(error!);
            return;
        }
        runner.RunEval(ctx, script, numKeys, readOnly);
    }

    private static void EvalBySha(CommandContext ctx, bool readOnly)
    {
        int numKeys = NumKeys(ctx);
        if (numKeys < 0) return;
        var runner = ctx.Server.Scripting;
        var script = runner.Cache.Find(ctx.Arg(1));
        if (script is null)
        {
            ctx.Error(NoScriptError);
            return;
        }
        runner.RunEval(ctx, script, numKeys, readOnly);
    }

    private static void ScriptLoad(CommandContext ctx)
    {
        var script = ctx.Server.Scripting.Load(ctx.Arg(2), out var error);
        if (script is null) ctx.Error(error!);
        else ctx.Reply.WriteBulk(script.Sha);
    }

    private static void ScriptExists(CommandContext ctx)
    {
        var cache = ctx.Server.Scripting.Cache;
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++) ctx.Reply.WriteInteger(cache.Find(ctx.Arg(i)) is null ? 0 : 1);
    }

    private static void ScriptFlush(CommandContext ctx)
    {
        if (ctx.ArgCount > 3 || (ctx.ArgCount == 3 && !ctx.ArgIs(2, "sync"u8) && !ctx.ArgIs(2, "async"u8)))
        {
            ctx.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        ctx.Server.Scripting.FlushScripts();
        ctx.Reply.WriteOk();
    }

    private static void ScriptKill(CommandContext ctx)
    {
        // Under the lock no script is running; while one is busy, the connection loop answers
        // SCRIPT KILL through ScriptWatchdog.AnswerWhileBusy instead.
        var error = ctx.Server.Scripting.Watchdog.Kill(eval: true);
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Error(error);
    }

    private static void ScriptHelp(CommandContext ctx)
    {
        string[] lines =
        [
            "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
            "HELP",
            "    Prints this help.",
        ];
        ctx.Reply.WriteArrayHeader(lines.Length);
        foreach (var line in lines) ctx.Reply.WriteSimpleString(line);
    }
}
