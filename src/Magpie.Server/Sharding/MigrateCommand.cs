using System.Runtime.CompilerServices;
using System.Text;
using Magpie.Protocol;
using Magpie.Protocol.Replies;
using Magpie.Server.Commands;
using Magpie.Server.Hosting;
using Magpie.Storage;
using Magpie.Storage.Persistence;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Sharding;

/// <summary>
/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username password] [KEYS key ...],
/// as Redis 7.0: each key goes as a DUMP payload in RESTORE (RESTORE-ASKING in cluster mode), and is
/// deleted here once the target said OK (kept with COPY). Synchronous and atomic like Redis's: it runs
/// under the keyspace lock, every step bounded by the timeout, so a dead target stalls the node at
/// most that long and the key stays here.
/// </summary>
public static class MigrateCommand
{
    private static readonly ConditionalWeakTable<ServerState, Dictionary<string, MigrateLink>> Links = new();

    public static void Register(CommandTable t)
    {
        // RESTORE-ASKING: RESTORE that a node importing the slot accepts without ASKING (what MIGRATE sends in cluster mode).
        if (t.Find("restore") is { } restore && t.Find("restore-asking") is null)
            t.Add(new() { Name = "restore-asking", Arity = -4, Flags = Write | DenyOom | Asking, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = restore.Handler, Group = "server", Summary = "An internal command for migrating keys in a cluster", Since = "3.0.0", Complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).", Acl = "@keyspace @write @slow @dangerous", Keys = [new(KeySpecFlags.OW | KeySpecFlags.Update) { Index = 1 }], DocFlags = ["syscmd"], History = [("3.0.0", "Added the `REPLACE` modifier."), ("5.0.0", "Added the `ABSTTL` modifier."), ("5.0.0", "Added the `IDLETIME` and `FREQ` options.")] });
        // Keys come from the "keys" keyword or argument 3; routing lets MIGRATE run while its slot is open.
        t.Add(new() { Name = "migrate", Arity = -6, Flags = Write | MovableKeys, FirstKey = 3, LastKey = 3, KeyStep = 1, Handler = Migrate, EmptyFirstKeyIsNoKey = true, Group = "generic", Summary = "Atomically transfer a key from a Redis instance to another one.", Since = "2.6.0", Complexity = "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.", Acl = "@keyspace @write @slow @dangerous", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete) { Index = 3 }, new(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete | KeySpecFlags.Incomplete) { Keyword = "KEYS", StartFrom = -2, LastKey = -1 }], Tips = ["nondeterministic_output"], History = [("3.0.0", "Added the `COPY` and `REPLACE` options."), ("3.0.6", "Added the `KEYS` option."), ("4.0.7", "Added the `AUTH` option."), ("6.0.0", "Added the `AUTH2` option.")] });
    }

    private static void Migrate(CommandContext ctx)
    {
        bool copy = false, replace = false;
        byte[]? username = null, password = null;
        int firstKey = 3, numKeys = 1;
        for (int j = 6; j < ctx.ArgCount; j++)
        {
            int moreArgs = ctx.ArgCount - 1 - j;
            if (ctx.ArgIs(j, "copy"u8)) copy = true;
            else if (ctx.ArgIs(j, "replace"u8)) replace = true;
            else if (ctx.ArgIs(j, "auth"u8))
            {
                if (moreArgs < 1) { ctx.SyntaxError(); return; }
                password = ctx.ArgBytes(++j);
            }
            else if (ctx.ArgIs(j, "auth2"u8))
            {
                if (moreArgs < 2) { ctx.SyntaxError(); return; }
                username = ctx.ArgBytes(++j);
                password = ctx.ArgBytes(++j);
            }
            else if (ctx.ArgIs(j, "keys"u8))
            {
                if (ctx.Arg(3).Length != 0)
                {
                    ctx.Error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
                    return;
                }
                firstKey = j + 1;
                numKeys = ctx.ArgCount - j - 1;
                break;
            }
            else { ctx.SyntaxError(); return; }
        }
        if (!ctx.TryGetInt64(5, out long timeoutMs) || !ctx.TryGetInt64(4, out long db)) return;
        if (timeoutMs <= 0) timeoutMs = 1000;
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long port) || port is < 1 or > 65535)
        {
            ctx.Error("IOERR error or timeout connecting to the client");
            return;
        }

        var entries = new List<Entry>(numKeys);
        for (int i = firstKey; i < firstKey + numKeys; i++)
            if (ctx.Db.Lookup(ctx.Arg(i)) is { } entry) entries.Add(entry);
        if (entries.Count == 0)
        {
            ctx.Reply.WriteSimpleString("NOKEY"u8);
            return;
        }

        var timeout = TimeSpan.FromMilliseconds(timeoutMs);
        string host = ctx.ArgString(1);
        var link = LinkTo(ctx.Server, host, (int)port, timeout, out bool cached);
        if (link is null)
        {
            ctx.Error("IOERR error or timeout connecting to the client");
            return;
        }

        var transfer = new Transfer(ctx, db, username, password, copy);
        string? ioError = transfer.Run(link, entries, replace);
        // The target's state is unknown for the keys without a reply: they may or may not have been
        // written there. One retry on a fresh connection settles them, so a key never ends up on both
        // nodes. It is safe where re-sending cannot clobber anything but our own earlier copy: in
        // cluster mode (the target imports the slot; while the key is here, nobody writes it there) it
        // is sent with REPLACE; otherwise with REPLACE given, or, as Redis does, when a cached link
        // broke (not timed out) before any key was confirmed.
        if (ioError is not null && transfer.Unknown.Count > 0 && transfer.TargetError is null
            && (ctx.Server.ClusterMode is not null || replace || (cached && !transfer.TimedOut && transfer.Confirmed == 0)))
        {
            var retry = LinkTo(ctx.Server, host, (int)port, timeout, out _);
            if (retry is null) ioError = "connecting";
            else ioError = transfer.Run(retry, [.. transfer.Unknown], replace || ctx.Server.ClusterMode is not null);
        }
        if (ioError is not null)
        {
            ctx.Error(ioError == "connecting" ? "IOERR error or timeout connecting to the client" : $"IOERR error or timeout {ioError} to target instance");
            return;
        }
        if (transfer.TargetError is not null)
        {
            ctx.Error("ERR Target instance replied with error: " + transfer.TargetError);
            return;
        }
        ctx.Reply.WriteOk();
    }

    /// <summary>
    /// One MIGRATE's sends: a batch of AUTH, SELECT (when the link is on another database) and a RESTORE per
    /// key; a key is deleted here as soon as its RESTORE is confirmed (unless COPY), as Redis does.
    /// </summary>
    private sealed class Transfer(CommandContext ctx, long db, byte[]? username, byte[]? password, bool copy)
    {
        /// <summary>Keys sent whose reply never came: written to the target or not, nobody knows.</summary>
        public List<Entry> Unknown { get; } = [];

        public string? TargetError { get; private set; }

        public bool TimedOut { get; private set; }

        public int Confirmed { get; private set; }

        /// <summary>Sends <paramref name="entries"/> over <paramref name="link"/>; returns "writing"/"reading" on an I/O error, else null.</summary>
        public string? Run(MigrateLink link, List<Entry> entries, bool replace)
        {
            Unknown.Clear();
            int preamble = 0;
            if (password is not null)
            {
                if (username is null) link.Add("AUTH"u8.ToArray(), password);
                else link.Add("AUTH"u8.ToArray(), username, password);
                preamble++;
            }
            bool select = link.SelectedDb != db;
            if (select)
            {
                link.Add("SELECT"u8.ToArray(), Encoding.ASCII.GetBytes(db.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                preamble++;
            }
            byte[] restore = ctx.Server.ClusterMode is null ? "RESTORE"u8.ToArray() : "RESTORE-ASKING"u8.ToArray();
            foreach (var entry in entries)
            {
                long ttl = entry.ExpireAt == 0 ? 0 : Math.Max(1, entry.ExpireAt - ctx.Now);
                byte[] ttlBytes = Encoding.ASCII.GetBytes(ttl.ToString(System.Globalization.CultureInfo.InvariantCulture));
                byte[] payload = DumpPayload.Create(entry.Value);
                if (replace) link.Add(restore, entry.Key, ttlBytes, payload, "REPLACE"u8.ToArray());
                else link.Add(restore, entry.Key, ttlBytes, payload);
            }
            if (!link.Send())
            {
                TimedOut = link.TimedOut;
                Drop(ctx.Server, link);
                Unknown.AddRange(entries);
                return "writing";
            }
            var replies = new RespValue[preamble + entries.Count];
            int received = link.Read(replies);
            string? ioError = null;
            if (received < replies.Length)
            {
                TimedOut = link.TimedOut;
                Drop(ctx.Server, link);
                ioError = "reading";
            }

            int r = 0;
            bool preambleFailed = false;
            if (password is not null && r < received && replies[r++] is { IsError: true } authReply)
            {
                TargetError ??= Text(authReply);
                preambleFailed = true;
            }
            if (select && r < received && replies[r++] is { IsError: true } selectReply)
            {
                TargetError ??= Text(selectReply);
                preambleFailed = true;
            }
            link.SelectedDb = select && !preambleFailed && r == preamble ? (int)db : select ? -1 : link.SelectedDb;
            foreach (var entry in entries)
            {
                if (r >= received)
                {
                    Unknown.Add(entry);
                    continue;
                }
                var reply = replies[r++];
                if (reply.IsError) TargetError ??= Text(reply);
                else if (!preambleFailed)
                {
                    Confirmed++;
                    if (!copy) ctx.Db.Remove(entry);
                }
            }
            return ioError;
        }
    }

    private static string Text(RespValue error) => error.Bytes is { } b ? Encoding.UTF8.GetString(b) : error.ToString();

    private static MigrateLink? LinkTo(ServerState server, string host, int port, TimeSpan timeout, out bool cached)
    {
        cached = false;
        var links = Links.GetOrCreateValue(server);
        long now = Environment.TickCount64;
        foreach (var (key, stale) in links.ToArray())
        {
            if (now - stale.LastUsedMs <= MigrateLink.IdleTime.TotalMilliseconds) continue;
            stale.Dispose();
            links.Remove(key);
        }
        string endpoint = $"{host}:{port}";
        if (links.TryGetValue(endpoint, out var link))
        {
            link.Timeout(timeout);
            link.LastUsedMs = now;
            cached = true;
            return link;
        }
        link = MigrateLink.Connect(host, port, timeout, server.Tls.ForCluster);
        if (link is null) return null;
        link.LastUsedMs = now;
        links[endpoint] = link;
        return link;
    }

    private static void Drop(ServerState server, MigrateLink link)
    {
        if (Links.TryGetValue(server, out var links)) links.Remove(link.Endpoint);
        link.Dispose();
    }
}
