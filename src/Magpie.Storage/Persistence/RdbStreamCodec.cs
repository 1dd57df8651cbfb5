using System.Buffers;
using System.Buffers.Binary;
using Magpie.Storage.Values;

namespace Magpie.Storage.Persistence;

/// <summary>
/// Streams in RDB as redis-server 7.0 writes them (rdbSaveObject, RDB_TYPE_STREAM_LISTPACKS_2 = 19):
/// the radix tree's nodes as (16-byte big-endian master id, listpack) pairs, then length, last id,
/// first id, max deleted entry id, entries added, and every consumer group with its last id, entries
/// read, global PEL (raw id, delivery time, delivery count) and consumers (name, seen time, own PEL of
/// raw ids). Reads type 15 (7.0 before its metadata: first id, tombstone and offsets derived as
/// Redis derives them) and type 21 (7.2, consumers also carry an active time).
/// </summary>
/// <remarks>
/// Nodes are written where <see cref="RedisStreamNodes"/> says redis-server would have split them,
/// each with the master entry (count, deleted, fields) and entries flagged SAMEFIELDS when their
/// fields are the master's, so a stream never touched by XDEL or exact trimming is byte-identical to
/// redis-server's. Deleted entries are not kept by Magpie: a node is written with its live entries
/// and a deleted count of 0, which redis-server loads (and redis-check-rdb accepts) just the same.
/// </remarks>
public static class RdbStreamCodec
{
    private const int FlagDeleted = 1;
    private const int FlagSameFields = 2;

    [ThreadStatic] private static ListpackBuilder? t_listpack;

    public static void Write(IBufferWriter<byte> o, RedisStream s, bool compress)
    {
        var nodes = s.Nodes;
        // Group the live entries by node: an entry belongs to the last node whose master id is <= its id.
        var lp = t_listpack ??= new ListpackBuilder();
        var blobs = new List<(RedisStreamId Master, byte[] Blob)>(nodes.Count);
        using (var e = s.Entries.Ascending(RedisStreamId.Min, RedisStreamId.Max).GetEnumerator())
        {
            bool has = e.MoveNext();
            for (int n = 0; n < nodes.Count && has; n++)
            {
                var node = nodes[n];
                RedisStreamId? nextMaster = n + 1 < nodes.Count ? nodes[n + 1].MasterId : null;
                var master = node.MasterId;
                var fields = node.MasterFields;
                if (e.Current.Key < master)
                {
                    // Not where the model says (should not happen): start the node at this entry.
                    master = e.Current.Key;
                }
                var items = new List<KeyValuePair<RedisStreamId, byte[][]>>();
                while (has && (nextMaster is null || e.Current.Key < nextMaster.Value))
                {
                    items.Add(e.Current);
                    has = e.MoveNext();
                }
                if (items.Count == 0) continue;
                blobs.Add((master, BuildNode(lp, master, fields, items)));
            }
            if (has)
            {
                // Entries past the model's nodes (should not happen): one more node from the first of them.
                var items = new List<KeyValuePair<RedisStreamId, byte[][]>>();
                do items.Add(e.Current); while (e.MoveNext());
                var first = items[0];
                var fields = new byte[first.Value.Length / 2][];
                for (int i = 0; i < fields.Length; i++) fields[i] = first.Value[2 * i];
                blobs.Add((first.Key, BuildNode(lp, first.Key, fields, items)));
            }
        }

        RdbValueWriter.WriteLength(o, (ulong)blobs.Count);
        Span<byte> raw = stackalloc byte[16];
        foreach (var (master, blob) in blobs)
        {
            WriteRawId(raw, master);
            RdbValueWriter.WriteString(o, raw, compress);
            RdbValueWriter.WriteString(o, blob, compress);
        }
        RdbValueWriter.WriteLength(o, (ulong)s.Length);
        WriteId(o, s.LastId);
        WriteId(o, s.FirstId);
        WriteId(o, s.MaxDeletedEntryId);
        RdbValueWriter.WriteLength(o, (ulong)s.EntriesAdded);

        RdbValueWriter.WriteLength(o, (ulong)s.GroupCount);
        if (s.Groups is null) return;
        foreach (var g in s.Groups.Values)
        {
            RdbValueWriter.WriteString(o, g.Name, compress);
            WriteId(o, g.LastId);
            // entries_read is a long long saved with rdbSaveLen: -1 becomes 2^64-1.
            RdbValueWriter.WriteLength(o, unchecked((ulong)g.EntriesRead));
            RdbValueWriter.WriteLength(o, (ulong)g.Pending.Count);
            foreach (var kv in g.Pending.Ascending(RedisStreamId.Min, RedisStreamId.Max))
            {
                WriteRawId(o, kv.Key);
                WriteMilliseconds(o, kv.Value.DeliveryTime);
                RdbValueWriter.WriteLength(o, (ulong)kv.Value.DeliveryCount);
            }
            RdbValueWriter.WriteLength(o, (ulong)g.Consumers.Count);
            foreach (var c in g.Consumers.Values)
            {
                RdbValueWriter.WriteString(o, c.Name, compress);
                WriteMilliseconds(o, c.SeenTime);
                RdbValueWriter.WriteLength(o, (ulong)c.Pending.Count);
                foreach (var kv in c.Pending.Ascending(RedisStreamId.Min, RedisStreamId.Max)) WriteRawId(o, kv.Key);
            }
        }
    }

