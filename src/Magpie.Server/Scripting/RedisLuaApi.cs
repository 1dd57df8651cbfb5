using System.Text;
using KeraLua;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Scripting;

/// <summary>
/// The <c>redis</c> table scripts see: call, pcall, error_reply, status_reply, sha1hex, log,
/// setresp, set_repl, replicate_commands, breakpoint, debug, acl_check_cmd and the LOG_*/REPL_*
/// constants. Each C function catches its own exceptions and raises Lua errors only as its last
/// act, so a Lua error (a longjmp) never unwinds through managed code that still has work to do.
/// </summary>
internal sealed class RedisLuaApi(ScriptRunner runner, ILogger logger)
{
    public const string Version = "7.0.15";
    public const int VersionNum = 0x0007000f;

    public void Register(Lua lua, List<LuaFunction> keepAlive)
    {
        lua.NewTable();
        Add(lua, keepAlive, "call", p => Call(p, raise: true));
        Add(lua, keepAlive, "pcall", p => Call(p, raise: false));
        Add(lua, keepAlive, "error_reply", ErrorReply);
        Add(lua, keepAlive, "status_reply", StatusReply);
        Add(lua, keepAlive, "sha1hex", Sha1Hex);
        Add(lua, keepAlive, "log", Log);
        Add(lua, keepAlive, "setresp", SetResp);
        Add(lua, keepAlive, "set_repl", SetRepl);
        Add(lua, keepAlive, "replicate_commands", p => { Lua.FromIntPtr(p).PushBoolean(true); return 1; });
        Add(lua, keepAlive, "breakpoint", p => { Lua.FromIntPtr(p).PushBoolean(false); return 1; });
        Add(lua, keepAlive, "debug", _ => 0);
        Add(lua, keepAlive, "acl_check_cmd", AclCheckCommand);
        SetNumber(lua, "LOG_DEBUG", 0);
        SetNumber(lua, "LOG_VERBOSE", 1);
        SetNumber(lua, "LOG_NOTICE", 2);
        SetNumber(lua, "LOG_WARNING", 3);
        SetNumber(lua, "REPL_NONE", 0);
        SetNumber(lua, "REPL_AOF", 1);
        SetNumber(lua, "REPL_SLAVE", 2);
        SetNumber(lua, "REPL_REPLICA", 2);
        SetNumber(lua, "REPL_ALL", 3);
        SetNumber(lua, "REDIS_VERSION_NUM", VersionNum);
        lua.PushString(Version);
        lua.SetField(-2, "REDIS_VERSION");
        lua.SetGlobal("redis");
    }

    private static void Add(Lua lua, List<LuaFunction> keepAlive, string name, LuaFunction function)
    {
        keepAlive.Add(function);
        lua.PushCFunction(function);
        lua.SetField(-2, name);
    }

    private static void SetNumber(Lua lua, string name, long value)
    {
        lua.PushInteger(value);
        lua.SetField(-2, name);
    }

    /// <summary>Pushes an {err=...} table from a message with or without its "-CODE" prefix.</summary>
    private static void PushError(Lua lua, string message)
    {
        if (message.StartsWith('-')) message = message[1..];
        else message = "ERR " + message;
        RespToLua.PushError(lua, Encoding.UTF8.GetBytes(message));
    }

    private int Call(IntPtr state, bool raise)
    {
        var lua = Lua.FromIntPtr(state);
        string? error = null;
        bool replyIsError = false;
        try
        {
            error = runner.CallFromScript(lua, out replyIsError);
        }
        catch (Exception ex)
        {
            error = "-ERR internal error in redis.call: " + ex.Message;
        }
        if (error is not null)
        {
            PushError(lua, error);
            return raise ? lua.Error() : 1;
        }
        return raise && replyIsError ? lua.Error() : 1;
    }

    private static int ErrorReply(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        if (lua.GetTop() != 1 || lua.Type(-1) != LuaType.String)
        {
            PushError(lua, "wrong number or type of arguments");
            return 1;
        }
        var text = Encoding.UTF8.GetString(NativeLua.ToSpan(state, -1));
        PushError(lua, text.StartsWith('-') ? text : "-" + text);
        return 1;
    }

    private static int StatusReply(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        if (lua.GetTop() != 1 || lua.Type(-1) != LuaType.String)
        {
            PushError(lua, "wrong number or type of arguments");
            return 1;
        }
        lua.NewTable();
        lua.PushString("ok");
        lua.PushCopy(-3);
        lua.SetTable(-3);
        return 1;
    }

    private static int Sha1Hex(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        if (lua.GetTop() != 1)
        {
            PushError(lua, "wrong number of arguments");
            return lua.Error();
        }
        var sha = ScriptCache.Sha1Hex(NativeLua.ToSpan(state, 1));
        lua.PushString(sha);
        return 1;
    }

    private int Log(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        int argc = lua.GetTop();
        string? error = null;
        if (argc < 2) error = "redis.log() requires two arguments or more.";
        else if (!lua.IsNumber(1)) error = "First argument must be a number (log level).";
        else
        {
            long level = (long)lua.ToNumber(1);
            if (level < 0 || level > 3) error = "Invalid debug level.";
            else
            {
                var sb = new StringBuilder();
                for (int i = 2; i <= argc; i++)
                {
                    if (!lua.IsString(i)) continue;
                    if (sb.Length > 0) sb.Append(' ');
                    sb.Append(Encoding.UTF8.GetString(NativeLua.ToSpan(state, i)));
                }
                var logLevel = level switch { 0 => LogLevel.Debug, 1 => LogLevel.Debug, 2 => LogLevel.Information, _ => LogLevel.Warning };
                try
                {
                    logger.Log(logLevel, "{ScriptLog}", sb.ToString());
                }
                catch (Exception)
                {
                    // A failing logger must not fail the script.
                }
            }
        }
        if (error is null) return 0;
        PushError(lua, error);
        return lua.Error();
    }

    private int SetResp(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        string? error = null;
        if (!runner.IsRunning) error = "redis.setresp can only be called inside a script invocation";
        else if (lua.GetTop() != 1) error = "redis.setresp() requires one argument.";
        else
        {
            long resp = (long)lua.ToNumber(1);
            if (resp != 2 && resp != 3) error = "RESP version must be 2 or 3.";
            else runner.SetScriptResp((int)resp);
        }
        if (error is null) return 0;
        PushError(lua, error);
        return lua.Error();
    }

    private int SetRepl(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        string? error = null;
        if (!runner.IsRunning) error = "redis.set_repl can only be called inside a script invocation";
        else if (lua.GetTop() != 1) error = "redis.set_repl() requires two arguments.";
        else
        {
            long flags = (long)lua.ToNumber(1);
            if ((flags & ~3L) != 0) error = "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
            else runner.SetReplication((int)flags);
        }
        if (error is null) return 0;
        PushError(lua, error);
        return lua.Error();
    }

    private int AclCheckCommand(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        string? error = null;
        if (!runner.IsRunning) error = "redis.acl_check_cmd can only be called inside a script invocation";
        else if (lua.GetTop() == 0) error = "Please specify at least one argument for this redis lib call";
        else if (runner.FindCommand(NativeLua.ToSpan(state, 1)) is null) error = "Invalid command passed to redis.acl_check_cmd()";
        if (error is null)
        {
            // No ACL users yet: the default user may run every command.
            lua.PushBoolean(true);
            return 1;
        }
        PushError(lua, error);
        return lua.Error();
    }
}
