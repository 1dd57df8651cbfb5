using Magpie.Storage;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;
using static Magpie.Server.Commands.StreamReplies;

namespace Magpie.Server.Commands;

/// <summary>Consumer groups: XGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM with Redis 7.0's replies and errors.</summary>
public static class StreamGroupCommands
{
    private const string KeyMustExist = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";

    internal static void Register(CommandTable t, string g)
    {
        t.AddContainer("xgroup", g, "A container for consumer groups commands.", None,
            new() { Name = "create", Parent = "xgroup", Arity = -5, Flags = Write | DenyOom, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XGroup, Group = "stream", Summary = "Create a consumer group.", Since = "5.0.0", Complexity = "O(1)", Acl = "@write @stream @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Insert) { Index = 2 }], History = [("7.0.0", "Added the `entries_read` named argument.")] },
            new() { Name = "setid", Parent = "xgroup", Arity = -5, Flags = Write, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XGroup, Group = "stream", Summary = "Set a consumer group to an arbitrary last delivered ID value.", Since = "5.0.0", Complexity = "O(1)", Acl = "@write @stream @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Update) { Index = 2 }], History = [("7.0.0", "Added the optional `entries_read` argument.")] },
            new() { Name = "destroy", Parent = "xgroup", Arity = 4, Flags = Write, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XGroup, Group = "stream", Summary = "Destroy a consumer group.", Since = "5.0.0", Complexity = "O(N) where N is the number of entries in the group's pending entries list (PEL).", Acl = "@write @stream @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Delete) { Index = 2 }] },
            new() { Name = "createconsumer", Parent = "xgroup", Arity = 5, Flags = Write | DenyOom, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XGroup, Group = "stream", Summary = "Create a consumer in a consumer group.", Since = "6.2.0", Complexity = "O(1)", Acl = "@write @stream @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Insert) { Index = 2 }] },
            new() { Name = "delconsumer", Parent = "xgroup", Arity = 5, Flags = Write, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XGroup, Group = "stream", Summary = "Delete a consumer from a consumer group.", Since = "5.0.0", Complexity = "O(1)", Acl = "@write @stream @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Delete) { Index = 2 }] },
            new() { Name = "help", Parent = "xgroup", Arity = 2, Flags = Loading | Stale, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = XGroup, Group = "stream", Summary = "Show helpful text about the different subcommands", Since = "5.0.0", Complexity = "O(1)", Acl = "@stream @slow", Keys = [] });
        t.Add(new() { Name = "xack", Arity = -4, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XAck, Group = "stream", Summary = "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", Since = "5.0.0", Complexity = "O(1) for each message ID processed.", Acl = "@write @stream @fast", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Update) { Index = 1 }] });
        t.Add(new() { Name = "xpending", Arity = -3, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XPending, Group = "stream", Summary = "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", Since = "5.0.0", Complexity = "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.", Acl = "@read @stream @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], Tips = ["nondeterministic_output"], History = [("6.2.0", "Added the `IDLE` option and exclusive range intervals.")] });
        t.Add(new() { Name = "xclaim", Arity = -6, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XClaim, Group = "stream", Summary = "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", Since = "5.0.0", Complexity = "O(log N) with N being the number of messages in the PEL of the consumer group.", Acl = "@write @stream @fast", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Update) { Index = 1 }], Tips = ["nondeterministic_output"] });
        t.Add(new() { Name = "xautoclaim", Arity = -6, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = XAutoClaim, Group = "stream", Summary = "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", Since = "6.2.0", Complexity = "O(1) if COUNT is small.", Acl = "@write @stream @fast", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Delete) { Index = 1 }], Tips = ["nondeterministic_output"], History = [("7.0.0", "Added an element to the reply array, containing deleted entries the command cleared from the PEL")] });
    }

    private static void XGroup(CommandContext ctx)
    {
        bool create = ctx.ArgIs(1, "create"u8), setId = ctx.ArgIs(1, "setid"u8);
        bool mkStream = false;
        long entriesRead = RedisStreamGroup.InvalidEntriesRead;
        Entry? entry = null;
        RedisStream? stream = null;
        RedisStreamGroup? cg = null;
        if (ctx.ArgCount >= 4)
        {
            int i = 5;
            while (i < ctx.ArgCount)
            {
                if (create && ctx.ArgIs(i, "mkstream"u8))
                {
                    mkStream = true;
                    i++;
                }
                else if ((create || setId) && ctx.ArgIs(i, "entriesread"u8) && i + 1 < ctx.ArgCount)
                {
                    if (!TryGetLong(ctx, i + 1, out entriesRead)) return;
                    if (entriesRead < 0 && entriesRead != RedisStreamGroup.InvalidEntriesRead)
                    {
                        ctx.Error("ERR value for ENTRIESREAD must be positive or -1");
                        return;
                    }
                    i += 2;
                }
                else
                {
                    SubcommandSyntaxError(ctx, "XGROUP");
                    return;
                }
            }
            if (!TryGetStream(ctx, ctx.Arg(2), true, out entry, out stream)) return;
        }
        if (ctx.ArgCount >= 4 && !mkStream)
        {
            if (stream is null)
            {
                ctx.Error(KeyMustExist);
                return;
            }
            cg = stream.FindGroup(ctx.Arg(3));
            if (cg is null && (setId || ctx.ArgIs(1, "createconsumer"u8) || ctx.ArgIs(1, "delconsumer"u8)))
            {
                ctx.Error($"NOGROUP No such consumer group '{Text(ctx.Arg(3))}' for key name '{Text(ctx.Arg(2))}'");
                return;
            }
        }
        else if (ctx.ArgCount >= 4) cg = stream?.FindGroup(ctx.Arg(3));

        if (ctx.ArgCount == 2 && ctx.ArgIs(1, "help"u8))
        {
            WriteHelp(ctx, "XGROUP",
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter.");
        }
        else if (create && ctx.ArgCount >= 5 && ctx.ArgCount <= 8)
        {
            RedisStreamId id;
            if (IsDollar(ctx, 4)) id = stream?.LastId ?? RedisStreamId.Min;
            else if (!TryParseId(ctx, 4, 0, strict: true, out id)) return;
            if (stream is null)
            {
                stream = new RedisStream();
                entry = ctx.Db.Add(ctx.Arg(2), stream);
            }
            if (stream.TryCreateGroup(ctx.ArgBytes(3), id, entriesRead, out _))
            {
                ctx.Db.SignalModified(entry!);
                ctx.Reply.WriteOk();
            }
            else ctx.Error("BUSYGROUP Consumer Group name already exists");
        }
        else if (setId && (ctx.ArgCount == 5 || ctx.ArgCount == 7))
        {
            RedisStreamId id;
            if (IsDollar(ctx, 4)) id = stream!.LastId;
            else if (!TryParseId(ctx, 4, 0, strict: false, out id)) return;
            cg!.LastId = id;
            cg.EntriesRead = entriesRead;
            ctx.Db.SignalModified(entry!);
            ctx.Reply.WriteOk();
        }
        else if (ctx.ArgIs(1, "destroy"u8) && ctx.ArgCount == 4)
        {
            if (cg is not null)
            {
                stream!.RemoveGroup(ctx.Arg(3));
                // Signalling the key unblocks XREADGROUP clients of the group with -NOGROUP.
                ctx.Db.SignalModified(entry!);
                ctx.Reply.WriteInteger(1);
            }
            else ctx.Reply.WriteInteger(0);
        }
        else if (ctx.ArgIs(1, "createconsumer"u8) && ctx.ArgCount == 5)
        {
            cg!.GetOrAddConsumer(ctx.Arg(4), ctx.Now, out bool created);
            if (created) ctx.Db.SignalModified(entry!);
            ctx.Reply.WriteInteger(created ? 1 : 0);
        }
        else if (ctx.ArgIs(1, "delconsumer"u8) && ctx.ArgCount == 5)
        {
            long pending = 0;
            var consumer = cg!.FindConsumer(ctx.Arg(4));
            if (consumer is not null)
            {
                pending = cg.RemoveConsumer(consumer);
                ctx.Db.SignalModified(entry!);
            }
            ctx.Reply.WriteInteger(pending);
        }
        else SubcommandSyntaxError(ctx, "XGROUP");
    }

    private static bool IsDollar(CommandContext ctx, int index)
    {
        var a = ctx.Arg(index);
        return a.Length == 1 && a[0] == '$';
    }

    private static void XAck(CommandContext ctx)
    {
        if (!TryGetStream(ctx, ctx.Arg(1), false, out var entry, out var stream)) return;
        var cg = stream?.FindGroup(ctx.Arg(2));
        if (cg is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var ids = new RedisStreamId[ctx.ArgCount - 3];
        for (int j = 3; j < ctx.ArgCount; j++)
            if (!TryParseId(ctx, j, 0, strict: true, out ids[j - 3])) return;
        long acknowledged = 0;
        foreach (var id in ids)
        {
            if (cg.Pending.Remove(id, out var nack))
            {
                nack.Consumer.Pending.Remove(id);
                acknowledged++;
            }
        }
        if (acknowledged > 0) ctx.Db.SignalModified(entry!);
        ctx.Reply.WriteInteger(acknowledged);
    }

    private static void XPending(CommandContext ctx)
    {
        bool summary = ctx.ArgCount == 3;
        if (!summary && (ctx.ArgCount < 6 || ctx.ArgCount > 9))
        {
            ctx.SyntaxError();
            return;
        }
        long count = 0, minIdle = 0;
        var start = RedisStreamId.Min;
        var end = RedisStreamId.Max;
        int consumerArg = 0;
        if (ctx.ArgCount >= 6)
        {
            int startIdx = 3;
            if (ctx.ArgIs(3, "idle"u8))
            {
                if (!TryGetLong(ctx, 4, out minIdle)) return;
                if (ctx.ArgCount < 8)
                {
                    ctx.SyntaxError();
                    return;
                }
                startIdx += 2;
            }
            if (!TryGetLong(ctx, startIdx + 2, out count)) return;
            if (count < 0) count = 0;
            if (!TryParseRangeStart(ctx, startIdx, out start)) return;
            if (!TryParseRangeEnd(ctx, startIdx + 1, out end)) return;
            if (startIdx + 3 < ctx.ArgCount) consumerArg = startIdx + 3;
        }
        if (!TryGetStream(ctx, ctx.Arg(1), false, out _, out var stream)) return;
        var cg = stream?.FindGroup(ctx.Arg(2));
        if (cg is null)
        {
            ctx.Error($"NOGROUP No such key '{Text(ctx.Arg(1))}' or consumer group '{Text(ctx.Arg(2))}'");
            return;
        }
        var reply = ctx.Reply;
        if (summary)
        {
            reply.WriteArrayHeader(4);
            reply.WriteInteger(cg.Pending.Count);
            if (cg.Pending.Count == 0)
            {
                reply.WriteNull();
                reply.WriteNull();
                reply.WriteNullArray();
                return;
            }
            cg.Pending.TryGetFirst(out var first, out _);
            cg.Pending.TryGetLast(out var last, out _);
            WriteId(reply, first);
            WriteId(reply, last);
            int withPending = 0;
            foreach (var c in cg.Consumers.Values) if (c.Pending.Count > 0) withPending++;
            reply.WriteArrayHeader(withPending);
            foreach (var c in cg.Consumers.Values)
            {
                if (c.Pending.Count == 0) continue;
                reply.WriteArrayHeader(2);
                reply.WriteBulk(c.Name);
                reply.WriteBulk(c.Pending.Count);
            }
            return;
        }
        RedisStreamIdMap<RedisStreamPending> pel = cg.Pending;
        if (consumerArg != 0)
        {
            var consumer = cg.FindConsumer(ctx.Arg(consumerArg));
            if (consumer is null)
            {
                reply.WriteArrayHeader(0);
                return;
            }
            pel = consumer.Pending;
        }
        var rows = new List<KeyValuePair<RedisStreamId, RedisStreamPending>>();
        if (count > 0)
        {
            foreach (var kv in pel.Ascending(start, end))
            {
                if (minIdle != 0 && ctx.Now - kv.Value.DeliveryTime < minIdle) continue;
                rows.Add(kv);
                if (rows.Count >= count) break;
            }
        }
        reply.WriteArrayHeader(rows.Count);
        foreach (var (id, nack) in rows)
        {
            reply.WriteArrayHeader(4);
            WriteId(reply, id);
            reply.WriteBulk(nack.Consumer.Name);
            reply.WriteInteger(Math.Max(0, ctx.Now - nack.DeliveryTime));
            reply.WriteInteger(nack.DeliveryCount);
        }
    }

    private static void XClaim(CommandContext ctx)
    {
        if (!TryGetStream(ctx, ctx.Arg(1), false, out var entry, out var stream)) return;
        var cg = stream?.FindGroup(ctx.Arg(2));
        if (cg is null)
        {
            ctx.Error($"NOGROUP No such key '{Text(ctx.Arg(1))}' or consumer group '{Text(ctx.Arg(2))}'");
            return;
        }
        if (!TryGetLong(ctx, 4, out long minIdle, "Invalid min-idle-time argument for XCLAIM")) return;
        if (minIdle < 0) minIdle = 0;
        int j = 5;
        for (; j < ctx.ArgCount; j++)
            if (!RedisStreamId.TryParse(ctx.Arg(j), 0, strict: true, out _)) break;
        int lastIdArg = j - 1;
        long now = ctx.Now;
        long retryCount = -1, deliveryTime = -1;
        bool force = false, justId = false;
        var lastId = RedisStreamId.Min;
        for (; j < ctx.ArgCount; j++)
        {
            bool moreArgs = ctx.ArgCount - 1 - j > 0;
            if (ctx.ArgIs(j, "force"u8)) force = true;
            else if (ctx.ArgIs(j, "justid"u8)) justId = true;
            else if (ctx.ArgIs(j, "idle"u8) && moreArgs)
            {
                j++;
                if (!TryGetLong(ctx, j, out deliveryTime, "Invalid IDLE option argument for XCLAIM")) return;
                deliveryTime = now - deliveryTime;
            }
            else if (ctx.ArgIs(j, "time"u8) && moreArgs)
            {
                j++;
                if (!TryGetLong(ctx, j, out deliveryTime, "Invalid TIME option argument for XCLAIM")) return;
            }
            else if (ctx.ArgIs(j, "retrycount"u8) && moreArgs)
            {
                j++;
                if (!TryGetLong(ctx, j, out retryCount, "Invalid RETRYCOUNT option argument for XCLAIM")) return;
            }
            else if (ctx.ArgIs(j, "lastid"u8) && moreArgs)
            {
                j++;
                if (!TryParseId(ctx, j, 0, strict: true, out lastId)) return;
            }
            else
            {
                ctx.Error($"ERR Unrecognized XCLAIM option '{ctx.ArgString(j)}'");
                return;
            }
        }
        if (lastId > cg.LastId) cg.LastId = lastId;
        if (deliveryTime != -1)
        {
            if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
        }
        else deliveryTime = now;

        RedisStreamConsumer? consumer = null;
        var claimed = new List<(RedisStreamId Id, byte[][] Fields)>();
        for (int k = 5; k <= lastIdArg; k++)
        {
            RedisStreamId.TryParse(ctx.Arg(k), 0, strict: true, out var id);
            bool hasNack = cg.Pending.TryGetValue(id, out var nack);
            if (!stream!.Entries.TryGetValue(id, out var fields))
            {
                if (hasNack)
                {
                    cg.Pending.Remove(id);
                    nack.Consumer.Pending.Remove(id);
                }
                continue;
            }
            bool forced = false;
            if (force && !hasNack)
            {
                nack = new RedisStreamPending(null!, now, 1);
                cg.Pending.Set(id, nack);
                hasNack = true;
                forced = true;
            }
            if (!hasNack) continue;
            if (!forced && minIdle != 0 && now - nack.DeliveryTime < minIdle) continue;
            if (consumer is null)
            {
                consumer = cg.GetOrAddConsumer(ctx.Arg(3), now, out _);
                consumer.SeenTime = now;
            }
            if (nack.Consumer != consumer) nack.Consumer?.Pending.Remove(id);
            nack.DeliveryTime = deliveryTime;
            if (retryCount >= 0) nack.DeliveryCount = retryCount;
            else if (!justId) nack.DeliveryCount++;
            if (nack.Consumer != consumer)
            {
                consumer.Pending.Set(id, nack);
                nack.Consumer = consumer;
            }
            claimed.Add((id, fields));
        }
        ctx.Reply.WriteArrayHeader(claimed.Count);
        foreach (var (id, fields) in claimed)
        {
            if (justId) WriteId(ctx.Reply, id);
            else WriteEntry(ctx.Reply, id, fields);
        }
        ctx.Db.SignalModified(entry!);
    }

    private static void XAutoClaim(CommandContext ctx)
    {
        const long attemptsFactor = 10;
        if (!TryGetLong(ctx, 4, out long minIdle, "Invalid min-idle-time argument for XAUTOCLAIM")) return;
        if (minIdle < 0) minIdle = 0;
        if (!TryParseRangeStart(ctx, 5, out var start)) return;
        long count = 100;
        bool justId = false;
        for (int j = 6; j < ctx.ArgCount; j++)
        {
            bool moreArgs = ctx.ArgCount - 1 - j > 0;
            if (ctx.ArgIs(j, "count"u8) && moreArgs)
            {
                const long maxCount = long.MaxValue / 16;
                if (!Magpie.Protocol.RedisNumbers.TryParseInt64(ctx.Arg(j + 1), out count) || count < 1 || count > maxCount)
                {
                    ctx.Error("ERR COUNT must be > 0");
                    return;
                }
                j++;
            }
            else if (ctx.ArgIs(j, "justid"u8)) justId = true;
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (!TryGetStream(ctx, ctx.Arg(1), false, out var entry, out var stream)) return;
        var cg = stream?.FindGroup(ctx.Arg(2));
        if (cg is null)
        {
            ctx.Error($"NOGROUP No such key '{Text(ctx.Arg(1))}' or consumer group '{Text(ctx.Arg(2))}'");
            return;
        }
        long attempts = count * attemptsFactor;
        long now = ctx.Now;
        RedisStreamConsumer? consumer = null;
        var deletedIds = new List<RedisStreamId>();
        var claimed = new List<(RedisStreamId Id, byte[][] Fields)>();
        // The PEL from start, visited in order; the cursor is the first id not visited.
        var candidates = cg.Pending.Snapshot(start, RedisStreamId.Max, Math.Min(attempts, int.MaxValue));
        int next = 0;
        while (attempts-- > 0 && count > 0 && next < candidates.Count)
        {
            var (id, nack) = candidates[next++];
            if (!stream!.Entries.TryGetValue(id, out var fields))
            {
                cg.Pending.Remove(id);
                nack.Consumer.Pending.Remove(id);
                deletedIds.Add(id);
                count--;
                continue;
            }
            if (minIdle != 0 && now - nack.DeliveryTime < minIdle) continue;
            if (consumer is null)
            {
                consumer = cg.GetOrAddConsumer(ctx.Arg(3), now, out _);
                consumer.SeenTime = now;
            }
            if (nack.Consumer != consumer) nack.Consumer.Pending.Remove(id);
            nack.DeliveryTime = now;
            if (!justId) nack.DeliveryCount++;
            if (nack.Consumer != consumer)
            {
                consumer.Pending.Set(id, nack);
                nack.Consumer = consumer;
            }
            claimed.Add((id, fields));
            count--;
        }
        RedisStreamId cursor;
        if (next < candidates.Count) cursor = candidates[next].Key;
        else
        {
            // The snapshot may have stopped early: the PEL's next id after the last one visited.
            cursor = RedisStreamId.Min;
            if (candidates.Count > 0 && candidates[^1].Key.TryIncrement(out var after))
                foreach (var kv in cg.Pending.Ascending(after, RedisStreamId.Max)) { cursor = kv.Key; break; }
        }
        var reply = ctx.Reply;
        reply.WriteArrayHeader(3);
        WriteId(reply, cursor);
        reply.WriteArrayHeader(claimed.Count);
        foreach (var (id, fields) in claimed)
        {
            if (justId) WriteId(reply, id);
            else WriteEntry(reply, id, fields);
        }
        reply.WriteArrayHeader(deletedIds.Count);
        foreach (var id in deletedIds) WriteId(reply, id);
        ctx.Db.SignalModified(entry!);
    }
}
