using System.Diagnostics;
using KeraLua;
using Magpie.Protocol;
using Magpie.Server.Commands;

namespace Magpie.Server.Scripting;

/// <summary>
/// The busy-script timeout. A script runs inline under the keyspace lock like any command. A Lua
/// count hook (every 100,000 instructions) compares its run time with busy-reply-threshold; past
/// it, <see cref="IsBusy"/> turns true. Connections waiting for the lock poll that flag (see
/// RespConnectionHandler) and, while it is set, answer their commands without the lock: -BUSY for
/// everything but SCRIPT KILL and FUNCTION KILL, which set <see cref="_killRequested"/>; the hook
/// sees it and raises Redis's "Script killed" error inside the script, which unwinds it, and the
/// lock is released. When the script started on a connection's I/O thread (inline scheduling),
/// the hook also yields the script's coroutine once it is busy, and a worker thread takes the lock
/// and finishes it, so that I/O thread can serve its other connections meanwhile. Every field read by another thread is volatile; nothing else is shared.
/// </summary>
public sealed class ScriptWatchdog
{
    public const string EvalBusyError = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    public const string FunctionBusyError = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    public const string NotBusyError = "NOTBUSY No scripts in execution right now.";
    public const string UnkillableError = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
    public const string KilledMessage = "ERR Script killed by user with SCRIPT KILL...";

    private static readonly byte[] KilledBytes = System.Text.Encoding.ASCII.GetBytes(KilledMessage);

    private volatile bool _running;
    private volatile bool _busy;
    private volatile bool _killRequested;
    private volatile bool _dirty;
    private volatile bool _isEval;
    private bool _detachable;
    private bool _detached;
    private long _startedAt;

    /// <summary>busy-reply-threshold (alias lua-time-limit) in milliseconds; 0 or less: never busy.</summary>
    public long BusyReplyThresholdMs { get; set; } = 5000;

    /// <summary>True while a script has run past the threshold: other clients get -BUSY.</summary>
    public bool IsBusy => _busy;

    public bool IsRunning => _running;

    /// <summary>
    /// Waits, without holding a thread, while a script is busy. Code that takes the keyspace lock
    /// outside a command (disconnect clean-up, the maintenance tick) calls this first, so a
    /// runaway script does not pin thread-pool threads that SCRIPT KILL's connection needs.
    /// </summary>
    public async ValueTask WaitWhileBusyAsync(CancellationToken cancellationToken = default)
    {
        while (_busy && !cancellationToken.IsCancellationRequested)
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
    }

    // What FUNCTION STATS reports while a function is busy (read only then, by other threads).
    private volatile string? _name;
    private volatile RespRequest? _request;
    private int _libraries, _functions;

    /// <summary>The script about to run: its name, the command that runs it and the library counts, for FUNCTION STATS.</summary>
    internal void Describe(string name, RespRequest request, int libraries, int functions)
    {
        _name = name;
        _request = request;
        _libraries = libraries;
        _functions = functions;
    }

    internal void Begin(bool isEval, bool detachable)
    {
        _detachable = detachable;
        _detached = false;
        _startedAt = Stopwatch.GetTimestamp();
        _killRequested = false;
        _dirty = false;
        _busy = false;
        _isEval = isEval;
        _running = true;
    }

    internal void End()
    {
        _busy = false;
        _running = false;
        _killRequested = false;
    }

    /// <summary>The running script ran a write command: SCRIPT KILL can no longer stop it.</summary>
    internal void MarkDirty() => _dirty = true;

    /// <summary>The Lua count hook. Raises the kill error in the script when a kill was asked for.</summary>
    internal void OnHook(Lua lua)
    {
        if (!_running) return;
        if (!_busy && BusyReplyThresholdMs > 0 && Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds >= BusyReplyThresholdMs)
            _busy = true;
        if (_killRequested)
        {
            _killRequested = false;
            RespToLua.PushError(lua, KilledBytes);
            lua.Error(); // unwinds the script (a longjmp); nothing managed is left in this frame
            return;
        }
        if (_busy && _detachable && !_detached && lua.IsYieldable)
        {
            // Leave the I/O thread: ScriptRunner resumes the coroutine on a worker.
            _detached = true;
            lua.Yield(0);
        }
    }

    /// <summary>SCRIPT KILL (<paramref name="eval"/>) or FUNCTION KILL: Redis's reply text, null for OK.</summary>
    public string? Kill(bool eval)
    {
        if (!_running) return NotBusyError;
        if (_dirty) return UnkillableError;
        if (eval && !_isEval) return FunctionBusyError;
        if (!eval && _isEval) return EvalBusyError;
        _killRequested = true;
        return null;
    }

    /// <summary>
    /// Answers one command while a script is busy, without the keyspace lock: only this
    /// connection's writer is touched.
    /// </summary>
    public void AnswerWhileBusy(CommandContext ctx)
    {
        var request = ctx.Request;
        bool kill = request.Count == 2 && RedisNumbers.EqualsIgnoreCase(request[1], "kill"u8);
        if (kill && RedisNumbers.EqualsIgnoreCase(request[0], "script"u8)) WriteKillReply(ctx, Kill(eval: true));
        else if (kill && RedisNumbers.EqualsIgnoreCase(request[0], "function"u8)) WriteKillReply(ctx, Kill(eval: false));
        else if (!_isEval && request.Count == 2 && RedisNumbers.EqualsIgnoreCase(request[0], "function"u8) && RedisNumbers.EqualsIgnoreCase(request[1], "stats"u8))
            WriteStats(ctx);
        else ctx.Reply.WriteError(_isEval ? EvalBusyError : FunctionBusyError);
    }

    /// <summary>FUNCTION STATS while a function is busy (functionStatsCommand with a running script).</summary>
    private void WriteStats(CommandContext ctx)
    {
        var w = ctx.Reply;
        var request = _request;
        w.WriteMapHeader(2);
        w.WriteBulk("running_script");
        w.WriteMapHeader(3);
        w.WriteBulk("name");
        w.WriteBulk(_name ?? "");
        w.WriteBulk("command");
        int count = request?.Count ?? 0;
        w.WriteArrayHeader(count);
        for (int i = 0; i < count; i++) w.WriteBulk(request![i]);
        w.WriteBulk("duration_ms");
        w.WriteInteger((long)Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds);
        w.WriteBulk("engines");
        w.WriteMapHeader(1);
        w.WriteBulk("LUA");
        w.WriteMapHeader(2);
        w.WriteBulk("libraries_count");
        w.WriteInteger(_libraries);
        w.WriteBulk("functions_count");
        w.WriteInteger(_functions);
    }

    private static void WriteKillReply(CommandContext ctx, string? error)
    {
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Reply.WriteError(error);
    }
}
