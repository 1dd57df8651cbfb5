using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;
using Magpie.Storage;

namespace Magpie.Server.Blocking;

/// <summary>
/// Clients blocked on keys (BLPOP and friends), like Redis's blocking.c. Per (db, key) a FIFO queue
/// of waiters. As a keyspace observer it marks a key "ready" when it changes and someone waits on
/// it; after each top-level command (<see cref="CommandDispatcher.Run"/>) the ready keys' waiters
/// are served in FIFO order by their own <see cref="BlockedServe"/> delegate. Every member is used
/// under the keyspace lock; timers take that lock themselves.
/// </summary>
public sealed class BlockingRegistry : IKeyspaceObserver
{
    // Timer's longest due time; longer waits re-arm until the deadline.
    private const long MaxTimerMs = 0xfffffffe;

    private readonly ServerState _server;
    private readonly Dictionary<(int Db, byte[] Key), LinkedList<BlockedClient>> _queues = new(KeyComparer.Instance);
    private readonly Dictionary<long, BlockedClient> _byClient = [];
    private readonly HashSet<(int Db, byte[] Key)> _readySet = new(KeyComparer.Instance);
    private List<(int Db, byte[] Key)> _ready = [];

    public BlockingRegistry(ServerState server)
    {
        _server = server;
        server.Watches.Others.Add(this);
        server.ClientDisconnected += OnClientDisconnected;
        server.BlockedClients = () => Count;
    }

    /// <summary>Clients currently blocked (INFO blocked_clients).</summary>
    public int Count => _byClient.Count;

    /// <summary>Nesting of <see cref="CommandDispatcher.Run"/>: 1 for a top-level command, more inside EXEC.</summary>
    internal int CommandDepth { get; set; }

    /// <summary>
    /// Whether the running command may block. Not inside MULTI/EXEC (or anything else that runs
    /// commands nested): there a blocking command answers as if it timed out at once.
    /// </summary>
    public bool CanBlock(CommandContext ctx) => CommandDepth <= 1 && !ctx.Client.Transaction.InMulti;

    public bool IsBlocked(ClientSession client) => _byClient.ContainsKey(client.Id);

    /// <summary>
    /// Parses a blocking command's timeout argument (seconds, fractional) like Redis's
    /// getTimeoutFromObjectOrReply. Writes the error and returns false when it is invalid.
    /// <paramref name="deadlineMs"/> is absolute Unix milliseconds, or 0 for "wait forever".
    /// </summary>
    public static bool TryParseTimeout(CommandContext ctx, int index, out long deadlineMs)
    {
        deadlineMs = 0;
        if (!RedisNumbers.TryParseDouble(ctx.Arg(index), out double seconds))
        {
            ctx.Error("ERR timeout is not a float or out of range");
            return false;
        }
        double ms = seconds * 1000.0;
        // Redis converts to a long long, where anything beyond its range (inf, 1e400) turns
        // negative, so those answer "timeout is negative" too.
        if (ms < 0 || ms >= 9223372036854775808.0)
        {
            ctx.Error("ERR timeout is negative");
            return false;
        }
        // Redis truncates to whole milliseconds: 0.0001 means 0, which waits forever. A deadline
        // beyond the clock's range also waits (practically) forever, as in Redis 7.0.
        long whole = (long)ms;
        deadlineMs = whole == 0 ? 0 : whole > long.MaxValue - ctx.Now ? long.MaxValue : ctx.Now + whole;
        return true;
    }

    /// <summary>
    /// Blocks the running command's client on <paramref name="keys"/> of its current database until
    /// <paramref name="serve"/> succeeds for it, the deadline passes (null-array reply), or it
    /// disconnects. Sets <see cref="CommandContext.BlockUntil"/>, so the connection waits.
    /// Check <see cref="CanBlock"/> first.
    /// </summary>
    public BlockedClient Block(CommandContext ctx, IEnumerable<byte[]> keys, long deadlineMs, BlockedServe serve)
    {
        var client = ctx.Client;
        if (_byClient.ContainsKey(client.Id)) throw new InvalidOperationException($"client {client.Id} is already blocked");
        var waiter = new BlockedClient(ctx, client.Database, serve, deadlineMs);
        foreach (var key in keys)
        {
            bool duplicate = false;
            foreach (var k in waiter.Keys)
            {
                if (k.AsSpan().SequenceEqual(key))
                {
                    duplicate = true;
                    break;
                }
            }
            if (duplicate) continue;
            var id = (waiter.Db, key);
            if (!_queues.TryGetValue(id, out var queue)) _queues[id] = queue = new LinkedList<BlockedClient>();
            waiter.Keys.Add(key);
            waiter.Nodes.Add(queue.AddLast(waiter));
        }
        _byClient[client.Id] = waiter;
        client.Blocked = true;
        if (deadlineMs > 0) Arm(waiter);
        ctx.BlockUntil = waiter.Done.Task;
        return waiter;
    }

