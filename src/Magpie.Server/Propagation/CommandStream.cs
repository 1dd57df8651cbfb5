using Magpie.Server.Commands;
using Magpie.Server.Hosting;
using Magpie.Server.Persistence;
using Magpie.Storage;

namespace Magpie.Server.Propagation;

/// <summary>
/// The node's write stream, Redis's propagate(): the one producer that turns every successful
/// write into the commands that reproduce it, and hands the RESP bytes to every
/// <see cref="ICommandStreamSink"/> (the append-only file, the replication backlog).
/// </summary>
/// <remarks>
/// <para>Commands are rewritten as Redis 7.0 propagates them (<see cref="PropagationRewrites"/>):
/// relative expiry becomes absolute, random and blocking effects become what they did, expired and
/// evicted keys become DEL. Everything one top-level command propagates (a MULTI/EXEC's queued
/// writes, a script's redis.call writes, lazily expired keys) is collected and, when it is more
/// than one command, wrapped in MULTI/EXEC, as propagatePendingCommands does. A SELECT precedes a
/// command whenever its database differs from the last one sent; <see cref="ForceSelect"/> (and
/// <see cref="AddSink"/>) make the next command send one, for a sink that starts later.</para>
/// <para>With no sink, every entry point returns at once: the hot path pays one array-length check.</para>
/// </remarks>
public sealed class CommandStream : ICommandPropagator, IKeyRemovalListener, IKeyspaceObserver
{
    private static readonly byte[] s_multi = "*1\r\n$5\r\nMULTI\r\n"u8.ToArray();
    private static readonly byte[] s_exec = "*1\r\n$4\r\nEXEC\r\n"u8.ToArray();

    private readonly ServerState _server;
    private readonly object _sinkLock = new();
    private volatile ICommandStreamSink[] _sinks = [];
    private readonly RespCommandWriter _pending = new();
    private readonly RespCommandWriter _out = new();
    private int _pendingOps;
    private int _firstOpAt;
    private int _selectedDb = -1;
    private readonly List<(int Db, byte[] Key)> _modified = [];
    private CommandContext? _overrideFor;
    private readonly List<byte[][]> _override = [];
    private readonly Dictionary<long, byte[][]> _blocked = [];

    public CommandStream(ServerState server)
    {
        _server = server;
    }

    /// <summary>True when some sink listens; commands that build their own effects check it first.</summary>
    public bool Active => _sinks.Length > 0;

    /// <summary>Commands handed to the sinks so far (MULTI/EXEC and SELECT included).</summary>
    public long CommandsPropagated { get; private set; }

    public long BytesPropagated { get; private set; }

    /// <summary>Adds a sink; the next command it receives is preceded by a SELECT.</summary>
    public void AddSink(ICommandStreamSink sink)
    {
        lock (_sinkLock)
        {
            if (Array.IndexOf(_sinks, sink) >= 0) return;
            _sinks = [.. _sinks, sink];
        }
        ForceSelect();
    }

    public void RemoveSink(ICommandStreamSink sink)
    {
        lock (_sinkLock) _sinks = Array.FindAll(_sinks, s => !ReferenceEquals(s, sink));
    }

    /// <summary>The next command is preceded by a SELECT even if its database did not change.</summary>
    public void ForceSelect() => _selectedDb = -1;

    /// <summary>Called by the dispatcher after a write command succeeded (under the keyspace lock).</summary>
    public void Propagate(CommandContext ctx)
    {
        if (_sinks.Length == 0)
        {
            _overrideFor = null;
            return;
        }
        if (ctx.BlockUntil is not null)
        {
            // It blocked and did nothing yet; what it does when served is propagated then.
            var args = new byte[ctx.ArgCount][];
            for (int i = 0; i < args.Length; i++) args[i] = ctx.ArgBytes(i);
            _blocked[ctx.Client.Id] = args;
            return;
        }
        int db = ctx.Client.Database;
        if (ReferenceEquals(_overrideFor, ctx))
        {
            foreach (var args in _override) Command(db, args);
            _override.Clear();
            _overrideFor = null;
        }
        else PropagationRewrites.Write(this, ctx, db);
        if (_server.Blocking.CommandDepth == 0) Flush();
    }

