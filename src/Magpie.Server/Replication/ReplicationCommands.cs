using System.Globalization;
using Magpie.Protocol;
using Magpie.Server.Commands;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Replication;

/// <summary>REPLICAOF/SLAVEOF, ROLE, WAIT and the replication protocol's PSYNC, SYNC and REPLCONF (docs/replication.md).</summary>
public static class ReplicationCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        t.Add(new() { Name = "replicaof", Arity = 3, Flags = Admin | NoScript | Stale | NoAsyncLoading, Handler = ReplicaOf, Group = g, Summary = "Make the server a replica of another instance, or promote it as master.", Since = "5.0.0" });
        t.Add(new() { Name = "slaveof", Arity = 3, Flags = Admin | NoScript | Stale | NoAsyncLoading, Handler = ReplicaOf, Group = g, Summary = "Make the server a replica of another instance, or promote it as master.", Since = "1.0.0", DocFlags = ["deprecated"], DeprecatedSince = "5.0.0", ReplacedBy = "`REPLICAOF`" });
        t.Add(new() { Name = "role", Arity = 1, Flags = NoScript | Loading | Stale | Fast, Handler = Role, Group = g, Summary = "Return the role of the instance in the context of replication", Since = "2.8.12", Acl = "@admin @dangerous" });
        t.Add(new() { Name = "wait", Arity = 3, Flags = NoScript, Handler = Wait, Group = "generic", Summary = "Wait for the synchronous replication of all the write commands sent in the context of the current connection", Since = "3.0.0", Acl = "@connection", Tips = ["request_policy:all_shards", "response_policy:agg_min"] });
        t.Add(new() { Name = "psync", Arity = -3, Flags = Admin | NoScript | NoAsyncLoading | DeniedInMulti, Handler = PSync, Group = g, Summary = "Internal command used for replication", Since = "2.8.0", Complexity = "" });
        t.Add(new() { Name = "sync", Arity = 1, Flags = Admin | NoScript | NoAsyncLoading | DeniedInMulti, Handler = Sync, Group = g, Summary = "Internal command used for replication", Complexity = "" });
        t.Add(new() { Name = "replconf", Arity = -1, Flags = Admin | NoScript | Loading | Stale | AllowBusy, Handler = ReplConf, Group = g, Summary = "An internal command for configuring the replication stream", Since = "3.0.0", DocFlags = ["syscmd"] });
    }

    private static void ReplicaOf(CommandContext ctx)
    {
        var repl = ctx.Server.Replication;
        if (ctx.Server.ClusterMode is not null)
        {
            ctx.Error("ERR REPLICAOF not allowed in cluster mode.");
            return;
        }
        if (ctx.ArgIs(1, "no"u8) && ctx.ArgIs(2, "one"u8))
        {
            repl.PromoteToPrimary();
            ctx.Reply.WriteOk();
            return;
        }
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long port) || port < 0 || port > 65535)
        {
            ctx.Error("ERR Invalid master port");
            return;
        }
        var host = ctx.ArgString(1);
        if (repl.Link is { } link && link.Port == port && string.Equals(link.Host, host, StringComparison.OrdinalIgnoreCase))
        {
            ctx.Reply.WriteSimpleString("OK Already connected to specified master");
            return;
        }
        if (repl.IsSelf(host, (int)port))
        {
            ctx.Error("ERR Can't replicate from myself: " + host + ":" + port + " is this node's own port");
            return;
        }
        repl.StartReplicaOf(host, (int)port);
        ctx.Reply.WriteOk();
    }

    private static void Role(CommandContext ctx)
    {
        var repl = ctx.Server.Replication;
        var reply = ctx.Reply;
        if (repl.Link is { } link)
        {
            reply.WriteArrayHeader(5);
            reply.WriteBulk("slave"u8);
            reply.WriteBulk(link.Host);
            reply.WriteInteger(link.Port);
            reply.WriteBulk(link.State);
            reply.WriteInteger(repl.Backlog.Active ? repl.Backlog.Offset : -1);
            return;
        }
        var replicas = repl.AttachedReplicas().ToList();
        reply.WriteArrayHeader(3);
        reply.WriteBulk("master"u8);
        reply.WriteInteger(repl.Backlog.Offset);
        reply.WriteArrayHeader(replicas.Count);
        foreach (var r in replicas)
        {
            reply.WriteArrayHeader(3);
            reply.WriteBulk(r.Ip);
            reply.WriteBulk(r.ListeningPort.ToString(CultureInfo.InvariantCulture));
            reply.WriteBulk(r.AckOffset.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Wait(CommandContext ctx)
    {
        var repl = ctx.Server.Replication;
        if (repl.IsReplica)
        {
            ctx.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
            return;
        }
        if (!ctx.TryGetInt64(1, out long needed) || !ctx.TryGetInt64(2, out long timeout)) return;
        if (timeout < 0)
        {
            ctx.Error("ERR timeout is negative");
            return;
        }
        repl.Wait(ctx, (int)Math.Clamp(needed, int.MinValue, int.MaxValue), timeout);
    }

    private static void PSync(CommandContext ctx) => StartSync(ctx, ctx.ArgString(1), ParseOffset(ctx.Arg(2)), legacy: false);

    private static void Sync(CommandContext ctx) => StartSync(ctx, "?", -1, legacy: true);

    private static long ParseOffset(ReadOnlySpan<byte> arg) => RedisNumbers.TryParseInt64(arg, out long v) ? v : -1;

    private static void StartSync(CommandContext ctx, string replid, long offset, bool legacy)
    {
        if (ctx.Client.Transaction.InMulti)
        {
            ctx.Error("ERR Command not allowed inside a transaction");
            ctx.Client.Transaction.Dirty = true;
            return;
        }
        var repl = ctx.Server.Replication;
        if (repl.Link is { Connected: false })
        {
            ctx.Error("NOMASTERLINK Can't SYNC while not connected with my master");
            return;
        }
        if (!ctx.Client.HasConnection)
        {
            ctx.Error("ERR PSYNC needs a network connection");
            return;
        }
        repl.PSync(ctx, replid, offset, legacy);
    }

    private static void ReplConf(CommandContext ctx)
    {
        if ((ctx.ArgCount - 1) % 2 != 0)
        {
            ctx.SyntaxError();
            return;
        }
        var repl = ctx.Server.Replication;
        for (int i = 1; i < ctx.ArgCount; i += 2)
        {
            if (ctx.ArgIs(i, "ack"u8))
            {
                // No reply: the primary reads none on the stream.
                if (RedisNumbers.TryParseInt64(ctx.Arg(i + 1), out long offset)) repl.Ack(ctx.Client, offset);
                return;
            }
            if (ctx.ArgIs(i, "getack"u8)) return; // Only meaningful from a primary, handled by the link.
            if (ctx.ArgIs(i, "listening-port"u8))
            {
                if (!ctx.TryGetInt64(i + 1, out long port)) return;
                repl.PeerOf(ctx.Client).ListeningPort = (int)port;
            }
            else if (ctx.ArgIs(i, "ip-address"u8)) repl.PeerOf(ctx.Client).AnnouncedIp = ctx.ArgString(i + 1);
            else if (ctx.ArgIs(i, "capa"u8))
            {
                var peer = repl.PeerOf(ctx.Client);
                if (ctx.ArgIs(i + 1, "eof"u8)) peer.CapaEof = true;
                else if (ctx.ArgIs(i + 1, "psync2"u8)) peer.CapaPsync2 = true;
            }
            else if (ctx.ArgIs(i, "rdb-only"u8) || ctx.ArgIs(i, "rdb-filter-only"u8)) { }
            else
            {
                ctx.Error($"ERR Unrecognized REPLCONF option: {ctx.ArgString(i)}");
                return;
            }
        }
        ctx.Reply.WriteOk();
    }
}
