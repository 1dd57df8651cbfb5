using System.Buffers;
using System.Text;
using KeraLua;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Server.Scripting;

/// <summary>
/// Runs scripts for one node: the EVAL engine and script cache, the function libraries, the
/// busy-script watchdog, and the script client redis.call runs commands as.
///
/// redis.call goes through the one command table and <see cref="CommandDispatcher.Run"/>, as a
/// command of a client without a connection whose <see cref="RespWriter"/> writes into a reusable
/// buffer; the reply is then read back from that buffer into Lua (what Redis itself does with its
/// fake Lua client). Every handler stays as it is, RESP2/RESP3 differences come for free from the
/// writer's version (the script's redis.setresp), and the only cost is one pass over the reply bytes.
/// Write commands run by a script go through Run like any other, so whatever propagates writes
/// (AOF, replicas) sees each of them, not the EVAL: Redis 7's effects replication.
/// </summary>
public sealed class ScriptRunner : IDisposable
{
    private readonly ServerState _server;
    private readonly RedisLuaApi _api;
    private ArrayBufferWriter<byte> _replyBuffer = new(4096);
    private readonly CommandContext _inner;
    private LuaEngine? _evalEngine;
    private LuaEngine? _functionEngine;

    // The running script (scripts don't nest: EVAL and FCALL are noscript).
    private bool _running;
    private bool _readOnly;
    private bool _resp3;

    public ScriptRunner(ServerState server, ILogger? logger = null)
    {
        _server = server;
        _api = new RedisLuaApi(this, logger ?? NullLogger.Instance);
        var session = new ClientSession(-1, null, new RespWriter(_replyBuffer), server.Keyspace.Clock()) { Name = "lua" };
        // As in MULTI, blocking commands called from a script answer at once instead of blocking.
        session.Transaction.InMulti = true;
        _inner = new CommandContext(server, session, new RespRequest());
        Functions = new FunctionStore(this);
        RegisterConfig(server);
    }

    public ScriptCache Cache { get; } = new();

    public ScriptWatchdog Watchdog { get; } = new();

    /// <summary>The function libraries (FUNCTION, FCALL).</summary>
    public FunctionStore Functions { get; }


    internal bool IsRunning => _running;

    internal LuaEngine EvalEngine => _evalEngine ??= new LuaEngine(_api, Watchdog);

    internal LuaEngine FunctionEngine => _functionEngine ??= new LuaEngine(_api, Watchdog, Functions.RegisterFunctionEntry);

    /// <summary>FCALL and FCALL_RO: the function gets KEYS and ARGV as its two arguments.</summary>
    internal void RunFunction(CommandContext ctx, FunctionInfo function, int numKeys, bool readOnlyCommand)
    {
        if (!CheckFlags(ctx, function.Flags, readOnlyCommand)) return;
        var request = ctx.Request;
        Func<Lua, int> pushArgs = lua =>
        {
            PushArray(lua, request, 3, numKeys);
            PushArray(lua, request, 3 + numKeys, request.Count - 3 - numKeys);
            return 2;
        };
        Execute(ctx, FunctionEngine, function.Reference, pushArgs, function.Name,
            readOnlyCommand || function.Flags.HasFlag(ScriptFlags.NoWrites), isEval: false);
    }

    private static void PushArray(Lua lua, RespRequest request, int first, int count)
    {
        lua.CreateTable(count, 0);
        for (int i = 0; i < count; i++)
        {
            NativeLua.Push(lua.Handle, request[first + i]);
            lua.RawSetInteger(-2, i + 1);
        }
    }

    private void RegisterConfig(ServerState server)
    {
        Func<string> get = () => Watchdog.BusyReplyThresholdMs.ToString();
        Func<string, string?> set = v =>
        {
            if (!long.TryParse(v, out long ms) || ms < 0) return "argument must be between 0 and 9223372036854775807 inclusive";
            Watchdog.BusyReplyThresholdMs = ms;
            return null;
        };
        server.Config.Add("busy-reply-threshold", get, set);
        server.Config.Add("lua-time-limit", get, set);
    }

    /// <summary>SCRIPT FLUSH: forget every script and start a fresh Lua state, as Redis does.</summary>
    public void FlushScripts()
    {
        Cache.Clear();
        _evalEngine?.Dispose();
        _evalEngine = null;
    }

    /// <summary>FUNCTION FLUSH / RESTORE: a fresh functions Lua state.</summary>
    internal void ResetFunctionEngine()
    {
        _functionEngine?.Dispose();
        _functionEngine = null;
    }

