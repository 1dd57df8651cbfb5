using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Storage;
using C = Magpie.Server.Notifications.KeyspaceEventClasses;

namespace Magpie.Server.Notifications;

/// <summary>
/// The one table of which keyspace event each command fires (Redis 7.0's notifyKeyspaceEvent calls,
/// command by command). A command not listed fires nothing. Events that depend on the outcome
/// (a collection emptied → "del", a past EXPIRE → "del") follow from <see cref="OnKeyGone"/>.
/// </summary>
public static class KeyspaceEventTable
{
    public static readonly Dictionary<string, KeyspaceEvent> ByCommand = Build();

    private static Dictionary<string, KeyspaceEvent> Build()
    {
        var t = new Dictionary<string, KeyspaceEvent>(StringComparer.Ordinal);
        void Add(string command, string name, C cls, OnKeyGone gone = OnKeyGone.EventThenDel, KeyEventRule? rule = null) =>
            t[command] = new KeyspaceEvent(name, cls, gone, rule);

        // Strings
        t["set"] = new KeyspaceEvent("set", C.String) { Then = ctx => HasExpireOption(ctx, 3) ? ("expire", C.Generic) : null };
        Add("setnx", "set", C.String);
        t["setex"] = new KeyspaceEvent("set", C.String) { Then = _ => ("expire", C.Generic) };
        t["psetex"] = new KeyspaceEvent("set", C.String) { Then = _ => ("expire", C.Generic) };
        Add("mset", "set", C.String);
        Add("msetnx", "set", C.String);
        Add("getset", "set", C.String);
        Add("getdel", "del", C.Generic, OnKeyGone.EventOnly);
        Add("getex", "expire", C.Generic, OnKeyGone.DelOnly, (ctx, _, _) => HasArg(ctx, 2, "persist"u8) ? ("persist", C.Generic) : null);
        Add("append", "append", C.String);
        Add("incr", "incrby", C.String);
        Add("decr", "incrby", C.String);
        Add("incrby", "incrby", C.String);
        Add("decrby", "incrby", C.String);
        Add("incrbyfloat", "incrbyfloat", C.String);
        Add("setrange", "setrange", C.String);
        Add("setbit", "setbit", C.String);
        Add("bitop", "set", C.String, OnKeyGone.DelOnly);
        Add("bitfield", "setbit", C.String);
        Add("pfadd", "pfadd", C.String);
        Add("pfmerge", "pfadd", C.String);

        // Keys
        Add("del", "del", C.Generic, OnKeyGone.EventOnly);
        Add("unlink", "del", C.Generic, OnKeyGone.EventOnly);
        Add("migrate", "del", C.Generic, OnKeyGone.EventOnly);
        Add("expire", "expire", C.Generic, OnKeyGone.DelOnly);
        Add("pexpire", "expire", C.Generic, OnKeyGone.DelOnly);
        Add("expireat", "expire", C.Generic, OnKeyGone.DelOnly);
        Add("pexpireat", "expire", C.Generic, OnKeyGone.DelOnly);
        Add("persist", "persist", C.Generic);
        Add("restore", "restore", C.Generic);
        Add("copy", "copy_to", C.Generic);
        Add("sort", "sortstore", C.List, OnKeyGone.DelOnly);
        var rename = new KeyspaceEvent("rename", C.Generic)
        {
            WholeCommand = (ctx, n) =>
            {
                n.Fire(ctx.Db, ctx.ArgBytes(1), "rename_from", C.Generic);
                n.Fire(ctx.Db, ctx.ArgBytes(2), "rename_to", C.Generic);
            },
        };
        t["rename"] = rename;
        t["renamenx"] = rename;
        t["move"] = new KeyspaceEvent("move", C.Generic)
        {
            WholeCommand = (ctx, n) =>
            {
                n.Fire(ctx.Db, ctx.ArgBytes(1), "move_from", C.Generic);
                if (int.TryParse(ctx.ArgString(2), out int to) && to >= 0 && to < ctx.Keyspace.DatabaseCount)
                    n.Fire(ctx.Keyspace[to], ctx.ArgBytes(1), "move_to", C.Generic);
            },
        };

        // Lists
        Add("lpush", "lpush", C.List);
        Add("lpushx", "lpush", C.List);
        Add("rpush", "rpush", C.List);
        Add("rpushx", "rpush", C.List);
        Add("linsert", "linsert", C.List);
        Add("lset", "lset", C.List);
        Add("lrem", "lrem", C.List);
        Add("ltrim", "ltrim", C.List);
        Add("lpop", "lpop", C.List);
        Add("rpop", "rpop", C.List);
        Add("blpop", "lpop", C.List);
        Add("brpop", "rpop", C.List);
        t["rpoplpush"] = new KeyspaceEvent("rpop", C.List, rule: (ctx, _, key) => IsArg(ctx, 1, key) ? null : ("lpush", C.List)) { DestinationFirst = true };
        t["brpoplpush"] = new KeyspaceEvent("rpop", C.List, rule: (ctx, _, key) => IsArg(ctx, 1, key) ? null : ("lpush", C.List)) { DestinationFirst = true };
        t["lmove"] = new KeyspaceEvent("lpop", C.List, rule: (ctx, _, key) => MoveEvent(ctx, key, 3)) { DestinationFirst = true };
        t["blmove"] = new KeyspaceEvent("lpop", C.List, rule: (ctx, _, key) => MoveEvent(ctx, key, 3)) { DestinationFirst = true };
        Add("lmpop", "lpop", C.List, rule: (ctx, _, _) => HasArg(ctx, 2, "right"u8) ? ("rpop", C.List) : null);
        Add("blmpop", "lpop", C.List, rule: (ctx, _, _) => HasArg(ctx, 3, "right"u8) ? ("rpop", C.List) : null);

        // Hashes
        Add("hset", "hset", C.Hash);
        Add("hmset", "hset", C.Hash);
        Add("hsetnx", "hset", C.Hash);
        Add("hdel", "hdel", C.Hash);
        Add("hincrby", "hincrby", C.Hash);
        Add("hincrbyfloat", "hincrbyfloat", C.Hash);

        // Sets
        Add("sadd", "sadd", C.Set);
        Add("srem", "srem", C.Set);
        Add("spop", "spop", C.Set);
        Add("smove", "srem", C.Set, rule: (ctx, _, key) => IsArg(ctx, 1, key) ? null : ("sadd", C.Set));
        Add("sinterstore", "sinterstore", C.Set, OnKeyGone.DelOnly);
        Add("sunionstore", "sunionstore", C.Set, OnKeyGone.DelOnly);
        Add("sdiffstore", "sdiffstore", C.Set, OnKeyGone.DelOnly);

        // Sorted sets (and geo, stored on them)
        Add("zadd", "zadd", C.ZSet, rule: (ctx, _, _) => HasArg(ctx, 2, "incr"u8) ? ("zincr", C.ZSet) : null);
        Add("geoadd", "zadd", C.ZSet);
        Add("zincrby", "zincr", C.ZSet);
        Add("zrem", "zrem", C.ZSet);
        Add("zremrangebyrank", "zremrangebyrank", C.ZSet);
        Add("zremrangebyscore", "zremrangebyscore", C.ZSet);
        Add("zremrangebylex", "zremrangebylex", C.ZSet);
        Add("zpopmin", "zpopmin", C.ZSet);
        Add("zpopmax", "zpopmax", C.ZSet);
        Add("bzpopmin", "zpopmin", C.ZSet);
        Add("bzpopmax", "zpopmax", C.ZSet);
        Add("zmpop", "zpopmin", C.ZSet, rule: (ctx, _, _) => HasArg(ctx, 2, "max"u8) ? ("zpopmax", C.ZSet) : null);
        Add("bzmpop", "zpopmin", C.ZSet, rule: (ctx, _, _) => HasArg(ctx, 3, "max"u8) ? ("zpopmax", C.ZSet) : null);
        Add("zunionstore", "zunionstore", C.ZSet, OnKeyGone.DelOnly);
        Add("zinterstore", "zinterstore", C.ZSet, OnKeyGone.DelOnly);
        Add("zdiffstore", "zdiffstore", C.ZSet, OnKeyGone.DelOnly);
        Add("zrangestore", "zrangestore", C.ZSet, OnKeyGone.DelOnly);
        Add("georadius", "georadiusstore", C.ZSet, OnKeyGone.DelOnly);
        Add("georadiusbymember", "georadiusstore", C.ZSet, OnKeyGone.DelOnly);
        Add("geosearchstore", "geosearchstore", C.ZSet, OnKeyGone.DelOnly);

        // Streams
        Add("xadd", "xadd", C.Stream);
        Add("xdel", "xdel", C.Stream);
        Add("xtrim", "xtrim", C.Stream);
        Add("xsetid", "xsetid", C.Stream);
        Add("xgroup|create", "xgroup-create", C.Stream);
        Add("xgroup|setid", "xgroup-setid", C.Stream);
        Add("xgroup|destroy", "xgroup-destroy", C.Stream);
        Add("xgroup|createconsumer", "xgroup-createconsumer", C.Stream);
        Add("xgroup|delconsumer", "xgroup-delconsumer", C.Stream);
        return t;
    }

