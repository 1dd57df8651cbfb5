namespace Magpie.Storage.Values;

/// <summary>
/// A stream (Redis 7.0's t_stream): entries ordered by id, each a list of field/value pairs, plus
/// the metadata 7.0 tracks (last id, entries added, max deleted entry id, recorded first id) and
/// the consumer groups. Unlike other collections an empty stream stays a key (XDEL and XTRIM leave
/// it, with its last id and groups), so <see cref="Count"/> never reports 0.
/// </summary>
/// <remarks>
/// For RDB: <see cref="Entries"/> gives every entry (id and the field/value arrays, alternating);
/// <see cref="LastId"/>, <see cref="FirstId"/>, <see cref="MaxDeletedEntryId"/>, <see cref="EntriesAdded"/>;
/// <see cref="Groups"/> with each group's last id, entries read, PEL (delivery time and count, owner)
/// and consumers (seen time). Entry arrays are never changed once stored, so clones share them.
/// </remarks>
public sealed class RedisStream : IRedisValue
{
    private const long FixedBytes = MemorySize.ObjectHeader + 96;

    private long _entryBytes;

    public RedisType Type => RedisType.Stream;

    public string Encoding => "stream";

    /// <summary>Entries by id; each value alternates field, value.</summary>
    public RedisStreamIdMap<byte[][]> Entries { get; } = new();

    /// <summary>Where redis-server's listpack nodes would split the entries (for approximate trimming).</summary>
    public RedisStreamNodes Nodes { get; } = new();

    public long Length => Entries.Count;

    /// <summary>Never 0: an empty stream is still a key.</summary>
    public long Count => Math.Max(1, Length);

    public RedisStreamId LastId { get; set; }

    /// <summary>Redis's s->first_id: the first entry's id, 0-0 when empty.</summary>
    public RedisStreamId FirstId { get; set; }

    public RedisStreamId MaxDeletedEntryId { get; set; }

    public long EntriesAdded { get; set; }

    /// <summary>Consumer groups by name (byte order); null until the first group is created.</summary>
    public SortedDictionary<byte[], RedisStreamGroup>? Groups { get; private set; }

    public int GroupCount => Groups?.Count ?? 0;

    public long EstimatedBytes
    {
        get
        {
            long total = FixedBytes + _entryBytes + Entries.ChunkBytes + Nodes.Count * (MemorySize.ObjectHeader + 64);
            if (Groups is not null) foreach (var g in Groups.Values) total += g.EstimatedBytes;
            return total;
        }
    }

    /// <summary>Appends an entry with an id greater than <see cref="LastId"/> (the caller checked).</summary>
    public void Add(RedisStreamId id, byte[][] fieldsAndValues)
    {
        Entries.Append(id, fieldsAndValues);
        Nodes.Append(id, fieldsAndValues);
        _entryBytes += EntryBytes(fieldsAndValues);
        if (Entries.Count == 1) FirstId = id;
        LastId = id;
        EntriesAdded++;
    }

    /// <summary>XDEL of one id; false when absent.</summary>
    public bool Delete(RedisStreamId id)
    {
        if (!Entries.Remove(id, out var fields)) return false;
        Nodes.Delete(id);
        _entryBytes -= EntryBytes(fields);
        if (id > MaxDeletedEntryId) MaxDeletedEntryId = id;
        return true;
    }

    /// <summary>After XDEL: the recorded first id follows the first remaining entry.</summary>
    public void UpdateFirstIdAfterDelete()
    {
        FirstId = Entries.TryGetFirst(out var first, out _) ? first : RedisStreamId.Min;
    }

    /// <summary>
    /// Trims from the head as Redis's streamTrim: by length (<paramref name="minId"/> null) or by
    /// minimum id; approximate trimming removes whole nodes only; <paramref name="limit"/> (0 for none)
    /// caps the entries removed. Returns how many were removed.
    /// </summary>
    public long Trim(long maxLen, RedisStreamId? minId, bool approx, long limit)
    {
        long deleted = 0;
        while (Nodes.Count > 0)
        {
            if (minId is null && Length <= maxLen) break;
            var node = Nodes[0];
            long entries = node.Live;
            if (limit != 0 && deleted + entries > limit) break;
            bool removeNode = minId is null ? Length - entries >= maxLen : node.LastId < minId.Value;
            if (removeNode)
            {
                for (long i = 0; i < entries; i++) RemoveHead();
                Nodes.RemoveFirst();
                deleted += entries;
                continue;
            }
            if (approx) break;
            int fromNode = 0;
            while (Entries.TryGetFirst(out var id, out _) && id <= node.LastId)
            {
                bool stop = minId is null ? Length <= maxLen : id >= minId.Value;
                if (stop) break;
                RemoveHead();
                fromNode++;
            }
            deleted += fromNode;
            if (fromNode > 0) Nodes.MarkDeleted(0, fromNode);
            break;
        }
        if (Length == 0) FirstId = RedisStreamId.Min;
        else if (deleted > 0 && Entries.TryGetFirst(out var first, out _)) FirstId = first;
        return deleted;
    }