    /// <summary>Keyspace observer: a key changed; if anyone waits on it, serve them after this command.</summary>
    public void KeyModified(Database db, byte[] key)
    {
        if (_queues.Count == 0) return;
        var id = (db.Index, key);
        if (_queues.ContainsKey(id) && _readySet.Add(id)) _ready.Add(id);
    }

    /// <summary>
    /// The "after command" step: serves the waiters of every key made ready, FIFO per key, and
    /// repeats while serving made more keys ready (BLMOVE pushes to its destination).
    /// </summary>
    public void ServeReadyKeys()
    {
        while (_ready.Count > 0)
        {
            var batch = _ready;
            _ready = [];
            foreach (var id in batch)
            {
                _readySet.Remove(id);
                ServeKey(id);
            }
        }
    }

    /// <summary>CLIENT UNBLOCK: ends a client's wait as a timeout, or with an UNBLOCKED error. False if it isn't blocked.</summary>
    public bool Unblock(long clientId, bool withError)
    {
        if (!_byClient.TryGetValue(clientId, out var waiter)) return false;
        var ctx = waiter.Context;
        lock (ctx.Client.OutputLock)
        {
            if (withError) ctx.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            else ctx.Reply.WriteNullArray();
        }
        Finish(waiter);
        return true;
    }

    private void ServeKey((int Db, byte[] Key) id)
    {
        if (!_queues.TryGetValue(id, out var queue)) return;
        var db = _server.Keyspace[id.Db];
        var node = queue.First;
        while (node is not null)
        {
            var next = node.Next;
            var waiter = node.Value;
            // A missing key serves only waiters that answer its deletion (XREADGROUP's error).
            if ((waiter.ServeWhenKeyMissing || db.Lookup(id.Key) is not null) && TryServe(waiter, id.Key))
            {
                _server.CommandStream.BlockedServed(waiter.Context, id.Key);
                Finish(waiter);
            }
            node = next;
        }
    }

    private bool TryServe(BlockedClient waiter, byte[] readyKey)
    {
        var ctx = waiter.Context;
        ctx.Now = _server.Keyspace.Now;
        ctx.ResetForCommand();
        lock (ctx.Client.OutputLock)
        {
            try
            {
                return waiter.Serve(ctx, readyKey);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                ctx.Error($"ERR internal error serving blocked client: {ex.Message}");
                return true;
            }
        }
    }

    /// <summary>Removes a waiter everywhere and releases its connection.</summary>
    private void Finish(BlockedClient waiter)
    {
        if (!waiter.Active) return;
        waiter.Active = false;
        for (int i = 0; i < waiter.Keys.Count; i++)
        {
            var id = (waiter.Db, waiter.Keys[i]);
            if (_queues.TryGetValue(id, out var queue))
            {
                queue.Remove(waiter.Nodes[i]);
                if (queue.Count == 0) _queues.Remove(id);
            }
        }
        _byClient.Remove(waiter.Context.Client.Id);
        _server.CommandStream.BlockedEnded(waiter.Context.Client.Id);
        waiter.Context.Client.Blocked = false;
        waiter.Timer?.Dispose();
        waiter.Done.TrySetResult();
    }

    private void Arm(BlockedClient waiter)
    {
        long due = Math.Clamp(waiter.DeadlineMs - _server.Keyspace.Clock(), 0, MaxTimerMs);
        waiter.Timer?.Dispose();
        waiter.Timer = new Timer(static state =>
        {
            var (registry, w) = ((BlockingRegistry, BlockedClient))state!;
            registry.OnTimer(w);
        }, (this, waiter), due, Timeout.Infinite);
    }

    private void OnTimer(BlockedClient waiter)
    {
        lock (_server.Keyspace.Sync)
        {
            if (!waiter.Active) return;
            if (_server.Keyspace.Clock() < waiter.DeadlineMs)
            {
                Arm(waiter);
                return;
            }
            lock (waiter.Context.Client.OutputLock) waiter.Context.Reply.WriteNullArray();
            Finish(waiter);
        }
    }

    private void OnClientDisconnected(ClientSession session)
    {
        if (_byClient.TryGetValue(session.Id, out var waiter)) Finish(waiter);
    }

    private sealed class KeyComparer : IEqualityComparer<(int Db, byte[] Key)>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals((int Db, byte[] Key) x, (int Db, byte[] Key) y) => x.Db == y.Db && x.Key.AsSpan().SequenceEqual(y.Key);

        public int GetHashCode((int Db, byte[] Key) obj) => KeyHashing.Hash(obj.Key) ^ obj.Db;
    }
}