    /// <summary>Declares each listed command's event on its spec (called once, when the table is built).</summary>
    public static void Apply(CommandTable table)
    {
        foreach (var spec in table.All)
        {
            if (ByCommand.TryGetValue(spec.Name, out var e)) spec.KeyspaceEvent = e;
            if (spec.Subcommands is null) continue;
            foreach (var sub in spec.Subcommands.Values)
                if (ByCommand.TryGetValue(sub.FullName, out var se)) sub.KeyspaceEvent = se;
        }
    }

    private static bool HasArg(CommandContext ctx, int from, ReadOnlySpan<byte> keyword)
    {
        for (int i = from; i < ctx.ArgCount; i++)
            if (ctx.ArgIs(i, keyword)) return true;
        return false;
    }

    private static bool HasExpireOption(CommandContext ctx, int from)
    {
        for (int i = from; i < ctx.ArgCount; i++)
            if (ctx.ArgIs(i, "ex"u8) || ctx.ArgIs(i, "px"u8) || ctx.ArgIs(i, "exat"u8) || ctx.ArgIs(i, "pxat"u8)) return true;
        return false;
    }

    private static bool IsArg(CommandContext ctx, int index, byte[] key) => ctx.Arg(index).SequenceEqual(key);

    // LMOVE src dst LEFT|RIGHT LEFT|RIGHT: the source pops from the first side, the destination pushes on the second.
    private static (string, C)? MoveEvent(CommandContext ctx, byte[] key, int whereFrom)
    {
        bool isSource = IsArg(ctx, 1, key);
        int side = isSource ? whereFrom : whereFrom + 1;
        bool left = ctx.ArgIs(side, "left"u8);
        return isSource ? (left ? "lpop" : "rpop", C.List) : (left ? "lpush" : "rpush", C.List);
    }
}
