using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Magpie.Storage.Persistence;

/// <summary>What a whole-file save writes besides the keys.</summary>
public sealed record RdbSaveOptions
{
    /// <summary>rdbcompression: LZF for strings longer than 20 bytes.</summary>
    public bool Compress { get; init; } = true;

    /// <summary>The ctime AUX field (Unix seconds); 0 means now.</summary>
    public long CreatedAtSeconds { get; init; }

    public long UsedMemory { get; init; }

    /// <summary>aof-base: 1 when the file is the base of an append-only file.</summary>
    public bool AofBase { get; init; }

    /// <summary>Extra AUX fields written after used-mem (repl-stream-db, repl-id, repl-offset for replication).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraAux { get; init; } = [];

    /// <summary>Function libraries' code, written as RDB_OPCODE_FUNCTION2 records after the AUX fields.</summary>
    public IReadOnlyList<byte[]> Functions { get; init; } = [];

    /// <summary>Which access hint to save per key (IDLE under LRU policies, FREQ under LFU), as Redis does.</summary>
    public RdbAccessHint AccessHint { get; init; }

    /// <summary>Unix milliseconds used for idle times and LFU decay; 0 means now.</summary>
    public long NowMs { get; init; }
}

/// <summary>
/// Writes an RDB file (version 10) to a stream as redis-server 7.0 lays it out: "REDIS0010", the AUX
/// fields (redis-ver, redis-bits, ctime, used-mem, aof-base), then per non-empty database SELECTDB,
/// RESIZEDB and its keys, then EOF and the CRC-64 of everything before it.
/// </summary>
public sealed class RdbFileWriter
{
    private const int FlushAt = 1 << 16;
    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushAt + 1024);
    private ulong _crc;
    private bool _finished;

    public RdbFileWriter(Stream stream, RdbSaveOptions? options = null)
    {
        _stream = stream;
        Options = options ?? new RdbSaveOptions();
    }

    public RdbSaveOptions Options { get; }

    /// <summary>Bytes handed to the stream or buffered so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Magic and AUX fields.</summary>
    public void WriteHeader()
    {
        _buffer.Write(RdbFormat.Magic);
        long ctime = Options.CreatedAtSeconds != 0 ? Options.CreatedAtSeconds : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        WriteAux("redis-ver", RdbFormat.RedisVersion);
        WriteAux("redis-bits", "64");
        WriteAux("ctime", ctime.ToString(CultureInfo.InvariantCulture));
        WriteAux("used-mem", Options.UsedMemory.ToString(CultureInfo.InvariantCulture));
        foreach (var (k, v) in Options.ExtraAux) WriteAux(k, v);
        WriteAux("aof-base", Options.AofBase ? "1" : "0");
        foreach (var code in Options.Functions)
        {
            RdbValueWriter.WriteByte(_buffer, RdbOpcode.Function2);
            RdbValueWriter.WriteString(_buffer, code, Options.Compress);
        }
        MaybeFlush();
    }

    public void WriteAux(string key, string value)
    {
        RdbValueWriter.WriteByte(_buffer, RdbOpcode.Aux);
        RdbValueWriter.WriteString(_buffer, Encoding.UTF8.GetBytes(key), Options.Compress);
        RdbValueWriter.WriteString(_buffer, Encoding.UTF8.GetBytes(value), Options.Compress);
    }

    /// <summary>SELECTDB and RESIZEDB (the sizes are hints for the loader).</summary>
    public void BeginDatabase(int index, long keys, long expires)
    {
        RdbValueWriter.WriteByte(_buffer, RdbOpcode.SelectDb);
        RdbValueWriter.WriteLength(_buffer, (ulong)index);
        RdbValueWriter.WriteByte(_buffer, RdbOpcode.ResizeDb);
        RdbValueWriter.WriteLength(_buffer, (ulong)Math.Max(keys, 0));
        RdbValueWriter.WriteLength(_buffer, (ulong)Math.Max(expires, 0));
        MaybeFlush();
    }

    public void WriteEntry(ReadOnlySpan<byte> key, object value, long expireAt, RdbAccessHint hint = RdbAccessHint.None, long hintValue = 0)
    {
        RdbValueWriter.WriteEntry(_buffer, key, value, expireAt, hint, hintValue, Options.Compress);
        MaybeFlush();
    }

    /// <summary>An entry of this keyspace, with the access hint the options ask for.</summary>
    public void WriteEntry(Entry entry, Keyspace keyspace)
    {
        var (hint, value) = AccessHintOf(entry, keyspace, Options);
        WriteEntry(entry.Key, entry.Value, entry.ExpireAt, hint, value);
    }

    /// <summary>Entries already serialized with <see cref="RdbValueWriter.WriteEntry"/>.</summary>
    public void WriteSerialized(ReadOnlySpan<byte> entries)
    {
        Flush();
        _crc = Crc64.Compute(entries, _crc);
        _stream.Write(entries);
        BytesWritten += entries.Length;
    }

    /// <summary>EOF and checksum; flushes the buffer into the stream (the caller flushes or fsyncs the stream).</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        RdbValueWriter.WriteByte(_buffer, RdbOpcode.Eof);
        Flush();
        Span<byte> crc = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, _crc);
        _stream.Write(crc);
        BytesWritten += 8;
    }

    /// <summary>The whole keyspace in one go; the caller holds <see cref="Keyspace.Sync"/> (SAVE, tests).</summary>
    public static void WriteKeyspace(Stream stream, Keyspace keyspace, RdbSaveOptions? options = null)
    {
        var writer = new RdbFileWriter(stream, options);
        writer.WriteHeader();
        long now = keyspace.Now;
        for (int d = 0; d < keyspace.DatabaseCount; d++)
        {
            var db = keyspace[d];
            if (db.Count == 0) continue;
            writer.BeginDatabase(d, db.Count, db.VolatileCount);
            foreach (var e in db.AllEntries())
            {
                if (e.ExpireAt != 0 && e.ExpireAt <= now) continue;
                writer.WriteEntry(e, keyspace);
            }
        }
        writer.Finish();
    }

    /// <summary>The IDLE or FREQ hint Redis saves for an entry under the options' policy.</summary>
    public static (RdbAccessHint Hint, long Value) AccessHintOf(Entry entry, Keyspace keyspace, RdbSaveOptions options)
    {
        long now = options.NowMs != 0 ? options.NowMs : keyspace.Now;
        return options.AccessHint switch
        {
            RdbAccessHint.Idle => (RdbAccessHint.Idle, AccessClock.IdleMilliseconds(entry.Access, now) / 1000),
            RdbAccessHint.Frequency => (RdbAccessHint.Frequency, AccessClock.LfuDecayed(entry.Access, now, keyspace.LfuDecayTime)),
            _ => (RdbAccessHint.None, 0),
        };
    }

    /// <summary>The hint the keyspace's eviction policy calls for (IDLE for LRU, FREQ for LFU, none otherwise).</summary>
    public static RdbAccessHint HintFor(EvictionPolicy policy) => policy switch
    {
        EvictionPolicy.AllKeysLru or EvictionPolicy.VolatileLru => RdbAccessHint.Idle,
        EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu => RdbAccessHint.Frequency,
        _ => RdbAccessHint.None,
    };

    private void MaybeFlush()
    {
        if (_buffer.WrittenCount >= FlushAt) Flush();
    }

    private void Flush()
    {
        if (_buffer.WrittenCount == 0) return;
        _crc = Crc64.Compute(_buffer.WrittenSpan, _crc);
        _stream.Write(_buffer.WrittenSpan);
        BytesWritten += _buffer.WrittenCount;
        _buffer.ResetWrittenCount();
    }
}
