using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Storage;
using Magpie.Storage.Values;

namespace Magpie.Server.Propagation;

/// <summary>
/// How each write is propagated, as Redis 7.0 rewrites it: relative and absolute expiry as
/// PEXPIREAT or SET ... PXAT (from the key's resulting state, so a replay gives the same TTL at any
/// time), GETEX as PEXPIREAT/PERSIST, GETDEL as DEL, INCRBYFLOAT as SET ... KEEPTTL, HINCRBYFLOAT as
/// HSET, RESTORE with a relative TTL as RESTORE ... ABSTTL, XADD with an automatic id as XADD with
/// the id it got, blocking pops as their non-blocking form on the key they served. Everything else
/// is propagated as it was sent.
/// </summary>
public static class PropagationRewrites
{
    public static void Write(CommandStream s, CommandContext ctx, int db)
    {
        switch (ctx.Command.Name)
        {
            case "expire":
            case "pexpire":
            case "expireat":
            case "pexpireat":
                Expiry(s, ctx, db, ctx.ArgBytes(1), persist: false);
                return;
            case "setex":
            case "psetex":
                StringState(s, ctx, db, ctx.ArgBytes(1), keepTtl: false);
                return;
            case "set":
                if (HasExpiryOption(ctx, 3)) StringState(s, ctx, db, ctx.ArgBytes(1), keepTtl: false);
                else Verbatim(s, ctx, db);
                return;
            case "getex":
                if (ctx.ArgCount == 2) return;
                Expiry(s, ctx, db, ctx.ArgBytes(1), persist: ctx.ArgIs(2, "persist"u8));
                return;
            case "getdel":
            {
                var w = s.BeginOp(db);
                w.Begin(2);
                w.Arg("DEL"u8);
                w.Arg(ctx.Arg(1));
                s.EndOp();
                return;
            }
            case "incrbyfloat":
                StringState(s, ctx, db, ctx.ArgBytes(1), keepTtl: true);
                return;
            case "hincrbyfloat":
            {
                var key = ctx.ArgBytes(1);
                if (ctx.Keyspace[db].Lookup(key)?.Value is RedisHash h && h.TryGet(ctx.Arg(2), out var value))
                    s.Command(db, ["HSET"u8.ToArray(), key, ctx.ArgBytes(2), value]);
                return;
            }
            case "restore":
                Restore(s, ctx, db);
                return;
            case "xadd":
                XAdd(s, ctx, db);
                return;
            case "blpop":
            case "brpop":
            case "bzpopmin":
            case "bzpopmax":
            case "blmpop":
            case "bzmpop":
            case "blmove":
            case "brpoplpush":
            {
                var args = new byte[ctx.ArgCount][];
                for (int i = 0; i < args.Length; i++) args[i] = ctx.ArgBytes(i);
                var served = ServedKey(s, args, db);
                if (served is not null) WriteServedBlockingPop(s, args, db, served);
                return;
            }
            default:
                Verbatim(s, ctx, db);
                return;
        }
    }

    /// <summary>The non-blocking form of a blocking pop that served <paramref name="key"/>.</summary>
    public static void WriteServedBlockingPop(CommandStream s, byte[][] args, int db, byte[] key)
    {
        string name = System.Text.Encoding.ASCII.GetString(args[0]).ToLowerInvariant();
        switch (name)
        {
            case "blpop":
                s.Command(db, ["LPOP"u8.ToArray(), key]);
                break;
            case "brpop":
                s.Command(db, ["RPOP"u8.ToArray(), key]);
                break;
            case "bzpopmin":
                s.Command(db, ["ZPOPMIN"u8.ToArray(), key]);
                break;
            case "bzpopmax":
                s.Command(db, ["ZPOPMAX"u8.ToArray(), key]);
                break;
            case "blmove":
                s.Command(db, ["LMOVE"u8.ToArray(), args[1], args[2], args[3], args[4]]);
                break;
            case "brpoplpush":
                s.Command(db, ["RPOPLPUSH"u8.ToArray(), args[1], args[2]]);
                break;
            case "blmpop":
            case "bzmpop":
            {
                // timeout numkeys key... LEFT|RIGHT|MIN|MAX [COUNT n]
                int numKeys = (int)Math.Min(int.MaxValue, RedisNumbers.TryParseInt64(args[2], out long nk) ? nk : 0);
                int where = 3 + numKeys;
                if (where >= args.Length) return;
                byte[] count = "1"u8.ToArray();
                if (where + 2 < args.Length) count = args[where + 2];
                bool first = RedisNumbers.EqualsIgnoreCase(args[where], "left"u8) || RedisNumbers.EqualsIgnoreCase(args[where], "min"u8);
                byte[] cmd = name == "blmpop" ? (first ? "LPOP"u8.ToArray() : "RPOP"u8.ToArray()) : (first ? "ZPOPMIN"u8.ToArray() : "ZPOPMAX"u8.ToArray());
                s.Command(db, [cmd, key, count]);
                break;
            }
        }
    }