    private void RemoveHead()
    {
        Entries.TryGetFirst(out _, out var fields);
        Entries.RemoveFirst();
        _entryBytes -= EntryBytes(fields);
    }

    public RedisStreamGroup? FindGroup(ReadOnlySpan<byte> name) =>
        Groups is not null && Groups.TryGetValue(name.ToArray(), out var g) ? g : null;

    /// <summary>Creates a group; false when one of that name exists.</summary>
    public bool TryCreateGroup(byte[] name, RedisStreamId lastId, long entriesRead, out RedisStreamGroup group)
    {
        Groups ??= new SortedDictionary<byte[], RedisStreamGroup>(RedisStreamNameOrder.Instance);
        if (Groups.TryGetValue(name, out group!)) return false;
        group = new RedisStreamGroup(name, lastId, entriesRead);
        Groups.Add(name, group);
        return true;
    }

    public bool RemoveGroup(ReadOnlySpan<byte> name) => Groups is not null && Groups.Remove(name.ToArray());

    /// <summary>
    /// Redis's streamEstimateDistanceFromFirstEverEntry: the logical number of the entry with id
    /// <paramref name="id"/> counted from the first entry ever added, or -1 when it cannot be known.
    /// </summary>
    public long EstimateDistanceFromFirstEverEntry(RedisStreamId id)
    {
        if (EntriesAdded == 0) return 0;
        if (Length == 0 && id <= LastId) return EntriesAdded;
        int cmpLast = id.CompareTo(LastId);
        if (cmpLast == 0) return EntriesAdded;
        if (cmpLast > 0) return RedisStreamGroup.InvalidEntriesRead;
        int cmpIdFirst = id.CompareTo(FirstId);
        int cmpXdelFirst = MaxDeletedEntryId.CompareTo(FirstId);
        if (MaxDeletedEntryId.IsZero || cmpXdelFirst < 0)
        {
            if (cmpIdFirst < 0) return EntriesAdded - Length;
            if (cmpIdFirst == 0) return EntriesAdded - Length + 1;
        }
        return RedisStreamGroup.InvalidEntriesRead;
    }

    /// <summary>Redis's streamRangeHasTombstones for [start, end] (end null for the maximum).</summary>
    public bool RangeHasTombstones(RedisStreamId start, RedisStreamId? end)
    {
        if (Length == 0 || MaxDeletedEntryId.IsZero) return false;
        if (FirstId > MaxDeletedEntryId) return false;
        var endId = end ?? RedisStreamId.Max;
        return start <= MaxDeletedEntryId && MaxDeletedEntryId <= endId;
    }

    /// <summary>XINFO GROUPS' lag of a group, or null when it cannot be computed (streamReplyWithCGLag).</summary>
    public long? Lag(RedisStreamGroup group)
    {
        if (EntriesAdded == 0) return 0;
        if (group.EntriesRead != RedisStreamGroup.InvalidEntriesRead && !RangeHasTombstones(group.LastId, null))
            return EntriesAdded - group.EntriesRead;
        long read = EstimateDistanceFromFirstEverEntry(group.LastId);
        return read != RedisStreamGroup.InvalidEntriesRead ? EntriesAdded - read : null;
    }

    public IRedisValue Clone()
    {
        var copy = new RedisStream();
        foreach (var kv in Entries.Ascending(RedisStreamId.Min, RedisStreamId.Max))
        {
            copy.Entries.Append(kv.Key, kv.Value);
            copy.Nodes.Append(kv.Key, kv.Value);
            copy._entryBytes += EntryBytes(kv.Value);
        }
        copy.LastId = LastId;
        copy.FirstId = FirstId;
        copy.MaxDeletedEntryId = MaxDeletedEntryId;
        copy.EntriesAdded = EntriesAdded;
        if (Groups is not null)
        {
            copy.Groups = new SortedDictionary<byte[], RedisStreamGroup>(RedisStreamNameOrder.Instance);
            foreach (var (name, g) in Groups) copy.Groups.Add(name, g.Clone());
        }
        return copy;
    }

    private static long EntryBytes(byte[][] fields)
    {
        long total = MemorySize.Array(fields.Length * MemorySize.Reference);
        foreach (var f in fields) total += MemorySize.Array(f.Length);
        return total;
    }
}
