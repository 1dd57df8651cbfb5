using Magpie.Protocol;
using Magpie.Server.Blocking;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;
using static Magpie.Server.Commands.StreamReplies;

namespace Magpie.Server.Commands;

/// <summary>
/// XREAD and XREADGROUP (Redis 7.0's xreadCommand), with BLOCK on the shared
/// <see cref="BlockingRegistry"/>: a blocked reader is served from the stream that was written to,
/// with the ids it resolved when it blocked ("$" is the last id at that moment).
/// </summary>
public static class StreamReadCommands
{
    /// <summary>XREAD_BLOCKED_DEFAULT_COUNT: a blocked read without COUNT returns at most this many.</summary>
    private const long BlockedDefaultCount = 1000;

    /// <summary>The ">" id of XREADGROUP, kept as the maximum id as Redis does.</summary>
    private static readonly RedisStreamId NewEntries = RedisStreamId.Max;

    internal static void Register(CommandTable t, string g)
    {
        t.Add(new() { Name = "xread", Arity = -4, Flags = ReadOnly | CommandFlags.Blocking | MovableKeys, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = ctx => XRead(ctx, group: false), Group = "stream", Summary = "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", Since = "5.0.0", Complexity = "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.", Acl = "@read @stream @slow @blocking", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Keyword = "STREAMS", StartFrom = 1, LastKey = -1, Limit = 2 }] });
        t.Add(new() { Name = "xreadgroup", Arity = -7, Flags = Write | CommandFlags.Blocking | MovableKeys, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = ctx => XRead(ctx, group: true), Group = "stream", Summary = "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", Since = "5.0.0", Complexity = "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.", Acl = "@write @stream @slow @blocking", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Keyword = "STREAMS", StartFrom = 4, LastKey = -1, Limit = 2 }] });
    }

    private static void XRead(CommandContext ctx, bool group)
    {
        long timeout = -1;
        long count = 0;
        int streamsArg = 0, streamsCount = 0;
        bool noAck = false;
        int groupArg = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            int moreArgs = ctx.ArgCount - i - 1;
            if (ctx.ArgIs(i, "block"u8) && moreArgs > 0)
            {
                i++;
                if (!TryParseTimeoutMs(ctx, i, out timeout)) return;
            }
            else if (ctx.ArgIs(i, "count"u8) && moreArgs > 0)
            {
                i++;
                if (!TryGetLong(ctx, i, out count)) return;
                if (count < 0) count = 0;
            }
            else if (ctx.ArgIs(i, "streams"u8) && moreArgs > 0)
            {
                streamsArg = i + 1;
                streamsCount = ctx.ArgCount - streamsArg;
                if (streamsCount % 2 != 0)
                {
                    // 7.0 says XREAD and '$' for XREADGROUP too.
                    ctx.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                    return;
                }
                streamsCount /= 2;
                break;
            }
            else if (ctx.ArgIs(i, "group"u8) && moreArgs >= 2)
            {
                if (!group)
                {
                    ctx.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                groupArg = i + 1;
                i += 2;
            }
            else if (ctx.ArgIs(i, "noack"u8))
            {
                if (!group)
                {
                    ctx.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                noAck = true;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (streamsArg == 0)
        {
            ctx.SyntaxError();
            return;
        }
        if (group && groupArg == 0)
        {
            ctx.Error("ERR Missing GROUP option for XREADGROUP");
            return;
        }

        var ids = new RedisStreamId[streamsCount];
        for (int k = 0; k < streamsCount; k++)
        {
            int idArg = streamsArg + streamsCount + k;
            var key = ctx.Arg(streamsArg + k);
            var entry = ctx.Db.Lookup(key);
            if (entry is not null && entry.Value is not RedisStream)
            {
                ctx.WrongType();
                return;
            }
            var stream = entry?.Value as RedisStream;
            if (group && (stream is null || stream.FindGroup(ctx.Arg(groupArg)) is null))
            {
                ctx.Error($"NOGROUP No such key '{Text(key)}' or consumer group '{Text(ctx.Arg(groupArg))}' in XREADGROUP with GROUP option");
                return;
            }
            var idText = ctx.Arg(idArg);
            if (idText.Length == 1 && idText[0] == '$')
            {
                if (group)
                {
                    ctx.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
                    return;
                }
                ids[k] = stream?.LastId ?? RedisStreamId.Min;
                continue;
            }
            if (idText.Length == 1 && idText[0] == '>')
            {
                if (!group)
                {
                    ctx.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                    return;
                }
                ids[k] = NewEntries;
                continue;
            }
            if (!TryParseId(ctx, idArg, 0, strict: true, out ids[k])) return;
        }

        // Which streams can be served now.
        var serve = new bool[streamsCount];
        var history = new bool[streamsCount];
        int served = 0;
        for (int k = 0; k < streamsCount; k++)
        {
            var entry = ctx.Db.GetForRead(ctx.Arg(streamsArg + k));
            if (entry?.Value is not RedisStream stream) continue;
            if (group)
            {
                var cg = stream.FindGroup(ctx.Arg(groupArg))!;
                if (ids[k] != NewEntries)
                {
                    serve[k] = history[k] = true;
                }
                else if (stream.Length > 0 && LastValidId(stream) > cg.LastId)
                {
                    serve[k] = true;
                    ids[k] = cg.LastId;
                }
            }
            else if (stream.Length > 0 && LastValidId(stream) > ids[k]) serve[k] = true;
            if (serve[k]) served++;
        }

        if (served > 0)
        {
            if (ctx.Reply.IsResp3) ctx.Reply.WriteMapHeader(served);
            else ctx.Reply.WriteArrayHeader(served);
            for (int k = 0; k < streamsCount; k++)
            {
                if (!serve[k]) continue;
                var key = ctx.Arg(streamsArg + k);
                var entry = ctx.Db.Lookup(key)!;
                var stream = (RedisStream)entry.Value;
                if (!ctx.Reply.IsResp3) ctx.Reply.WriteArrayHeader(2);
                ctx.Reply.WriteBulk(key);
                ids[k].TryIncrement(out var start);
                if (group)
                {
                    var cg = stream.FindGroup(ctx.Arg(groupArg))!;
                    // 7.0 creates (or refreshes) the consumer only for a stream it serves.
                    var consumer = cg.GetOrAddConsumer(ctx.Arg(groupArg + 1), ctx.Now, out _);
                    consumer.SeenTime = ctx.Now;
                    if (history[k]) WriteConsumerHistory(ctx, stream, start, count, consumer);
                    else WriteGroupRead(ctx, stream, start, count, cg, consumer, noAck);
                    ctx.Db.SignalModified(entry);
                }
                else WriteRange(ctx, stream, start, count);
            }
            return;
        }

        if (timeout == -1 || !ctx.Server.Blocking.CanBlock(ctx))
        {
            // No BLOCK, or a context that cannot block (MULTI): the answer of a timeout.
            ctx.Reply.WriteNullArray();
            return;
        }
        var keys = new byte[streamsCount][];
        var waits = new Dictionary<string, RedisStreamId>(streamsCount);
        for (int k = 0; k < streamsCount; k++)
        {
            keys[k] = ctx.ArgBytes(streamsArg + k);
            waits.TryAdd(Convert.ToBase64String(keys[k]), ids[k]);
        }
        long blockCount = count != 0 ? count : BlockedDefaultCount;
        long deadline = timeout == 0 ? 0 : (timeout > long.MaxValue - ctx.Now ? long.MaxValue : ctx.Now + timeout);
        var waiter = ctx.Server.Blocking.Block(ctx, keys, deadline,
            (w, readyKey) => ServeBlocked(w, readyKey, waits[Convert.ToBase64String(readyKey)], blockCount, group, groupArg, noAck));
        if (group) waiter.ServeWhenKeyMissing = true;
    }

    /// <summary>Writes [id, fields] for entries &gt;= start (XREAD), up to count (0: all).</summary>
    private static void WriteRange(CommandContext ctx, RedisStream stream, RedisStreamId start, long count)
    {
        var entries = stream.Entries.Snapshot(start, RedisStreamId.Max, count == 0 ? long.MaxValue : count);
        ctx.Reply.WriteArrayHeader(entries.Count);
        foreach (var (id, fields) in entries) WriteEntry(ctx.Reply, id, fields);
    }

    /// <summary>
    /// Serves a blocked XREAD/XREADGROUP from the stream that became ready (serveClientsBlockedOnStreamKey).
    /// A deleted or retyped key ends an XREADGROUP wait with an error, as does a destroyed group.
    /// </summary>
    private static bool ServeBlocked(CommandContext ctx, byte[] readyKey, RedisStreamId waitedAfter, long count, bool group, int groupArg, bool noAck)
    {
        var entry = ctx.Db.Lookup(readyKey);
        if (entry?.Value is not RedisStream stream)
        {
            if (!group) return false;
            ctx.Error("UNBLOCKED the stream key no longer exists");
            return true;
        }
        RedisStreamGroup? cg = null;
        var gt = waitedAfter;
        if (group)
        {
            cg = stream.FindGroup(ctx.Arg(groupArg));
            if (cg is null)
            {
                ctx.Error("NOGROUP the consumer group this client was blocked on no longer exists");
                return true;
            }
            gt = cg.LastId;
        }
        if (stream.LastId <= gt) return false;
        gt.TryIncrement(out var start);
        if (ctx.Reply.IsResp3) ctx.Reply.WriteMapHeader(1);
        else
        {
            ctx.Reply.WriteArrayHeader(1);
            ctx.Reply.WriteArrayHeader(2);
        }
        ctx.Reply.WriteBulk(readyKey);
        if (cg is not null)
        {
            var consumer = cg.GetOrAddConsumer(ctx.Arg(groupArg + 1), ctx.Now, out _);
            consumer.SeenTime = ctx.Now;
            WriteGroupRead(ctx, stream, start, count, cg, consumer, noAck);
            ctx.Db.SignalModified(entry);
        }
        else WriteRange(ctx, stream, start, count);
        return true;
    }

    /// <summary>BLOCK's milliseconds (getTimeoutFromObjectOrReply with UNIT_MILLISECONDS).</summary>
    private static bool TryParseTimeoutMs(CommandContext ctx, int index, out long ms)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(index), out ms))
        {
            ctx.Error("ERR timeout is not an integer or out of range");
            return false;
        }
        if (ms < 0)
        {
            ctx.Error("ERR timeout is negative");
            return false;
        }
        return true;
    }
}
