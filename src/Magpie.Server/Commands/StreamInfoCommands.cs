using Magpie.Protocol;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;
using static Magpie.Server.Commands.StreamReplies;

namespace Magpie.Server.Commands;

/// <summary>XINFO STREAM [FULL [COUNT n]], XINFO GROUPS and XINFO CONSUMERS, maps in RESP3 as in Redis 7.0.</summary>
public static class StreamInfoCommands
{
    internal static void Register(CommandTable t, string g)
    {
        t.AddContainer("xinfo", g, "A container for stream introspection commands.", None,
            new() { Name = "consumers", Parent = "xinfo", Arity = 4, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XInfo, Group = "stream", Summary = "List the consumers in a consumer group", Since = "5.0.0", Complexity = "O(1)", Acl = "@read @stream @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 2 }], Tips = ["nondeterministic_output"] },
            new() { Name = "groups", Parent = "xinfo", Arity = 3, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XInfo, Group = "stream", Summary = "List the consumer groups of a stream", Since = "5.0.0", Complexity = "O(1)", Acl = "@read @stream @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 2 }], History = [("7.0.0", "Added the `entries-read` and `lag` fields")] },
            new() { Name = "stream", Parent = "xinfo", Arity = -3, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = XInfo, Group = "stream", Summary = "Get information about a stream", Since = "5.0.0", Complexity = "O(1)", Acl = "@read @stream @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 2 }], History = [("6.0.0", "Added the `FULL` modifier."), ("7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields")] },
            new() { Name = "help", Parent = "xinfo", Arity = 2, Flags = Loading | Stale, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = XInfo, Group = "stream", Summary = "Show helpful text about the different subcommands", Since = "5.0.0", Complexity = "O(1)", Acl = "@stream @slow", Keys = [] });
    }

    private static void XInfo(CommandContext ctx)
    {
        if (ctx.ArgCount == 2 && ctx.ArgIs(1, "help"u8))
        {
            WriteHelp(ctx, "XINFO",
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream.");
            return;
        }
        if (ctx.ArgCount < 3)
        {
            SubcommandSyntaxError(ctx, "XINFO");
            return;
        }
        if (!TryGetStream(ctx, ctx.Arg(2), false, out _, out var stream)) return;
        if (stream is null)
        {
            ctx.Error(Errors.NoSuchKey);
            return;
        }
        var reply = ctx.Reply;
        if (ctx.ArgIs(1, "consumers"u8) && ctx.ArgCount == 4)
        {
            var cg = stream.FindGroup(ctx.Arg(3));
            if (cg is null)
            {
                ctx.Error($"NOGROUP No such consumer group '{Text(ctx.Arg(3))}' for key name '{Text(ctx.Arg(2))}'");
                return;
            }
            reply.WriteArrayHeader(cg.Consumers.Count);
            foreach (var c in cg.Consumers.Values)
            {
                reply.WriteMapHeader(3);
                reply.WriteBulk("name"u8);
                reply.WriteBulk(c.Name);
                reply.WriteBulk("pending"u8);
                reply.WriteInteger(c.Pending.Count);
                reply.WriteBulk("idle"u8);
                reply.WriteInteger(Math.Max(0, ctx.Now - c.SeenTime));
            }
        }
        else if (ctx.ArgIs(1, "groups"u8) && ctx.ArgCount == 3)
        {
            reply.WriteArrayHeader(stream.GroupCount);
            if (stream.Groups is null) return;
            foreach (var cg in stream.Groups.Values)
            {
                reply.WriteMapHeader(6);
                reply.WriteBulk("name"u8);
                reply.WriteBulk(cg.Name);
                reply.WriteBulk("consumers"u8);
                reply.WriteInteger(cg.Consumers.Count);
                reply.WriteBulk("pending"u8);
                reply.WriteInteger(cg.Pending.Count);
                reply.WriteBulk("last-delivered-id"u8);
                WriteId(reply, cg.LastId);
                WriteEntriesReadAndLag(reply, stream, cg);
            }
        }
        else if (ctx.ArgIs(1, "stream"u8)) XInfoStream(ctx, stream);
        else SubcommandSyntaxError(ctx, "XINFO");
    }

    private static void WriteEntriesReadAndLag(RespWriter reply, RedisStream stream, RedisStreamGroup cg)
    {
        reply.WriteBulk("entries-read"u8);
        if (cg.EntriesRead != RedisStreamGroup.InvalidEntriesRead) reply.WriteInteger(cg.EntriesRead);
        else reply.WriteNull();
        reply.WriteBulk("lag"u8);
        var lag = stream.Lag(cg);
        if (lag is long l) reply.WriteInteger(l);
        else reply.WriteNull();
    }

    private static void XInfoStream(CommandContext ctx, RedisStream stream)
    {
        bool full = true;
        long count = 10;
        int optc = ctx.ArgCount - 3;
        if (optc == 0) full = false;
        else
        {
            if ((optc != 1 && optc != 3) || !ctx.ArgIs(3, "full"u8) || (optc == 3 && !ctx.ArgIs(4, "count"u8)))
            {
                SubcommandSyntaxError(ctx, "XINFO");
                return;
            }
            if (optc == 3)
            {
                if (!TryGetLong(ctx, 5, out count)) return;
                if (count < 0) count = 10;
            }
        }
        var reply = ctx.Reply;
        reply.WriteMapHeader(full ? 9 : 10);
        reply.WriteBulk("length"u8);
        reply.WriteInteger(stream.Length);
        reply.WriteBulk("radix-tree-keys"u8);
        reply.WriteInteger(stream.Nodes.Count);
        reply.WriteBulk("radix-tree-nodes"u8);
        reply.WriteInteger(RadixTreeNodes(stream.Nodes));
        reply.WriteBulk("last-generated-id"u8);
        WriteId(reply, stream.LastId);
        reply.WriteBulk("max-deleted-entry-id"u8);
        WriteId(reply, stream.MaxDeletedEntryId);
        reply.WriteBulk("entries-added"u8);
        reply.WriteInteger(stream.EntriesAdded);
        reply.WriteBulk("recorded-first-entry-id"u8);
        WriteId(reply, stream.FirstId);
        if (!full)
        {
            reply.WriteBulk("groups"u8);
            reply.WriteInteger(stream.GroupCount);
            reply.WriteBulk("first-entry"u8);
            if (stream.Entries.TryGetFirst(out var firstId, out var firstFields)) WriteEntry(reply, firstId, firstFields);
            else reply.WriteNull();
            reply.WriteBulk("last-entry"u8);
            if (stream.Entries.TryGetLast(out var lastId, out var lastFields)) WriteEntry(reply, lastId, lastFields);
            else reply.WriteNull();
            return;
        }
        long limit = count == 0 ? long.MaxValue : count;
        reply.WriteBulk("entries"u8);
        var entries = stream.Entries.Snapshot(RedisStreamId.Min, RedisStreamId.Max, limit);
        reply.WriteArrayHeader(entries.Count);
        foreach (var (id, fields) in entries) WriteEntry(reply, id, fields);
        reply.WriteBulk("groups"u8);
        reply.WriteArrayHeader(stream.GroupCount);
        if (stream.Groups is null) return;
        foreach (var cg in stream.Groups.Values)
        {
            reply.WriteMapHeader(7);
            reply.WriteBulk("name"u8);
            reply.WriteBulk(cg.Name);
            reply.WriteBulk("last-delivered-id"u8);
            WriteId(reply, cg.LastId);
            WriteEntriesReadAndLag(reply, stream, cg);
            reply.WriteBulk("pel-count"u8);
            reply.WriteInteger(cg.Pending.Count);
            reply.WriteBulk("pending"u8);
            var pel = cg.Pending.Snapshot(RedisStreamId.Min, RedisStreamId.Max, limit);
            reply.WriteArrayHeader(pel.Count);
            foreach (var (id, nack) in pel)
            {
                reply.WriteArrayHeader(4);
                WriteId(reply, id);
                reply.WriteBulk(nack.Consumer.Name);
                reply.WriteInteger(nack.DeliveryTime);
                reply.WriteInteger(nack.DeliveryCount);
            }
            reply.WriteBulk("consumers"u8);
            reply.WriteArrayHeader(cg.Consumers.Count);
            foreach (var c in cg.Consumers.Values)
            {
                reply.WriteMapHeader(4);
                reply.WriteBulk("name"u8);
                reply.WriteBulk(c.Name);
                reply.WriteBulk("seen-time"u8);
                reply.WriteInteger(c.SeenTime);
                reply.WriteBulk("pel-count"u8);
                reply.WriteInteger(c.Pending.Count);
                reply.WriteBulk("pending"u8);
                var own = c.Pending.Snapshot(RedisStreamId.Min, RedisStreamId.Max, limit);
                reply.WriteArrayHeader(own.Count);
                foreach (var (id, nack) in own)
                {
                    reply.WriteArrayHeader(3);
                    WriteId(reply, id);
                    reply.WriteInteger(nack.DeliveryTime);
                    reply.WriteInteger(nack.DeliveryCount);
                }
            }
        }
    }

    /// <summary>
    /// The node count of Redis's radix tree over the nodes' 128-bit big-endian master ids: one node
    /// per run of bytes shared by a set of keys (compressed), one per point where they branch, one leaf per key.
    /// </summary>
    internal static long RadixTreeNodes(RedisStreamNodes nodes)
    {
        if (nodes.Count == 0) return 1;
        var keys = new byte[nodes.Count][];
        for (int i = 0; i < nodes.Count; i++)
        {
            var k = new byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(k, nodes[i].MasterId.Ms);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(k.AsSpan(8), nodes[i].MasterId.Seq);
            keys[i] = k;
        }
        return Count(keys, 0, keys.Length, 0);
    }

    // Keys [from, to) are sorted and share bytes [0, depth).
    private static long Count(byte[][] keys, int from, int to, int depth)
    {
        if (depth == 16) return 1;
        if (to - from == 1) return 2;
        int common = 0;
        while (depth + common < 16 && keys[from][depth + common] == keys[to - 1][depth + common]) common++;
        if (common > 0) return 1 + Count(keys, from, to, depth + common);
        long total = 1;
        int start = from;
        for (int i = from + 1; i <= to; i++)
        {
            if (i == to || keys[i][depth] != keys[start][depth])
            {
                total += Count(keys, start, i, depth + 1);
                start = i;
            }
        }
        return total;
    }
}