    private static byte[] BuildNode(ListpackBuilder lp, RedisStreamId master, byte[][] masterFields,
        List<KeyValuePair<RedisStreamId, byte[][]>> items)
    {
        lp.Reset();
        lp.AppendInteger(items.Count);
        lp.AppendInteger(0);
        lp.AppendInteger(masterFields.Length);
        foreach (var f in masterFields) lp.Append(f);
        lp.AppendInteger(0);
        foreach (var (id, fv) in items)
        {
            int fields = fv.Length / 2;
            bool same = fields == masterFields.Length;
            for (int i = 0; same && i < fields; i++) same = masterFields[i].AsSpan().SequenceEqual(fv[2 * i]);
            lp.AppendInteger(same ? FlagSameFields : 0);
            lp.AppendInteger(unchecked((long)(id.Ms - master.Ms)));
            lp.AppendInteger(unchecked((long)(id.Seq - master.Seq)));
            if (same)
            {
                for (int i = 0; i < fields; i++) lp.Append(fv[2 * i + 1]);
                lp.AppendInteger(fields + 3);
            }
            else
            {
                lp.AppendInteger(fields);
                foreach (var b in fv) lp.Append(b);
                lp.AppendInteger(2 * fields + 4);
            }
        }
        var blob = lp.ToArray();
        lp.Reset();
        return blob;
    }