    private static byte[]? ServedKey(CommandStream s, byte[][] args, int db)
    {
        switch (System.Text.Encoding.ASCII.GetString(args[0]).ToLowerInvariant())
        {
            case "blmove":
            case "brpoplpush":
                return s.FirstModified(db, args, 1, 2);
            case "blmpop":
            case "bzmpop":
            {
                if (args.Length < 3 || !RedisNumbers.TryParseInt64(args[2], out long nk)) return null;
                return s.FirstModified(db, args, 3, (int)Math.Min(args.Length, 3 + nk));
            }
            default:
                return s.FirstModified(db, args, 1, args.Length - 1);
        }
    }

    private static void Verbatim(CommandStream s, CommandContext ctx, int db)
    {
        var w = s.BeginOp(db);
        w.Begin(ctx.ArgCount);
        for (int i = 0; i < ctx.ArgCount; i++) w.Arg(ctx.Arg(i));
        s.EndOp();
    }

    private static bool HasExpiryOption(CommandContext ctx, int from)
    {
        for (int i = from; i < ctx.ArgCount; i++)
            if (ctx.ArgIs(i, "ex"u8) || ctx.ArgIs(i, "px"u8) || ctx.ArgIs(i, "exat"u8)) return true;
        return false;
    }

    /// <summary>The key's resulting TTL: PEXPIREAT, PERSIST, or DEL when the key is gone.</summary>
    private static void Expiry(CommandStream s, CommandContext ctx, int db, byte[] key, bool persist)
    {
        var entry = ctx.Keyspace[db].Lookup(key);
        if (entry is null)
        {
            s.Command(db, ["DEL"u8.ToArray(), key]);
            return;
        }
        if (entry.ExpireAt != 0)
        {
            var w = s.BeginOp(db);
            w.Begin(3);
            w.Arg("PEXPIREAT"u8);
            w.Arg(key);
            w.Arg(entry.ExpireAt);
            s.EndOp();
        }
        else if (persist) s.Command(db, ["PERSIST"u8.ToArray(), key]);
    }

    /// <summary>The string's resulting value and TTL: SET key value [PXAT ms | KEEPTTL], or DEL when gone.</summary>
    private static void StringState(CommandStream s, CommandContext ctx, int db, byte[] key, bool keepTtl)
    {
        var entry = ctx.Keyspace[db].Lookup(key);
        if (entry is null)
        {
            s.Command(db, ["DEL"u8.ToArray(), key]);
            return;
        }
        // A non-string left there means the command set nothing (NX on another type).
        if (entry.Value is not byte[] value) return;
        var w = s.BeginOp(db);
        if (keepTtl)
        {
            w.Begin(4);
            w.Arg("SET"u8);
            w.Arg(key);
            w.Arg(value);
            w.Arg("KEEPTTL"u8);
        }
        else if (entry.ExpireAt != 0)
        {
            w.Begin(5);
            w.Arg("SET"u8);
            w.Arg(key);
            w.Arg(value);
            w.Arg("PXAT"u8);
            w.Arg(entry.ExpireAt);
        }
        else
        {
            w.Begin(3);
            w.Arg("SET"u8);
            w.Arg(key);
            w.Arg(value);
        }
        s.EndOp();
    }

    private static void Restore(CommandStream s, CommandContext ctx, int db)
    {
        bool absTtl = false;
        for (int i = 4; i < ctx.ArgCount; i++) if (ctx.ArgIs(i, "absttl"u8)) absTtl = true;
        if (absTtl || ctx.Arg(2).SequenceEqual("0"u8))
        {
            Verbatim(s, ctx, db);
            return;
        }
        var key = ctx.ArgBytes(1);
        var entry = ctx.Keyspace[db].Lookup(key);
        if (entry is null)
        {
            s.Command(db, ["DEL"u8.ToArray(), key]);
            return;
        }
        var w = s.BeginOp(db);
        w.Begin(6);
        w.Arg("RESTORE"u8);
        w.Arg(key);
        w.Arg(entry.ExpireAt);
        w.Arg(ctx.Arg(3));
        w.Arg("REPLACE"u8);
        w.Arg("ABSTTL"u8);
        s.EndOp();
    }

    private static void XAdd(CommandStream s, CommandContext ctx, int db)
    {
        // XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] id|* field value ...
        int i = 2;
        while (i < ctx.ArgCount)
        {
            if (ctx.ArgIs(i, "nomkstream"u8)) { i++; continue; }
            if (ctx.ArgIs(i, "maxlen"u8) || ctx.ArgIs(i, "minid"u8))
            {
                i++;
                if (i < ctx.ArgCount && (ctx.Arg(i).SequenceEqual("="u8) || ctx.Arg(i).SequenceEqual("~"u8))) i++;
                i++;
                continue;
            }
            if (ctx.ArgIs(i, "limit"u8)) { i += 2; continue; }
            break;
        }
        var id = i < ctx.ArgCount ? ctx.Arg(i) : default;
        bool auto = id.Length > 0 && id[^1] == '*';
        if (!auto || ctx.Keyspace[db].Lookup(ctx.Arg(1))?.Value is not RedisStream stream)
        {
            Verbatim(s, ctx, db);
            return;
        }
        Span<byte> formatted = stackalloc byte[RedisStreamId.MaxFormattedLength];
        int len = stream.LastId.Format(formatted);
        var w = s.BeginOp(db);
        w.Begin(ctx.ArgCount);
        for (int j = 0; j < ctx.ArgCount; j++) w.Arg(j == i ? formatted[..len] : ctx.Arg(j));
        s.EndOp();
    }
}
