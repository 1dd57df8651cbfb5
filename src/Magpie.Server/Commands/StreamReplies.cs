using System.Text;
using Magpie.Protocol;
using Magpie.Storage;
using Magpie.Storage.Values;

namespace Magpie.Server.Commands;

/// <summary>Argument parsing and reply writing shared by the stream commands (Redis's t_stream.c helpers).</summary>
internal static class StreamReplies
{
    public const string InvalidId = "ERR Invalid stream ID specified as stream command argument";

    /// <summary>Looks up a key that must hold a stream; false (WRONGTYPE written) for another type.</summary>
    public static bool TryGetStream(CommandContext ctx, ReadOnlySpan<byte> key, bool forWrite, out Entry? entry, out RedisStream? stream)
    {
        entry = forWrite ? ctx.Db.GetForWrite(key) : ctx.Db.GetForRead(key);
        stream = null;
        if (entry is null) return true;
        if (entry.Value is RedisStream s)
        {
            stream = s;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>streamParseIDOrReply / streamParseStrictIDOrReply.</summary>
    public static bool TryParseId(CommandContext ctx, int index, ulong missingSeq, bool strict, out RedisStreamId id)
    {
        if (RedisStreamId.TryParse(ctx.Arg(index), missingSeq, strict, out id)) return true;
        ctx.Error(InvalidId);
        return false;
    }

    /// <summary>streamParseIntervalIDOrReply: an id, or "(" and a strict id for an exclusive bound.</summary>
    public static bool TryParseIntervalId(CommandContext ctx, int index, ulong missingSeq, out RedisStreamId id, out bool exclusive)
    {
        var arg = ctx.Arg(index);
        exclusive = arg.Length > 1 && arg[0] == '(';
        bool ok = exclusive
            ? RedisStreamId.TryParse(arg[1..], missingSeq, strict: true, out id)
            : RedisStreamId.TryParse(arg, missingSeq, strict: false, out id);
        if (!ok) ctx.Error(InvalidId);
        return ok;
    }

    /// <summary>A start bound: exclusive moves to the next id ("invalid start ID for the interval" at the maximum).</summary>
    public static bool TryParseRangeStart(CommandContext ctx, int index, out RedisStreamId start)
    {
        if (!TryParseIntervalId(ctx, index, 0, out start, out bool exclusive)) return false;
        if (exclusive && !start.TryIncrement(out start))
        {
            ctx.Error("ERR invalid start ID for the interval");
            return false;
        }
        return true;
    }

    public static bool TryParseRangeEnd(CommandContext ctx, int index, out RedisStreamId end)
    {
        if (!TryParseIntervalId(ctx, index, ulong.MaxValue, out end, out bool exclusive)) return false;
        if (exclusive && !end.TryDecrement(out end))
        {
            ctx.Error("ERR invalid end ID for the interval");
            return false;
        }
        return true;
    }

    public static void WriteId(RespWriter reply, RedisStreamId id)
    {
        Span<byte> buffer = stackalloc byte[RedisStreamId.MaxFormattedLength];
        reply.WriteBulk(buffer[..id.Format(buffer)]);
    }

    /// <summary>One entry: [id, [field, value, ...]].</summary>
    public static void WriteEntry(RespWriter reply, RedisStreamId id, byte[][] fields)
    {
        reply.WriteArrayHeader(2);
        WriteId(reply, id);
        reply.WriteArrayHeader(fields.Length);
        foreach (var f in fields) reply.WriteBulk(f);
    }

    public static void WriteBulkText(RespWriter reply, string text) => reply.WriteBulk(text);

    /// <summary>-NOGROUP errors name the key and group as raw text.</summary>
    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>XGROUP and XINFO HELP: like <see cref="HelpReply"/>, but Redis 7.0's stream help ends "Prints this help.".</summary>
    public static void WriteHelp(CommandContext ctx, string command, params string[] lines)
    {
        ctx.Reply.WriteArrayHeader(lines.Length + 3);
        ctx.Reply.WriteSimpleString($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (var line in lines) ctx.Reply.WriteSimpleString(line);
        ctx.Reply.WriteSimpleString("HELP");
        ctx.Reply.WriteSimpleString("    Prints this help.");
    }

    /// <summary>Redis's addReplySubcommandSyntaxError.</summary>
    public static void SubcommandSyntaxError(CommandContext ctx, string container)
    {
        var sub = ctx.ArgString(1);
        if (sub.Length > 128) sub = sub[..128];
        ctx.Error($"ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {container} HELP.");
    }

    /// <summary>getLongLongFromObjectOrReply with Redis's default or a custom message.</summary>
    public static bool TryGetLong(CommandContext ctx, int index, out long value, string? message = null)
    {
        if (RedisNumbers.TryParseInt64(ctx.Arg(index), out value)) return true;
        ctx.Error(message is null ? Errors.NotInteger : "ERR " + message);
        return false;
    }

    /// <summary>
    /// Adds (or moves to <paramref name="consumer"/>) the PEL entry of a delivered id, as
    /// streamReplyWithRange does for XREADGROUP.
    /// </summary>
    public static void RecordDelivery(RedisStreamGroup group, RedisStreamConsumer consumer, RedisStreamId id, long now)
    {
        if (group.Pending.TryGetValue(id, out var nack))
        {
            nack.Consumer.Pending.Remove(id);
            nack.Consumer = consumer;
            nack.DeliveryTime = now;
            nack.DeliveryCount = 1;
            consumer.Pending.Set(id, nack);
            return;
        }
        nack = new RedisStreamPending(consumer, now, 1);
        group.Pending.Set(id, nack);
        consumer.Pending.Set(id, nack);
    }

    /// <summary>
    /// Writes entries with id &gt;= <paramref name="start"/> (up to <paramref name="count"/>, 0 for
    /// all) for a group read: advances the group's last id and entries-read and fills the PELs
    /// unless <paramref name="noAck"/>. Returns how many were written.
    /// </summary>
    public static int WriteGroupRead(CommandContext ctx, RedisStream stream, RedisStreamId start, long count, RedisStreamGroup group, RedisStreamConsumer consumer, bool noAck)
    {
        var entries = stream.Entries.Snapshot(start, RedisStreamId.Max, count == 0 ? long.MaxValue : count);
        ctx.Reply.WriteArrayHeader(entries.Count);
        foreach (var (id, fields) in entries)
        {
            if (id > group.LastId)
            {
                if (group.EntriesRead != RedisStreamGroup.InvalidEntriesRead && !stream.RangeHasTombstones(id, null))
                    group.EntriesRead++;
                else if (stream.EntriesAdded != 0)
                    group.EntriesRead = stream.EstimateDistanceFromFirstEverEntry(id);
                group.LastId = id;
            }
            WriteEntry(ctx.Reply, id, fields);
            if (!noAck) RecordDelivery(group, consumer, id, ctx.Now);
        }
        return entries.Count;
    }

    /// <summary>XREADGROUP with a history id: the consumer's own pending entries after <paramref name="start"/>.</summary>
    public static void WriteConsumerHistory(CommandContext ctx, RedisStream stream, RedisStreamId start, long count, RedisStreamConsumer consumer)
    {
        var pending = consumer.Pending.Snapshot(start, RedisStreamId.Max, count == 0 ? long.MaxValue : count);
        ctx.Reply.WriteArrayHeader(pending.Count);
        foreach (var (id, nack) in pending)
        {
            if (stream.Entries.TryGetValue(id, out var fields))
            {
                WriteEntry(ctx.Reply, id, fields);
                nack.DeliveryTime = ctx.Now;
                nack.DeliveryCount++;
            }
            else
            {
                ctx.Reply.WriteArrayHeader(2);
                WriteId(ctx.Reply, id);
                ctx.Reply.WriteNullArray();
            }
        }
    }

    /// <summary>The last entry's id (streamLastValidID), or 0-0 for an empty stream.</summary>
    public static RedisStreamId LastValidId(RedisStream stream) =>
        stream.Entries.TryGetLast(out var id, out _) ? id : RedisStreamId.Min;
}
