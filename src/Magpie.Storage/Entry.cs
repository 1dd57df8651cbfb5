namespace Magpie.Storage;

/// <summary>
/// One key and its value. The entry is also the hash chain node of its slot's table, so a key
/// costs one object beyond its key and value bytes.
/// </summary>
public sealed class Entry
{
    internal Entry(byte[] key, int hash, object value)
    {
        Key = key;
        Hash = hash;
        Value = value;
    }

    public byte[] Key { get; }

    internal int Hash { get; }

    internal Entry? Next;

    /// <summary>A byte[] for strings, otherwise an <see cref="IRedisValue"/>.</summary>
    public object Value { get; internal set; }

    /// <summary>Absolute expiry in Unix milliseconds; 0 when the key has no TTL.</summary>
    public long ExpireAt { get; internal set; }

    /// <summary>LRU clock or LFU counter, as the eviction policy reads it (see <see cref="AccessClock"/>).</summary>
    public uint Access { get; internal set; }

    // Fields are sized so the object stays at 64 bytes: a key's fixed cost is what the memory
    // benchmark measures against Redis.

    /// <summary>Position in the database's volatile-key list, -1 when it has no TTL, <see cref="Removed"/> once deleted.</summary>
    internal int VolatileIndex = -1;

    private const int Removed = int.MinValue;

    /// <summary>Bytes this entry was last accounted at in used_memory (saturates at 2 GB per key).</summary>
    internal int AccountedBytes;

    /// <summary>MEMORY USAGE: the bytes this entry is accounted at (key, value and overhead).</summary>
    public int MemoryBytes => AccountedBytes > 0 ? AccountedBytes : MeasureBytes();

    /// <summary>True while the entry is in a database; false once removed (a stale reference).</summary>
    internal bool Live
    {
        get => VolatileIndex != Removed;
        set => VolatileIndex = value ? (VolatileIndex == Removed ? -1 : VolatileIndex) : Removed;
    }

    public RedisType Type => Value is byte[] ? RedisType.String : ((IRedisValue)Value).Type;

    public byte[] StringValue => (byte[])Value;

    public T As<T>() where T : class, IRedisValue => (T)Value;

    internal int MeasureBytes() => (int)Math.Min(int.MaxValue, MeasureBytesLong());

    private long MeasureBytesLong() =>
        MemorySize.EntryOverhead + MemorySize.Array(Key.Length) +
        (Value is byte[] bytes ? MemorySize.Array(bytes.Length) : ((IRedisValue)Value).EstimatedBytes);
}