    /// <summary>Compiles and caches an EVAL body (EVAL and SCRIPT LOAD); null with Redis's error text on failure.</summary>
    public CachedScript? Load(ReadOnlySpan<byte> body, out string? error)
    {
        var sha = ScriptCache.Sha1Hex(body);
        var cached = Cache.Find(Encoding.ASCII.GetBytes(sha));
        if (cached is not null)
        {
            error = null;
            return cached;
        }
        error = ScriptFlagNames.ParseShebang(body, out var flags);
        if (error is not null) return null;
        var source = body.ToArray();
        // The shebang line stays, as a comment, so line numbers match Redis's.
        if (!flags.HasFlag(ScriptFlags.EvalCompat)) { source[0] = (byte)'-'; source[1] = (byte)'-'; }
        int? reference = EvalEngine.Compile(source, "@user_script", out var compileError);
        if (reference is null)
        {
            error = "ERR Error compiling script (new function): " + compileError;
            return null;
        }
        var script = new CachedScript { Sha = sha, Body = body.ToArray(), Flags = flags, FunctionRef = reference.Value };
        Cache.Add(script);
        return script;
    }

    /// <summary>Runs an EVAL script: KEYS and ARGV come from the request after numkeys (at index 2).</summary>
    public void RunEval(CommandContext ctx, CachedScript script, int numKeys, bool readOnlyCommand)
    {
        if (!CheckFlags(ctx, script.Flags, readOnlyCommand)) return;
        var engine = EvalEngine;
        engine.SetGlobalArray("KEYS", ctx.Request, 3, numKeys);
        engine.SetGlobalArray("ARGV", ctx.Request, 3 + numKeys, ctx.ArgCount - 3 - numKeys);
        Execute(ctx, engine, script.FunctionRef, null, script.Sha, readOnlyCommand || script.Flags.HasFlag(ScriptFlags.NoWrites), isEval: true);
    }

