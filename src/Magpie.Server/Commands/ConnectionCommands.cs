using System.Text;
using Magpie.Protocol;
using Magpie.Server.Connections;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>Connection commands: PING, ECHO, HELLO, QUIT, SELECT, RESET, AUTH and CLIENT.</summary>
public static class ConnectionCommands
{
    public const string ServerName = "redis";

    /// <summary>The Redis version Magpie reports to clients, which gate features on it.</summary>
    public const string CompatibleRedisVersion = "7.0.0";

    public static void Register(CommandTable t)
    {
        const string g = "connection";
        t.Add(new() { Name = "ping", Arity = -1, Flags = Fast | AllowedInSubscribe, Handler = Ping, Group = g, Summary = "Ping the server", Acl = "@connection", Tips = ["request_policy:all_shards", "response_policy:all_succeeded"] });
        t.Add(new() { Name = "echo", Arity = 2, Flags = Loading | Stale | Fast, Handler = ctx => ctx.Reply.WriteBulk(ctx.Arg(1)), Group = g, Summary = "Echo the given string", Acl = "@connection" });
        t.Add(new() { Name = "hello", Arity = -1, Flags = NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Handler = Hello, Group = g, Summary = "Handshake with Redis", Since = "6.0.0", Acl = "@connection", History = [("6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context.")] });
        t.Add(new() { Name = "quit", Arity = -1, Flags = NoScript | Loading | Stale | Fast | NoAuth | AllowBusy | AllowedInSubscribe | NoMulti, Handler = Quit, Group = g, Summary = "Close the connection", Acl = "@connection" });
        t.Add(new() { Name = "select", Arity = 2, Flags = Loading | Stale | Fast, Handler = Select, Group = g, Summary = "Change the selected database for the current connection", Acl = "@connection" });
        t.Add(new() { Name = "reset", Arity = 1, Flags = NoScript | Loading | Stale | Fast | NoAuth | AllowBusy | AllowedInSubscribe | NoMulti, Handler = Reset, Group = g, Summary = "Reset the connection", Since = "6.2.0", Acl = "@connection" });
        t.Add(new() { Name = "auth", Arity = -2, Flags = NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Handler = Auth, Group = g, Summary = "Authenticate to the server", Complexity = "O(N) where N is the number of passwords defined for the user", Acl = "@connection", History = [("6.0.0", "Added ACL style (username and password).")] });
        t.Add(new() { Name = "client", Arity = -2, Subcommands = CommandSpec.Children(
            new() { Name = "id", Parent = "client", Arity = 2, Flags = NoScript | Loading | Stale, Handler = ClientId, Group = g, Summary = "Returns the client ID for the current connection", Since = "5.0.0", Acl = "@connection" },
            new() { Name = "setname", Parent = "client", Arity = 3, Flags = NoScript | Loading | Stale, Handler = ClientSetName, Group = g, Summary = "Set the current connection name", Since = "2.6.9", Acl = "@connection" },
            new() { Name = "getname", Parent = "client", Arity = 2, Flags = NoScript | Loading | Stale, Handler = ClientGetName, Group = g, Summary = "Get the current connection name", Since = "2.6.9", Acl = "@connection" },
            new() { Name = "list", Parent = "client", Arity = -2, Flags = Admin | NoScript | Loading | Stale, Handler = ClientList, Group = g, Summary = "Get the list of client connections", Since = "2.4.0", Complexity = "O(N) where N is the number of client connections", Acl = "@connection", Tips = ["nondeterministic_output"], History = [("2.8.12", "Added unique client `id` field."), ("5.0.0", "Added optional `TYPE` filter."), ("6.0.0", "Added `user` field."), ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."), ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."), ("7.0.3", "Added `ssub` field.")] },
            new() { Name = "info", Parent = "client", Arity = 2, Flags = NoScript | Loading | Stale, Handler = ClientInfo, Group = g, Summary = "Returns information about the current client connection.", Since = "6.2.0", Acl = "@connection", Tips = ["nondeterministic_output"] },
            new() { Name = "kill", Parent = "client", Arity = -3, Flags = Admin | NoScript | Loading | Stale, Handler = ClientKill, Group = g, Summary = "Kill the connection of a client", Since = "2.4.0", Complexity = "O(N) where N is the number of client connections", Acl = "@connection", History = [("2.8.12", "Added new filter format."), ("2.8.12", "`ID` option."), ("3.2.0", "Added `master` type in for `TYPE` option."), ("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."), ("6.2.0", "`LADDR` option.")] },
            new() { Name = "setinfo", Parent = "client", Arity = 4, Flags = NoScript | Loading | Stale, Handler = ClientSetInfo, Group = g, Summary = "Sets information specific to the client or connection.", Since = "7.2.0" },
            new() { Name = "no-evict", Parent = "client", Arity = 3, Flags = Admin | NoScript | Loading | Stale, Handler = ClientOnOff, Group = g, Summary = "Set client eviction mode for the current connection", Since = "7.0.0", Acl = "@connection" },
            new() { Name = "tracking", Parent = "client", Arity = -3, Flags = NoScript | Loading | Stale, Handler = TrackingCommands.ClientTracking, Group = g, Summary = "Enable or disable server assisted client side caching support", Since = "6.0.0", Complexity = "O(1). Some options may introduce additional complexity.", Acl = "@connection" },
            new() { Name = "caching", Parent = "client", Arity = 3, Flags = NoScript | Loading | Stale, Handler = TrackingCommands.ClientCaching, Group = g, Summary = "Instruct the server about tracking or not keys in the next request", Since = "6.0.0", Acl = "@connection" },
            new() { Name = "getredir", Parent = "client", Arity = 2, Flags = NoScript | Loading | Stale, Handler = TrackingCommands.ClientGetRedir, Group = g, Summary = "Get tracking notifications redirection client ID if any", Since = "6.0.0", Acl = "@connection" },
            new() { Name = "trackinginfo", Parent = "client", Arity = 2, Flags = NoScript | Loading | Stale, Handler = TrackingCommands.ClientTrackingInfo, Group = g, Summary = "Return information about server assisted client side caching for the current connection", Since = "6.2.0", Acl = "@connection" },
            new() { Name = "unblock", Parent = "client", Arity = -3, Flags = Admin | NoScript | Loading | Stale, Handler = ClientUnblock, Group = g, Summary = "Unblock a client blocked in a blocking command from a different connection", Since = "5.0.0", Complexity = "O(log N) where N is the number of client connections", Acl = "@connection" },
            new() { Name = "help", Parent = "client", Arity = 2, Flags = Loading | Stale, Handler = ClientHelp, Group = g, Summary = "Show helpful text about the different subcommands", Since = "5.0.0", Acl = "@connection" }), Group = g, Summary = "A container for client connection commands", Since = "2.4.0", Complexity = "Depends on subcommand.", Acl = "" });
    }


    private static void Ping(CommandContext ctx)
    {
        if (ctx.ArgCount > 2)
        {
            ctx.WrongArity();
            return;
        }
        // In RESP2 subscriber mode PING answers as a pub/sub message would.
        if (ctx.Client.SubscriptionCount > 0 && ctx.Client.Protocol == RespVersion.Resp2)
        {
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteBulk("pong"u8);
            ctx.Reply.WriteBulk(ctx.ArgCount == 2 ? ctx.Arg(1) : ReadOnlySpan<byte>.Empty);
            return;
        }
        if (ctx.ArgCount == 2) ctx.Reply.WriteBulk(ctx.Arg(1));
        else ctx.Reply.WriteSimpleString("PONG"u8);
    }

    private static void Hello(CommandContext ctx)
    {
        var version = ctx.Client.Protocol;
        int i = 1;
        if (ctx.ArgCount > 1)
        {
            if (!RedisNumbers.TryParseInt64(ctx.Arg(1), out long requested))
            {
                ctx.Error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (requested is not (2 or 3))
            {
                ctx.Error("NOPROTO unsupported protocol version");
                return;
            }
            version = (RespVersion)requested;
            i = 2;
        }
        string? name = null;
        bool authenticates = false;
        for (int j = i; j < ctx.ArgCount; j++) if (ctx.ArgIs(j, "auth"u8)) authenticates = true;
        if (!authenticates && !ctx.Client.Authenticated && ctx.Server.Acl.AuthRequired)
        {
            ctx.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }
        for (; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "auth"u8) && ctx.ArgCount - i > 2)
            {
                if (!ctx.Server.Acl.Authenticate(ctx.Client, ctx.ArgString(i + 1), ctx.ArgString(i + 2)))
                {
                    ctx.Error(WrongPass);
                    return;
                }
                i += 2;
            }
            else if (ctx.ArgIs(i, "setname"u8) && ctx.ArgCount - i > 1)
            {
                name = ctx.ArgString(++i);
                if (!IsValidName(name))
                {
                    ctx.Error("ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
            }
            else
            {
                ctx.Error($"ERR Syntax error in HELLO option '{ctx.ArgString(i)}'");
                return;
            }
        }
        ctx.Client.Protocol = version;
        if (name is not null) ctx.Client.Name = name.Length == 0 ? null : name;
        var reply = ctx.Reply;
        reply.WriteMapHeader(7);
        reply.WriteBulk("server"u8); reply.WriteBulk(ServerName);
        reply.WriteBulk("version"u8); reply.WriteBulk(CompatibleRedisVersion);
        reply.WriteBulk("proto"u8); reply.WriteInteger((int)version);
        reply.WriteBulk("id"u8); reply.WriteInteger(ctx.Client.Id);
        reply.WriteBulk("mode"u8); reply.WriteBulk("standalone"u8);
        reply.WriteBulk("role"u8); reply.WriteBulk("master"u8);
        reply.WriteBulk("modules"u8); reply.WriteArrayHeader(0);
    }

    private static void Quit(CommandContext ctx)
    {
        ctx.Reply.WriteOk();
        ctx.CloseAfterReply = true;
    }

    private static void Select(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(1), out long index))
        {
            ctx.Error(Errors.NotInteger);
            return;
        }
        if (index < 0 || index >= ctx.Keyspace.DatabaseCount)
        {
            ctx.Error(Errors.DbIndexOutOfRange);
            return;
        }
        ctx.Client.Database = (int)index;
        ctx.Reply.WriteOk();
    }

    private static void Reset(CommandContext ctx)
    {
        var client = ctx.Client;
        client.Transaction.ResetMulti();
        ctx.Server.Watches.UnwatchAll(client);
        client.Database = 0;
        client.Protocol = RespVersion.Resp2;
        ctx.Server.OnClientReset(client);
        ctx.Reply.WriteSimpleString("RESET"u8);
    }

    private const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

    private static void Auth(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        var acl = ctx.Server.Acl;
        if (ctx.ArgCount == 2 && acl.Default.NoPass)
        {
            ctx.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            return;
        }
        var user = ctx.ArgCount == 3 ? ctx.ArgString(1) : "default";
        if (acl.Authenticate(ctx.Client, user, ctx.ArgString(ctx.ArgCount - 1))) ctx.Reply.WriteOk();
        else ctx.Error(WrongPass);
    }

    private static void ClientId(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Client.Id);

    private static void ClientSetName(CommandContext ctx)
    {
        var name = ctx.ArgString(2);
        if (!IsValidName(name))
        {
            ctx.Error("ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        ctx.Client.Name = name.Length == 0 ? null : name;
        ctx.Reply.WriteOk();
    }

    private static void ClientGetName(CommandContext ctx)
    {
        if (ctx.Client.Name is null) ctx.Reply.WriteNull();
        else ctx.Reply.WriteBulk(ctx.Client.Name);
    }

    private static void ClientList(CommandContext ctx)
    {
        IEnumerable<ClientSession> clients = ctx.Server.Clients.All;
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "type"u8) && i + 1 < ctx.ArgCount)
            {
                var type = ctx.ArgString(++i).ToLowerInvariant();
                if (type is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                {
                    ctx.Error($"ERR Unknown client type '{ctx.ArgString(i)}'");
                    return;
                }
                clients = type switch
                {
                    "normal" => clients.Where(c => c.SubscriptionCount == 0),
                    "pubsub" => clients.Where(c => c.SubscriptionCount > 0),
                    _ => [],
                };
            }
            else if (ctx.ArgIs(i, "id"u8) && i + 1 < ctx.ArgCount)
            {
                var ids = new HashSet<long>();
                for (i++; i < ctx.ArgCount; i++)
                {
                    if (!RedisNumbers.TryParseInt64(ctx.Arg(i), out long id) || id <= 0)
                    {
                        ctx.Error("ERR Invalid client ID");
                        return;
                    }
                    ids.Add(id);
                }
                clients = clients.Where(c => ids.Contains(c.Id));
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        var sb = new StringBuilder();
        foreach (var c in clients) sb.Append(Describe(ctx, c)).Append('\n');
        ctx.Reply.WriteVerbatim(sb.ToString());
    }

    private static void ClientInfo(CommandContext ctx) => ctx.Reply.WriteVerbatim(Describe(ctx, ctx.Client) + "\n");

    /// <summary>One CLIENT LIST line, with Redis 7's field names.</summary>
    private static string Describe(CommandContext ctx, ClientSession c)
    {
        long now = ctx.Keyspace.Clock();
        return $"id={c.Id} addr={c.RemoteEndPoint} laddr={c.LocalEndPoint} fd={c.Id + 7} name={c.Name} " +
               $"age={(now - c.CreatedAtMs) / 1000} idle={(now - c.LastCommandAtMs) / 1000} flags={c.Flags} db={c.Database} " +
               $"sub={c.ChannelCount} psub={c.PatternCount} ssub={c.ShardChannelCount} multi={(c.Transaction.InMulti ? c.Transaction.Queue.Count : -1)} " +
               $"qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem={c.PendingOutputBytes} tot-mem=0 events=r " +
               $"cmd={c.LastCommand} user=default redir={c.TrackingRedirect} resp={(int)c.Protocol} lib-name={c.LibName} lib-ver={c.LibVersion}";
    }

    private static void ClientKill(CommandContext ctx)
    {
        // Old form: CLIENT KILL addr:port -> OK or error.
        if (ctx.ArgCount == 3)
        {
            var addr = ctx.ArgString(2);
            var target = ctx.Server.Clients.All.FirstOrDefault(c => c.RemoteEndPoint == addr);
            if (target is null)
            {
                ctx.Error("ERR No such client");
                return;
            }
            target.Kill();
            ctx.Reply.WriteOk();
            return;
        }
        Func<ClientSession, bool> filter = _ => true;
        bool skipMe = true;
        for (int i = 2; i < ctx.ArgCount; i += 2)
        {
            if (i + 1 >= ctx.ArgCount)
            {
                ctx.SyntaxError();
                return;
            }
            var value = ctx.ArgString(i + 1);
            var previous = filter;
            if (ctx.ArgIs(i, "id"u8))
            {
                if (!long.TryParse(value, out long id) || id <= 0)
                {
                    ctx.Error("ERR client-id should be greater than 0");
                    return;
                }
                filter = c => previous(c) && c.Id == id;
            }
            else if (ctx.ArgIs(i, "addr"u8)) filter = c => previous(c) && c.RemoteEndPoint == value;
            else if (ctx.ArgIs(i, "laddr"u8)) filter = c => previous(c) && c.LocalEndPoint == value;
            else if (ctx.ArgIs(i, "user"u8)) filter = c => previous(c) && value == "default";
            else if (ctx.ArgIs(i, "type"u8))
            {
                var type = value.ToLowerInvariant();
                if (type is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                {
                    ctx.Error($"ERR Unknown client type '{value}'");
                    return;
                }
                filter = c => previous(c) && (type == "pubsub" ? c.SubscriptionCount > 0 : type == "normal" && c.SubscriptionCount == 0);
            }
            else if (ctx.ArgIs(i, "skipme"u8))
            {
                if (value.Equals("yes", StringComparison.OrdinalIgnoreCase)) skipMe = true;
                else if (value.Equals("no", StringComparison.OrdinalIgnoreCase)) skipMe = false;
                else
                {
                    ctx.SyntaxError();
                    return;
                }
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        var victims = ctx.Server.Clients.All.Where(c => filter(c) && !(skipMe && c == ctx.Client)).ToList();
        foreach (var victim in victims)
        {
            if (victim == ctx.Client) ctx.CloseAfterReply = true;
            else victim.Kill();
        }
        ctx.Reply.WriteInteger(victims.Count);
    }

    /// <summary>CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if that client was blocked and is now released.</summary>
    private static void ClientUnblock(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long id))
        {
            ctx.Error(Errors.NotInteger);
            return;
        }
        bool withError = false;
        if (ctx.ArgCount == 4)
        {
            if (ctx.ArgIs(3, "error"u8)) withError = true;
            else if (!ctx.ArgIs(3, "timeout"u8))
            {
                ctx.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        else if (ctx.ArgCount > 4)
        {
            ctx.SyntaxError();
            return;
        }
        ctx.Reply.WriteInteger(ctx.Server.Blocking.Unblock(id, withError) ? 1 : 0);
    }

    private static void ClientSetInfo(CommandContext ctx)
    {
        var value = ctx.ArgString(3);
        if (value.Any(ch => ch is ' ' or '\n' or '\r' || ch < '!' || ch > '~'))
        {
            ctx.Error($"ERR {ctx.ArgString(2)} cannot contain spaces, newlines or special characters.");
            return;
        }
        if (ctx.ArgIs(2, "lib-name"u8)) ctx.Client.LibName = value;
        else if (ctx.ArgIs(2, "lib-ver"u8)) ctx.Client.LibVersion = value;
        else
        {
            ctx.Error($"ERR Unrecognized option '{ctx.ArgString(2)}'");
            return;
        }
        ctx.Reply.WriteOk();
    }

    private static void ClientOnOff(CommandContext ctx)
    {
        if (ctx.ArgIs(2, "on"u8) || ctx.ArgIs(2, "off"u8)) ctx.Reply.WriteOk();
        else ctx.SyntaxError();
    }

    private static void ClientHelp(CommandContext ctx) => HelpReply.Write(ctx, "CLIENT",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are: ID, ADDR, LADDR, TYPE, USER, SKIPME.",
        "LIST [options ...]", "    Return information about client connections. Options: TYPE, ID.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
        "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
        "TRACKINGINFO", "    Report tracking status for the current connection.");

    private static bool IsValidName(string name) => name.All(ch => ch >= '!' && ch <= '~');
}
