using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;
using static Magpie.Server.Commands.StreamReplies;

namespace Magpie.Server.Commands;

/// <summary>
/// Stream commands with Redis 7.0 semantics: the table entries for every X command, and XADD,
/// XRANGE, XREVRANGE, XLEN, XDEL, XTRIM and XSETID. Reads are in <see cref="StreamReadCommands"/>,
/// consumer groups in <see cref="StreamGroupCommands"/>, XINFO in <see cref="StreamInfoCommands"/>.
/// </summary>
public static class StreamCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "stream";
        t.Add(new() { Name = "xadd", Arity = -5, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XAdd, Group = "stream", Summary = "Appends a new entry to a stream", Since = "5.0.0", Complexity = "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.", Acl = "@write @stream @fast", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Update) { Index = 1, Notes = "UPDATE instead of INSERT because of the optional trimming feature" }], Tips = ["nondeterministic_output"], History = [("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."), ("7.0.0", "Added support for the `<ms>-*` explicit ID form.")] });
        t.Add(new() { Name = "xrange", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => XRange(ctx, reverse: false), Group = "stream", Summary = "Return a range of elements in a stream, with IDs matching the specified IDs interval", Since = "5.0.0", Complexity = "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", Acl = "@read @stream @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], History = [("6.2.0", "Added exclusive ranges.")] });
        t.Add(new() { Name = "xrevrange", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => XRange(ctx, reverse: true), Group = "stream", Summary = "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", Since = "5.0.0", Complexity = "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", Acl = "@read @stream @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], History = [("6.2.0", "Added exclusive ranges.")] });
        t.Add(new() { Name = "xlen", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XLen, Group = "stream", Summary = "Return the number of entries in a stream", Since = "5.0.0", Complexity = "O(1)", Acl = "@read @stream @fast", Keys = [new(KeySpecFlags.RO) { Index = 1 }] });
        t.Add(new() { Name = "xdel", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XDel, Group = "stream", Summary = "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", Since = "5.0.0", Complexity = "O(1) for each single item to delete in the stream, regardless of the stream size.", Acl = "@write @stream @fast", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Delete) { Index = 1 }] });
        t.Add(new() { Name = "xtrim", Arity = -4, Flags = Write, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XTrim, Group = "stream", Summary = "Trims the stream to (approximately if '~' is passed) a certain size", Since = "5.0.0", Complexity = "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.", Acl = "@write @stream @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Delete) { Index = 1 }], Tips = ["nondeterministic_output"], History = [("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option.")] });
        t.Add(new() { Name = "xsetid", Arity = -3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XSetId, Group = "stream", Summary = "An internal command for replicating stream values", Since = "5.0.0", Complexity = "O(1)", Acl = "@write @stream @fast", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Update) { Index = 1 }], History = [("7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments.")] });
        StreamReadCommands.Register(t, g);
        StreamGroupCommands.Register(t, g);
        StreamInfoCommands.Register(t, g);
    }

    /// <summary>What XADD and XTRIM parsed (streamAddTrimArgs).</summary>
    private struct TrimArgs
    {
        public bool HasTrim;
        public bool ByMinId;
        public long MaxLen;
        public RedisStreamId MinId;
        public bool Approx;
        public long Limit;
        public bool NoMkStream;
        public bool IdGiven;
        public bool SeqGiven;
        public RedisStreamId Id;
    }

    /// <summary>streamParseAddOrTrimArgsOrReply: returns the id's position for XADD (or the end), -1 after an error.</summary>
    private static int ParseAddOrTrim(CommandContext ctx, bool xadd, out TrimArgs args)
    {
        args = default;
        args.SeqGiven = true;
        bool limitGiven = false;
        int i = 2;
        for (; i < ctx.ArgCount; i++)
        {
            int moreArgs = ctx.ArgCount - 1 - i;
            var opt = ctx.Arg(i);
            if (xadd && opt.Length == 1 && opt[0] == '*') break;
            if ((ctx.ArgIs(i, "maxlen"u8) || ctx.ArgIs(i, "minid"u8)) && moreArgs > 0)
            {
                bool byMinId = ctx.ArgIs(i, "minid"u8);
                if (args.HasTrim)
                {
                    ctx.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                    return -1;
                }
                args.Approx = false;
                var next = ctx.Arg(i + 1);
                if (moreArgs >= 2 && next.Length == 1 && next[0] == '~')
                {
                    args.Approx = true;
                    i++;
                }
                else if (moreArgs >= 2 && next.Length == 1 && next[0] == '=') i++;
                if (byMinId)
                {
                    if (!TryParseId(ctx, i + 1, 0, strict: true, out args.MinId)) return -1;
                }
                else
                {
                    if (!TryGetLong(ctx, i + 1, out args.MaxLen)) return -1;
                    if (args.MaxLen < 0)
                    {
                        ctx.Error("ERR The MAXLEN argument must be >= 0.");
                        return -1;
                    }
                }
                i++;
                args.HasTrim = true;
                args.ByMinId = byMinId;
            }
            else if (ctx.ArgIs(i, "limit"u8) && moreArgs > 0)
            {
                if (!TryGetLong(ctx, i + 1, out args.Limit)) return -1;
                if (args.Limit < 0)
                {
                    ctx.Error("ERR The LIMIT argument must be >= 0.");
                    return -1;
                }
                limitGiven = true;
                i++;
            }
            else if (xadd && ctx.ArgIs(i, "nomkstream"u8)) args.NoMkStream = true;
            else if (xadd)
            {
                if (!RedisStreamId.TryParse(opt, 0, strict: true, out args.Id, allowSeqStar: true, out args.SeqGiven))
                {
                    ctx.Error(InvalidId);
                    return -1;
                }
                args.IdGiven = true;
                break;
            }
            else
            {
                ctx.SyntaxError();
                return -1;
            }
        }
        if (args.Limit != 0 && !args.HasTrim)
        {
            ctx.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return -1;
        }
        if (!xadd && !args.HasTrim)
        {
            ctx.Error("ERR syntax error, XTRIM must be called with a trimming strategy");
            return -1;
        }
        if (limitGiven)
        {
            if (!args.Approx)
            {
                ctx.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
                return -1;
            }
        }
        else args.Limit = args.Approx ? 100L * RedisStreamNodes.MaxEntries : 0;
        return i;
    }

    private static long Trim(RedisStream stream, in TrimArgs args) =>
        stream.Trim(args.MaxLen, args.ByMinId ? args.MinId : null, args.Approx, args.Limit);

    private static void XAdd(CommandContext ctx)
    {
        int idPos = ParseAddOrTrim(ctx, xadd: true, out var args);
        if (idPos < 0) return;
        int fieldPos = idPos + 1;
        int pairsArgs = ctx.ArgCount - fieldPos;
        if (pairsArgs < 2 || pairsArgs % 2 == 1)
        {
            ctx.WrongArity();
            return;
        }
        if (args.IdGiven && args.SeqGiven && args.Id.IsZero)
        {
            ctx.Error("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }
        var key = ctx.Arg(1);
        if (!TryGetStream(ctx, key, true, out var entry, out var stream)) return;
        if (stream is null)
        {
            if (args.NoMkStream)
            {
                ctx.Reply.WriteNull();
                return;
            }
            stream = new RedisStream();
            entry = ctx.Db.Add(key, stream);
        }
        if (stream.LastId == RedisStreamId.Max)
        {
            ctx.Error("ERR The stream has exhausted the last possible ID, unable to add more items");
            return;
        }
        RedisStreamId id;
        var last = stream.LastId;
        if (args.IdGiven)
        {
            if (args.SeqGiven) id = args.Id;
            else if (last.Ms == args.Id.Ms)
            {
                if (last.Seq == ulong.MaxValue)
                {
                    ctx.Error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
                    return;
                }
                id = new(last.Ms, last.Seq + 1);
            }
            else id = args.Id;
        }
        else
        {
            ulong ms = (ulong)ctx.Now;
            if (ms > last.Ms) id = new(ms, 0);
            else last.TryIncrement(out id);
        }
        if (id <= last)
        {
            ctx.Error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
            return;
        }
        var fields = new byte[pairsArgs][];
        for (int i = 0; i < pairsArgs; i++) fields[i] = ctx.ArgBytes(fieldPos + i);
        stream.Add(id, fields);
        WriteId(ctx.Reply, id);
        if (args.HasTrim) Trim(stream, args);
        ctx.Db.SignalModified(entry!);
    }

    private static void XRange(CommandContext ctx, bool reverse)
    {
        int startArg = reverse ? 3 : 2, endArg = reverse ? 2 : 3;
        if (!TryParseRangeStart(ctx, startArg, out var start)) return;
        if (!TryParseRangeEnd(ctx, endArg, out var end)) return;
        long count = -1;
        for (int j = 4; j < ctx.ArgCount; j++)
        {
            if (ctx.ArgIs(j, "count"u8) && j + 1 < ctx.ArgCount)
            {
                if (!TryGetLong(ctx, j + 1, out count)) return;
                if (count < 0) count = 0;
                j++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (!TryGetStream(ctx, ctx.Arg(1), false, out _, out var stream)) return;
        if (stream is null)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        if (count == 0)
        {
            ctx.Reply.WriteNullArray();
            return;
        }
        long limit = count < 0 ? long.MaxValue : count;
        var list = new List<KeyValuePair<RedisStreamId, byte[][]>>();
        foreach (var kv in reverse ? stream.Entries.Descending(start, end) : stream.Entries.Ascending(start, end))
        {
            if (list.Count >= limit) break;
            list.Add(kv);
        }
        ctx.Reply.WriteArrayHeader(list.Count);
        foreach (var (id, fields) in list) WriteEntry(ctx.Reply, id, fields);
    }

    private static void XLen(CommandContext ctx)
    {
        if (!TryGetStream(ctx, ctx.Arg(1), false, out _, out var stream)) return;
        ctx.Reply.WriteInteger(stream?.Length ?? 0);
    }

    private static void XDel(CommandContext ctx)
    {
        if (!TryGetStream(ctx, ctx.Arg(1), true, out var entry, out var stream)) return;
        if (stream is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var ids = new RedisStreamId[ctx.ArgCount - 2];
        for (int j = 2; j < ctx.ArgCount; j++)
            if (!TryParseId(ctx, j, 0, strict: true, out ids[j - 2])) return;
        long deleted = 0;
        foreach (var id in ids)
            if (stream.Delete(id)) deleted++;
        if (deleted > 0)
        {
            stream.UpdateFirstIdAfterDelete();
            ctx.Db.SignalModified(entry!);
        }
        ctx.Reply.WriteInteger(deleted);
    }

    private static void XTrim(CommandContext ctx)
    {
        if (ParseAddOrTrim(ctx, xadd: false, out var args) < 0) return;
        if (!TryGetStream(ctx, ctx.Arg(1), true, out var entry, out var stream)) return;
        if (stream is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        long deleted = Trim(stream, args);
        if (deleted > 0) ctx.Db.SignalModified(entry!);
        ctx.Reply.WriteInteger(deleted);
    }

    private static void XSetId(CommandContext ctx)
    {
        if (!TryParseId(ctx, 2, 0, strict: true, out var id)) return;
        long entriesAdded = -1;
        var maxDeleted = RedisStreamId.Min;
        int i = 3;
        while (i < ctx.ArgCount)
        {
            bool moreArgs = ctx.ArgCount - 1 - i > 0;
            if (ctx.ArgIs(i, "entriesadded"u8) && moreArgs)
            {
                if (!TryGetLong(ctx, i + 1, out entriesAdded)) return;
                if (entriesAdded < 0)
                {
                    ctx.Error("ERR entries_added must be positive");
                    return;
                }
                i += 2;
            }
            else if (ctx.ArgIs(i, "maxdeletedid"u8) && moreArgs)
            {
                if (!TryParseId(ctx, i + 1, 0, strict: true, out maxDeleted)) return;
                if (id < maxDeleted)
                {
                    ctx.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
                i += 2;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (!TryGetStream(ctx, ctx.Arg(1), true, out var entry, out var stream)) return;
        if (stream is null)
        {
            ctx.Error(Errors.NoSuchKey);
            return;
        }
        if (stream.Length > 0)
        {
            if (id < LastValidId(stream))
            {
                ctx.Error("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }
            if (entriesAdded != -1 && stream.Length > entriesAdded)
            {
                ctx.Error("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }
        if (id < stream.MaxDeletedEntryId)
        {
            ctx.Error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
            return;
        }
        stream.LastId = id;
        if (entriesAdded != -1) stream.EntriesAdded = entriesAdded;
        if (!maxDeleted.IsZero) stream.MaxDeletedEntryId = maxDeleted;
        ctx.Db.SignalModified(entry!);
        ctx.Reply.WriteOk();
    }
}
