using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;
using Magpie.Storage;

namespace Magpie.Server.Tracking;

/// <summary>One client's CLIENT TRACKING settings.</summary>
public sealed class TrackingState
{
    public bool Bcast;
    public bool OptIn;
    public bool OptOut;
    public bool NoLoop;

    /// <summary>CLIENT CACHING yes (OPTIN) or no (OPTOUT) given for the next command.</summary>
    public bool Caching;

    /// <summary>0 when invalidations go to the client itself.</summary>
    public long Redirect;

    public bool BrokenRedirect;

    public List<byte[]> Prefixes { get; } = [];
}

/// <summary>
/// Server-assisted client-side caching (CLIENT TRACKING), Redis 7.0 semantics. Default mode
/// remembers which keys each tracking client read and sends one "invalidate" message when such a
/// key changes, then forgets it; BCAST sends for every changed key under the client's prefixes.
/// Like Redis, the table of remembered keys is keyed by key name only, across databases. Runs under
/// the keyspace lock: as a keyspace observer, and around every command (the dispatcher calls
/// <see cref="BeforeCommand"/> and <see cref="AfterCommand"/>).
/// </summary>
public sealed class ClientTracking(ServerState server) : IKeyspaceObserver
{
    /// <summary>The pub/sub channel a RESP2 client subscribes to for redirected invalidations.</summary>
    public static ReadOnlySpan<byte> InvalidationChannel => "__redis__:invalidate"u8;

    private readonly Dictionary<long, TrackingState> _clients = [];
    private readonly Dictionary<long, TrackingState> _bcast = [];
    private readonly Dictionary<byte[], HashSet<long>> _keys = new(ByteArrayComparer.Instance);
    private ClientSession? _current;
    private bool _flushing;

    public int ClientCount => _clients.Count;

    /// <summary>Keys remembered for default-mode clients.</summary>
    public int TrackedKeyCount => _keys.Count;

    public TrackingState? StateOf(ClientSession session) => _clients.GetValueOrDefault(session.Id);

    public void Enable(ClientSession session, long redirect, bool bcast, bool optIn, bool optOut, bool noLoop, List<byte[]> prefixes)
    {
        if (!_clients.TryGetValue(session.Id, out var state)) _clients[session.Id] = state = new TrackingState();
        state.Redirect = redirect;
        state.BrokenRedirect = false;
        state.Bcast = bcast;
        state.OptIn = optIn;
        state.OptOut = optOut;
        state.NoLoop = noLoop;
        if (bcast)
        {
            if (prefixes.Count == 0 && state.Prefixes.Count == 0) state.Prefixes.Add([]);
            state.Prefixes.AddRange(prefixes);
            _bcast[session.Id] = state;
        }
        session.TrackingRedirect = redirect;
    }

    /// <summary>CLIENT TRACKING off, RESET and disconnect.</summary>
    public void Disable(ClientSession session)
    {
        _clients.Remove(session.Id);
        _bcast.Remove(session.Id);
        session.TrackingRedirect = -1;
    }

    public void BeforeCommand(CommandContext ctx)
    {
        _current = ctx.Client;
        if (_clients.Count > 0) _flushing = ctx.Command.Name is "flushdb" or "flushall";
    }

    public void AfterCommand(CommandContext ctx)
    {
        _current = null;
        if (_flushing)
        {
            _flushing = false;
            if (!ctx.Failed) InvalidateAll();
        }
        if (_clients.Count == 0 || !_clients.TryGetValue(ctx.Client.Id, out var state)) return;
        var spec = ctx.Command;
        if (spec.HasFlag(CommandFlags.ReadOnly) && !state.Bcast && !ctx.Failed &&
            (state.OptIn ? state.Caching : !state.OptOut || !state.Caching))
            RememberKeys(ctx, spec);
        // CLIENT CACHING applies to the next command only (or to a whole MULTI block).
        if (!ctx.Client.Transaction.InMulti && spec.Parent != "client") state.Caching = false;
    }

    private void RememberKeys(CommandContext ctx, CommandSpec spec)
    {
        long id = ctx.Client.Id;
        foreach (int i in spec.KeyPositions(ctx.ArgCount))
        {
            var lookup = _keys.GetAlternateLookup<ReadOnlySpan<byte>>();
            if (!lookup.TryGetValue(ctx.Arg(i), out var ids))
            {
                ids = [];
                _keys[ctx.ArgBytes(i)] = ids;
            }
            ids.Add(id);
        }
    }

    public void KeyModified(Database db, byte[] key)
    {
        if (_clients.Count == 0)
        {
            // Nobody tracks any more: what is left of the table can only cause stale invalidations.
            if (_keys.Count > 0) _keys.Clear();
            return;
        }
        if (_flushing) return;
        if (_keys.Remove(key, out var ids))
        {
            foreach (long id in ids)
            {
                if (!_clients.TryGetValue(id, out var state) || state.Bcast) continue;
                var session = server.Clients.Find(id);
                if (session is null || (state.NoLoop && session == _current)) continue;
                Send(session, state, key);
            }
        }
        if (_bcast.Count > 0)
        {
            foreach (var (id, state) in _bcast)
            {
                var session = server.Clients.Find(id);
                if (session is null || (state.NoLoop && session == _current)) continue;
                foreach (var prefix in state.Prefixes)
                {
                    if (!key.AsSpan().StartsWith(prefix)) continue;
                    Send(session, state, key);
                    break;
                }
            }
        }
    }

    /// <summary>FLUSHDB/FLUSHALL: every tracking client gets an invalidation with a null key list.</summary>
    private void InvalidateAll()
    {
        _keys.Clear();
        foreach (var (id, state) in _clients)
        {
            var session = server.Clients.Find(id);
            if (session is not null) Send(session, state, null);
        }
    }

    /// <summary>
    /// Writes one invalidation for <paramref name="key"/> (null: everything): a RESP3 push to the client
    /// or its redirect target, or a "message" on __redis__:invalidate to a RESP2 redirect target in
    /// pub/sub mode. As in Redis, a RESP2 client without a redirect gets nothing.
    /// </summary>
    private void Send(ClientSession session, TrackingState state, byte[]? key)
    {
        var target = session;
        bool redirected = false;
        if (state.Redirect > 0)
        {
            var redirectTo = server.Clients.Find(state.Redirect);
            if (redirectTo is null || redirectTo.Closing)
            {
                state.BrokenRedirect = true;
                if (session.Protocol == RespVersion.Resp3 && !session.Closing)
                {
                    session.Writer.WritePushHeader(2);
                    session.Writer.WriteBulk("tracking-redir-broken"u8);
                    session.Writer.WriteInteger(state.Redirect);
                    server.PubSub.Pushed(session, _current, server.Keyspace.Now);
                }
                return;
            }
            target = redirectTo;
            redirected = true;
        }
        if (target.Closing) return;
        var w = target.Writer;
        if (target.Protocol == RespVersion.Resp3)
        {
            w.WritePushHeader(2);
            w.WriteBulk("invalidate"u8);
        }
        else if (redirected && target.SubscriptionCount > 0)
        {
            w.WritePushHeader(3);
            w.WriteBulk("message"u8);
            w.WriteBulk(InvalidationChannel);
        }
        else return;
        if (key is null) w.WriteNull();
        else
        {
            w.WriteArrayHeader(1);
            w.WriteBulk(key);
        }
        server.PubSub.Pushed(target, _current, server.Keyspace.Now);
    }
}