    /// <summary>Reads a stream of RDB type 15, 19 or 21.</summary>
    public static RedisStream Read(RdbReader r, byte type)
    {
        var s = new RedisStream();
        var loadedNodes = new List<RedisStreamNodes.Node>();
        int listpacks = r.ReadCount();
        Span<byte> raw = stackalloc byte[16];
        for (int n = 0; n < listpacks; n++)
        {
            long at = r.Offset;
            var key = r.ReadString();
            if (key.Length != 16) throw new RdbFormatException("Stream node key entry is not the size of a stream ID", at);
            var master = ReadRawId(key);
            at = r.Offset;
            var blob = r.ReadString();
            var node = ReadNode(s, master, blob, at);
            if (node is null) throw new RdbFormatException("Empty listpack inside stream", at);
            loadedNodes.Add(node);
        }
        long at2 = r.Offset;
        ulong length = r.ReadLength();
        if ((long)length != s.Length)
            throw new RdbFormatException($"stream length {length} does not match its {s.Length} entries", at2);
        var lastId = ReadId(r);
        s.Nodes.Clear();
        foreach (var node in loadedNodes) s.Nodes.AppendLoaded(node);
        s.LastId = lastId;
        if (s.Entries.TryGetLast(out var maxId, out _) && maxId > lastId)
            throw new RdbFormatException("stream last id is smaller than an entry's id", at2);
        if (type >= RdbType.StreamListpacks2)
        {
            s.FirstId = ReadId(r);
            s.MaxDeletedEntryId = ReadId(r);
            s.EntriesAdded = (long)r.ReadLength();
        }
        else
        {
            s.MaxDeletedEntryId = RedisStreamId.Min;
            s.EntriesAdded = s.Length;
            s.FirstId = s.Entries.TryGetFirst(out var first, out _) ? first : RedisStreamId.Min;
        }

        int groups = r.ReadCount();
        for (int gi = 0; gi < groups; gi++)
        {
            long at = r.Offset;
            var name = r.ReadString();
            var groupLast = ReadId(r);
            long entriesRead = type >= RdbType.StreamListpacks2
                ? unchecked((long)r.ReadLength())
                : s.EstimateDistanceFromFirstEverEntry(groupLast);
            if (!s.TryCreateGroup(name, groupLast, entriesRead, out var group))
                throw new RdbFormatException("Duplicated consumer group name", at);

            int pelSize = r.ReadCount();
            var nacks = new List<(RedisStreamId Id, long Time, long Count)>(Math.Min(pelSize, 1024));
            var nackIndex = new Dictionary<RedisStreamId, int>(Math.Min(pelSize, 1024));
            for (int i = 0; i < pelSize; i++)
            {
                at = r.Offset;
                r.ReadExactly(raw);
                var id = ReadRawId(raw);
                long time = r.ReadInt64LittleEndian();
                long count = (long)r.ReadLength();
                if (!nackIndex.TryAdd(id, nacks.Count)) throw new RdbFormatException("Duplicated global PEL entry loading stream consumer group", at);
                nacks.Add((id, time, count));
            }
            var owners = new RedisStreamConsumer?[nacks.Count];
            int consumers = r.ReadCount();
            for (int ci = 0; ci < consumers; ci++)
            {
                at = r.Offset;
                var cname = r.ReadString();
                long seen = r.ReadInt64LittleEndian();
                if (type >= RdbType.StreamListpacks3) r.ReadInt64LittleEndian(); // active time (7.2)
                var consumer = group.GetOrAddConsumer(cname, seen, out bool created);
                if (!created) throw new RdbFormatException("Duplicate stream consumer detected", at);
                int own = r.ReadCount();
                for (int i = 0; i < own; i++)
                {
                    at = r.Offset;
                    r.ReadExactly(raw);
                    var id = ReadRawId(raw);
                    if (!nackIndex.TryGetValue(id, out int idx)) throw new RdbFormatException("Consumer entry not found in group global PEL", at);
                    if (owners[idx] is not null) throw new RdbFormatException("Duplicated consumer PEL entry loading a stream consumer group", at);
                    owners[idx] = consumer;
                }
            }
            for (int i = 0; i < nacks.Count; i++)
            {
                var owner = owners[i] ?? throw new RdbFormatException("Stream PEL entry has no consumer", r.Offset);
                var p = new RedisStreamPending(owner, nacks[i].Time, nacks[i].Count);
                if (!group.Pending.Set(nacks[i].Id, p) || !owner.Pending.Set(nacks[i].Id, p))
                    throw new RdbFormatException("Duplicated PEL entry", r.Offset);
            }
        }
        return s;
    }

