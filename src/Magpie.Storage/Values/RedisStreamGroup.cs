namespace Magpie.Storage.Values;

/// <summary>
/// A consumer group (Redis's streamCG): the last delivered id, the logical count of entries read
/// (-1 when unknown), the pending entries list (PEL) of every consumer, and the consumers.
/// </summary>
public sealed class RedisStreamGroup
{
    /// <summary>Redis's SCG_INVALID_ENTRIES_READ.</summary>
    public const long InvalidEntriesRead = -1;

    public RedisStreamGroup(byte[] name, RedisStreamId lastId, long entriesRead)
    {
        Name = name;
        LastId = lastId;
        EntriesRead = entriesRead;
    }

    public byte[] Name { get; }

    public RedisStreamId LastId { get; set; }

    public long EntriesRead { get; set; }

    /// <summary>Delivered but not acknowledged entries, by id.</summary>
    public RedisStreamIdMap<RedisStreamPending> Pending { get; } = new();

    /// <summary>Consumers by name, in byte order (as Redis's rax lists them).</summary>
    public SortedDictionary<byte[], RedisStreamConsumer> Consumers { get; } = new(RedisStreamNameOrder.Instance);

    public RedisStreamConsumer? FindConsumer(ReadOnlySpan<byte> name)
    {
        // SortedDictionary has no span lookup; consumer names are short.
        return Consumers.TryGetValue(name.ToArray(), out var c) ? c : null;
    }

    /// <summary>Creates the consumer if needed; <paramref name="created"/> tells whether it was new.</summary>
    public RedisStreamConsumer GetOrAddConsumer(ReadOnlySpan<byte> name, long now, out bool created)
    {
        var key = name.ToArray();
        if (Consumers.TryGetValue(key, out var c))
        {
            created = false;
            return c;
        }
        c = new RedisStreamConsumer(key, now);
        Consumers.Add(key, c);
        created = true;
        return c;
    }

    /// <summary>Removes a consumer and its pending entries from the group's PEL; returns how many were pending.</summary>
    public long RemoveConsumer(RedisStreamConsumer consumer)
    {
        long pending = consumer.Pending.Count;
        foreach (var kv in consumer.Pending.Snapshot(RedisStreamId.Min, RedisStreamId.Max)) Pending.Remove(kv.Key);
        Consumers.Remove(consumer.Name);
        return pending;
    }

    public long EstimatedBytes =>
        MemorySize.ObjectHeader + 64 + MemorySize.Array(Name.Length) + Pending.ChunkBytes + Pending.Count * (MemorySize.ObjectHeader + 32)
        + Consumers.Count * (MemorySize.ObjectHeader + 48);

    public RedisStreamGroup Clone()
    {
        var copy = new RedisStreamGroup(Name, LastId, EntriesRead);
        foreach (var (name, consumer) in Consumers) copy.Consumers.Add(name, new RedisStreamConsumer(name, consumer.SeenTime));
        foreach (var kv in Pending.Ascending(RedisStreamId.Min, RedisStreamId.Max))
        {
            var owner = copy.Consumers[kv.Value.Consumer.Name];
            var p = new RedisStreamPending(owner, kv.Value.DeliveryTime, kv.Value.DeliveryCount);
            copy.Pending.Append(kv.Key, p);
            owner.Pending.Append(kv.Key, p);
        }
        return copy;
    }
}

/// <summary>A consumer of a group: its name, when it was last seen, and its own view of the PEL.</summary>
public sealed class RedisStreamConsumer
{
    public RedisStreamConsumer(byte[] name, long seenTime)
    {
        Name = name;
        SeenTime = seenTime;
    }

    public byte[] Name { get; }

    /// <summary>Unix milliseconds of the consumer's last read or claim (XINFO's idle is now minus this).</summary>
    public long SeenTime { get; set; }

    /// <summary>The same <see cref="RedisStreamPending"/> objects as the group's PEL, for this consumer only.</summary>
    public RedisStreamIdMap<RedisStreamPending> Pending { get; } = new();
}

/// <summary>A pending entry (Redis's streamNACK): its owner, last delivery time and delivery count.</summary>
public sealed class RedisStreamPending
{
    public RedisStreamPending(RedisStreamConsumer consumer, long deliveryTime, long deliveryCount)
    {
        Consumer = consumer;
        DeliveryTime = deliveryTime;
        DeliveryCount = deliveryCount;
    }

    public RedisStreamConsumer Consumer { get; set; }

    /// <summary>Unix milliseconds of the last delivery.</summary>
    public long DeliveryTime { get; set; }

    public long DeliveryCount { get; set; }
}

/// <summary>Byte-wise (memcmp) order of names, as Redis's rax sorts group and consumer names.</summary>
internal sealed class RedisStreamNameOrder : IComparer<byte[]>
{
    public static readonly RedisStreamNameOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