    /// <summary>Redis's checks of a script's flags before it runs (scriptPrepareForRun).</summary>
    internal bool CheckFlags(CommandContext ctx, ScriptFlags flags, bool readOnlyCommand)
    {
        if (flags.HasFlag(ScriptFlags.EvalCompat)) return true;
        bool noWrites = flags.HasFlag(ScriptFlags.NoWrites);
        if (flags.HasFlag(ScriptFlags.NoCluster) && _server.ClusterMode is not null)
        {
            ctx.Error("ERR Can not run script on cluster, 'no-cluster' flag is set.");
            return false;
        }
        if (readOnlyCommand && !noWrites)
        {
            ctx.Error("ERR Can not execute a script with write flag using *_ro command.");
            return false;
        }
        var keyspace = _server.Keyspace;
        if (!noWrites && !flags.HasFlag(ScriptFlags.AllowOom) && keyspace.MaxMemory > 0 && !keyspace.TryFreeMemory())
        {
            ctx.Error(Errors.Oom);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Calls a compiled function as <paramref name="ctx"/>'s command and writes its result or error
    /// as the reply. <paramref name="pushArgs"/> pushes the function's arguments (FCALL) and
    /// returns how many. Runs inline; a script that goes busy on a connection is handed off to a
    /// worker thread and the connection waits for it like a blocked command (BlockUntil).
    /// </summary>
    internal void Execute(CommandContext ctx, LuaEngine engine, int functionRef, Func<Lua, int>? pushArgs, string name, bool readOnly, bool isEval)
    {
        var thread = engine.PrepareThread();
        engine.PushCall(thread, functionRef);
        int args = 1 + (pushArgs?.Invoke(thread) ?? 0);
        _running = true;
        _readOnly = readOnly;
        _resp3 = false;
        _inner.Client.Database = ctx.Client.Database;
        _inner.Client.Protocol = RespVersion.Resp2;
        bool detachable = ctx.Client.HasConnection && !ctx.Client.Transaction.InMulti && _server.Blocking.CommandDepth <= 1;
        Watchdog.Describe(name, ctx.Request, Functions.Current.Libraries.Count, Functions.Current.Functions.Count);
        Watchdog.Begin(isEval, detachable);
        LuaStatus status;
        try
        {
            status = engine.Resume(thread, args);
        }
        catch
        {
            Watchdog.End();
            _running = false;
            throw;
        }
        if (status == LuaStatus.Yield)
        {
            ctx.BlockUntil = Task.Factory.StartNew(() => FinishDetached(ctx, engine, thread, name),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return;
        }
        Finish(ctx, thread, status, name);
    }

    private void Finish(CommandContext ctx, Lua thread, LuaStatus status, string name)
    {
        Watchdog.End();
        _running = false;
        if (status == LuaStatus.OK && thread.GetTop() >= 2)
        {
            if (thread.ToBoolean(1)) LuaToResp.Write(thread, ctx.Reply, _resp3);
            else ctx.Error(LuaEngine.TakeErrorMessage(thread, name));
        }
        else
        {
            // An error the handler could not catch (out of memory, C stack overflow).
            ctx.Error($"ERR Error running script (call to {name}): {thread.ToString(-1)}");
        }
        thread.SetTop(0);
    }

    /// <summary>The rest of a busy script, on a worker thread, under the keyspace lock.</summary>
    private void FinishDetached(CommandContext ctx, LuaEngine engine, Lua thread, string name)
    {
        lock (_server.Keyspace.Sync)
        {
            // Like a top-level command: blocked clients are served when the script ends, not in between.
            _server.Blocking.CommandDepth++;
            try
            {
                LuaStatus status;
                try
                {
                    status = engine.Resume(thread, 0);
                }
                catch (Exception ex)
                {
                    Watchdog.End();
                    _running = false;
                    lock (ctx.Client.OutputLock) ctx.Error("ERR internal error running script: " + ex.Message);
                    return;
                }
                lock (ctx.Client.OutputLock) Finish(ctx, thread, status, name);
            }
            finally
            {
                if (--_server.Blocking.CommandDepth == 0) _server.Blocking.ServeReadyKeys();
            }
        }
    }

    internal void SetScriptResp(int resp)
    {
        _resp3 = resp == 3;
        _inner.Client.Protocol = _resp3 ? RespVersion.Resp3 : RespVersion.Resp2;
    }

    /// <summary>redis.set_repl: accepted and checked; effects replication has no per-script switch yet.</summary>
    internal void SetReplication(int flags) => ReplicationFlags = flags;

    internal int ReplicationFlags { get; private set; } = 3;

    internal CommandSpec? FindCommand(ReadOnlySpan<byte> name) => _server.Commands.Find(name);

    /// <summary>
    /// redis.call/pcall: the arguments are on the Lua stack. Runs the command and pushes its reply;
    /// returns an error text instead ("-CODE msg", or a bare message that gets "ERR ") when the
    /// command could not run at all.
    /// </summary>
    internal string? CallFromScript(Lua lua, out bool replyIsError)
    {
        replyIsError = false;
        if (!_running) return "redis.call/pcall can only be called inside a script invocation";
        int argc = lua.GetTop();
        if (argc == 0) return "Please specify at least one argument for this redis lib call";
        var request = _inner.Request;
        request.Clear();
        Span<byte> number = stackalloc byte[40];
        bool badArgument = false;
        for (int i = 1; i <= argc; i++)
        {
            var type = lua.Type(i);
            if (type == LuaType.Number) request.Append(number[..LuaNumbers.FormatG17(lua.ToNumber(i), number)]);
            else if (type == LuaType.String) request.Append(NativeLua.ToSpan(lua.Handle, i));
            else { badArgument = true; break; }
        }
        lua.SetTop(0);
        if (badArgument) return "Lua redis lib command arguments must be strings or integers";

        var spec = _server.Commands.Find(request[0]);
        if (spec?.Subcommands is not null && !(request.Count == 1 && spec.Handler is not null))
        {
            if (request.Count < 2) return "Wrong number of args calling Redis command from script";
            spec = spec.Subcommands.TryGetValue(Encoding.UTF8.GetString(request[1]), out var sub) ? sub : null;
        }
        if (spec is null) return "Unknown Redis command called from script";
        if (!spec.ArityMatches(request.Count)) return "Wrong number of args calling Redis command from script";
        if (spec.HasFlag(CommandFlags.NoScript)) return "This Redis command is not allowed from script";
        if (spec.HasFlag(CommandFlags.Write))
        {
            if (_readOnly) return "Write commands are not allowed from read-only scripts.";
            Watchdog.MarkDirty();
        }
        _replyBuffer.ResetWrittenCount();
        _server.Dispatcher.Run(_inner, spec);
        replyIsError = RespToLua.Push(lua, _replyBuffer.WrittenSpan);
        if (_replyBuffer.Capacity > 1 << 20)
        {
            // One huge reply must not pin its buffer for the node's lifetime.
            _replyBuffer = new ArrayBufferWriter<byte>(4096);
            _inner.Client.Writer.Output = _replyBuffer;
        }
        return null;
    }

    public void Dispose()
    {
        _evalEngine?.Dispose();
        _functionEngine?.Dispose();
    }
}