    /// <summary>
    /// Replaces what the running command propagates (Redis's alsoPropagate + preventCommandPropagation):
    /// SPOP's random members become SREM. Call only when <see cref="Active"/>.
    /// </summary>
    public void PropagateInstead(CommandContext ctx, byte[][] command)
    {
        if (!ReferenceEquals(_overrideFor, ctx))
        {
            _override.Clear();
            _overrideFor = ctx;
        }
        _override.Add(command);
    }

    /// <summary>A blocked client was served with <paramref name="key"/>: propagates the non-blocking form.</summary>
    public void BlockedServed(CommandContext ctx, byte[] key)
    {
        if (!_blocked.Remove(ctx.Client.Id, out var args) || _sinks.Length == 0 || ctx.Failed) return;
        PropagationRewrites.WriteServedBlockingPop(this, args, ctx.Client.Database, key);
        if (_server.Blocking.CommandDepth == 0) Flush();
    }

    /// <summary>A client that was blocked gave up (timeout, disconnect, unblock).</summary>
    public void BlockedEnded(long clientId) => _blocked.Remove(clientId);

    /// <summary>Called by the dispatcher when a top-level command (a whole EXEC or script included) ends.</summary>
    public void EndCommand()
    {
        if (_pendingOps > 0) Flush();
        _modified.Clear();
        _overrideFor = null;
    }

    public void KeyExpired(Database db, byte[] key) => Removed(db, key);

    public void KeyEvicted(Database db, byte[] key) => Removed(db, key);

    public void KeyModified(Database db, byte[] key)
    {
        if (_sinks.Length == 0 || _server.Blocking.CommandDepth == 0) return;
        if (_modified.Count < 64) _modified.Add((db.Index, key));
    }

    /// <summary>The first of <paramref name="keys"/> the running command modified in <paramref name="db"/>.</summary>
    internal byte[]? FirstModified(int db, byte[][] args, int from, int to)
    {
        for (int i = from; i < to; i++)
            foreach (var (d, k) in _modified)
                if (d == db && k.AsSpan().SequenceEqual(args[i])) return args[i];
        return null;
    }

    private void Removed(Database db, byte[] key)
    {
        if (_sinks.Length == 0) return;
        var w = BeginOp(db.Index);
        w.Begin(2);
        w.Arg("DEL"u8);
        w.Arg(key);
        EndOp();
        if (_server.Blocking.CommandDepth == 0) Flush();
    }

    /// <summary>Starts one command in <paramref name="db"/> (a SELECT first if needed); finish with <see cref="EndOp"/>.</summary>
    internal RespCommandWriter BeginOp(int db)
    {
        if (db != _selectedDb)
        {
            _pending.Begin(2);
            _pending.Arg("SELECT"u8);
            _pending.Arg(db);
            _selectedDb = db;
            if (_pendingOps == 0) _firstOpAt = _pending.Length;
            CommandsPropagated++;
        }
        else if (_pendingOps == 0) _firstOpAt = _pending.Length;
        return _pending;
    }

    internal void EndOp() => _pendingOps++;

    internal void Command(int db, byte[][] args)
    {
        var w = BeginOp(db);
        w.Command(args);
        EndOp();
    }

    private void Flush()
    {
        if (_pendingOps == 0 && _pending.Length == 0) return;
        ReadOnlySpan<byte> bytes;
        if (_pendingOps > 1)
        {
            _out.Clear();
            _out.Append(_pending.Written[.._firstOpAt]);
            _out.Append(s_multi);
            _out.Append(_pending.Written[_firstOpAt..]);
            _out.Append(s_exec);
            bytes = _out.Written;
            CommandsPropagated += 2;
        }
        else bytes = _pending.Written;
        CommandsPropagated += _pendingOps;
        BytesPropagated += bytes.Length;
        foreach (var sink in _sinks) sink.Append(bytes);
        _pending.Clear();
        _pendingOps = 0;
    }
}