    /// <summary>Parses one node listpack, adding its live entries to <paramref name="s"/>; null when it has none.</summary>
    private static RedisStreamNodes.Node? ReadNode(RedisStream s, RedisStreamId master, byte[] blob, long at)
    {
        try
        {
            var lp = new ListpackReader(blob);
            long count = NextInt(ref lp);
            long deleted = NextInt(ref lp);
            long masterCount = NextInt(ref lp);
            if (count < 0 || deleted < 0 || masterCount < 0 || masterCount > blob.Length) throw new FormatException("bad stream master entry");
            var masterFields = new byte[masterCount][];
            for (int i = 0; i < masterCount; i++) masterFields[i] = NextBytes(ref lp);
            if (NextInt(ref lp) != 0) throw new FormatException("stream master entry has no terminator");
            var node = new RedisStreamNodes.Node { MasterId = master, MasterFields = masterFields, Bytes = blob.Length };
            for (long e = 0; e < count + deleted; e++)
            {
                long flags = NextInt(ref lp);
                var id = new RedisStreamId(unchecked(master.Ms + (ulong)NextInt(ref lp)), unchecked(master.Seq + (ulong)NextInt(ref lp)));
                byte[][] fv;
                long extra;
                if ((flags & FlagSameFields) != 0)
                {
                    fv = new byte[masterCount * 2][];
                    for (int i = 0; i < masterCount; i++)
                    {
                        fv[2 * i] = masterFields[i];
                        fv[2 * i + 1] = NextBytes(ref lp);
                    }
                    extra = masterCount + 3;
                }
                else
                {
                    long fields = NextInt(ref lp);
                    if (fields < 0 || fields > blob.Length) throw new FormatException("bad stream entry field count");
                    fv = new byte[fields * 2][];
                    for (int i = 0; i < fv.Length; i++) fv[i] = NextBytes(ref lp);
                    extra = 2 * fields + 4;
                }
                if (NextInt(ref lp) != extra) throw new FormatException("stream entry lp-count mismatch");
                if ((flags & FlagDeleted) != 0)
                {
                    node.Deleted++;
                    continue;
                }
                if (s.Entries.TryGetLast(out var last, out _) && id <= last) throw new FormatException("stream entry ids are not ascending");
                if (fv.Length == 0) throw new FormatException("stream entry has no fields");
                s.Add(id, fv);
                node.Live++;
                node.LastId = id;
            }
            if (lp.TryNext(out _, out _, out _)) throw new FormatException("stream listpack has trailing entries");
            if (node.Live != count) throw new FormatException("stream node count does not match its entries");
            return node.Live == 0 ? null : node;
        }
        catch (FormatException ex)
        {
            throw new RdbFormatException("bad stream listpack: " + ex.Message, at);
        }
    }

    private static long NextInt(ref ListpackReader lp)
    {
        if (!lp.TryNext(out var str, out long number, out bool isInteger)) throw new FormatException("stream listpack ends early");
        if (isInteger) return number;
        if (Magpie.Protocol.RedisNumbers.TryParseInt64(str, out number)) return number;
        throw new FormatException("expected an integer in a stream listpack");
    }

    private static byte[] NextBytes(ref ListpackReader lp)
    {
        if (!lp.TryNext(out byte[] value)) throw new FormatException("stream listpack ends early");
        return value;
    }

    private static void WriteId(IBufferWriter<byte> o, RedisStreamId id)
    {
        RdbValueWriter.WriteLength(o, id.Ms);
        RdbValueWriter.WriteLength(o, id.Seq);
    }

    private static RedisStreamId ReadId(RdbReader r) => new(r.ReadLength(), r.ReadLength());

    private static void WriteRawId(Span<byte> raw, RedisStreamId id)
    {
        BinaryPrimitives.WriteUInt64BigEndian(raw, id.Ms);
        BinaryPrimitives.WriteUInt64BigEndian(raw[8..], id.Seq);
    }

    private static void WriteRawId(IBufferWriter<byte> o, RedisStreamId id)
    {
        WriteRawId(o.GetSpan(16), id);
        o.Advance(16);
    }

    private static RedisStreamId ReadRawId(ReadOnlySpan<byte> raw) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(raw), BinaryPrimitives.ReadUInt64BigEndian(raw[8..]));

    private static void WriteMilliseconds(IBufferWriter<byte> o, long ms)
    {
        BinaryPrimitives.WriteInt64LittleEndian(o.GetSpan(8), ms);
        o.Advance(8);
    }
}
