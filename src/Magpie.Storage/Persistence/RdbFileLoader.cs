using System.Text;

namespace Magpie.Storage.Persistence;

/// <summary>What a load found.</summary>
public sealed class RdbLoadResult
{
    public int Version { get; internal set; }
    public long KeysLoaded { get; internal set; }
    public long ExpiredSkipped { get; internal set; }
    public long EmptySkipped { get; internal set; }
    public long FunctionsSkipped { get; internal set; }
    public long ModuleAuxSkipped { get; internal set; }
    public bool ChecksumVerified { get; internal set; }
    public long Bytes { get; internal set; }
    public Dictionary<string, string> Aux { get; } = new(StringComparer.Ordinal);
}

public sealed record RdbLoadOptions
{
    /// <summary>Drop keys already expired at load time, as a Redis master does.</summary>
    public bool DropExpired { get; init; } = true;

    /// <summary>Check the CRC-64 trailer (a zero trailer means the writer disabled checksums).</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>Unix milliseconds to judge expiry by; 0 means the keyspace's clock.</summary>
    public long NowMs { get; init; }

    /// <summary>Receives each function library's code (RDB_OPCODE_FUNCTION2); null: libraries are skipped.</summary>
    public Action<byte[]>? OnFunction { get; init; }
}

/// <summary>
/// Loads an RDB file (versions 1 to 10) into a keyspace. The caller holds <see cref="Keyspace.Sync"/>
/// or owns the keyspace alone (a fresh one, swapped in afterwards). Every error is an
/// <see cref="RdbFormatException"/> carrying the byte offset where it was found; on error the keyspace
/// holds whatever was loaded before it, so callers load into a fresh keyspace or refuse to start.
/// </summary>
public static class RdbFileLoader
{
    public static RdbLoadResult Load(Stream stream, Keyspace target, RdbLoadOptions? options = null)
    {
        options ??= new RdbLoadOptions();
        var r = new RdbReader(stream, computeChecksum: true);
        var result = new RdbLoadResult();
        Span<byte> magic = stackalloc byte[9];
        try
        {
            r.ReadExactly(magic);
        }
        catch (RdbFormatException)
        {
            throw new RdbFormatException("file is shorter than the RDB header", 0);
        }
        if (!magic[..5].SequenceEqual("REDIS"u8) || !int.TryParse(Encoding.ASCII.GetString(magic[5..]), out int version))
            throw new RdbFormatException("wrong signature trying to load the RDB file", 0);
        if (version < 1 || version > RdbFormat.Version)
            throw new RdbFormatException($"can't handle RDB format version {version}", 5);
        result.Version = version;

        long now = options.NowMs != 0 ? options.NowMs : target.Clock();
        Database db = target[0];
        long expireAt = 0;
        long idle = -1;
        int freq = -1;
        while (true)
        {
            long at = r.Offset;
            byte type = r.ReadByte();
            switch (type)
            {
                case RdbOpcode.ExpireTimeMs:
                    expireAt = r.ReadInt64LittleEndian();
                    continue;
                case RdbOpcode.ExpireTime:
                    expireAt = r.ReadInt32LittleEndian() * 1000L;
                    continue;
                case RdbOpcode.Freq:
                    freq = r.ReadByte();
                    continue;
                case RdbOpcode.Idle:
                    idle = (long)Math.Min(r.ReadLength(), long.MaxValue / 1000);
                    continue;
                case RdbOpcode.Eof:
                    break;
                case RdbOpcode.SelectDb:
                {
                    ulong index = r.ReadLength();
                    if (index >= (ulong)target.DatabaseCount)
                        throw new RdbFormatException(
                            $"the file has database {index} but this node has {target.DatabaseCount} databases (raise --databases)", at);
                    db = target[(int)index];
                    continue;
                }
                case RdbOpcode.ResizeDb:
                    r.ReadLength();
                    r.ReadLength();
                    continue;
                case RdbOpcode.Aux:
                {
                    var key = Encoding.UTF8.GetString(r.ReadString());
                    var value = Encoding.UTF8.GetString(r.ReadString());
                    result.Aux[key] = value;
                    continue;
                }
                case RdbOpcode.ModuleAux:
                    SkipModuleAux(r);
                    result.ModuleAuxSkipped++;
                    continue;
                case RdbOpcode.Function2:
                    // A function library's code: Magpie has no functions, so the library is not loaded.
                    var library = r.ReadString();
                    if (options.OnFunction is { } onFunction) onFunction(library);
                    else result.FunctionsSkipped++;
                    continue;
                case RdbOpcode.FunctionPreGa:
                    throw new RdbFormatException("pre-release function format (opcode 246) is not supported", at);
                default:
                {
                    if (!RdbValueReader.IsValueType(type)) throw new RdbFormatException($"unknown RDB opcode or type {type}", at);
                    var key = r.ReadString();
                    var value = RdbValueReader.Read(r, type, key);
                    long exp = expireAt;
                    long keyIdle = idle;
                    int keyFreq = freq;
                    expireAt = 0;
                    idle = -1;
                    freq = -1;
                    if (value is null)
                    {
                        result.EmptySkipped++;
                        continue;
                    }
                    if (options.DropExpired && exp != 0 && exp <= now)
                    {
                        result.ExpiredSkipped++;
                        continue;
                    }
                    if (db.Lookup(key) is not null)
                        throw new RdbFormatException($"duplicate key '{RdbValueReader.KeyText(key)}' in database {db.Index}", at);
                    var entry = db.Add(key, value, exp);
                    if (keyFreq >= 0 && target.Policy.IsLfu()) entry.Access = (AccessClock.LfuNew(now) & ~0xffu) | (uint)keyFreq;
                    else if (keyIdle >= 0 && !target.Policy.IsLfu()) entry.Access = AccessClock.LruNow(now - keyIdle * 1000);
                    result.KeysLoaded++;
                    continue;
                }
            }
            break;
        }

        if (version >= 5)
        {
            ulong expected = r.Checksum;
            Span<byte> trailer = stackalloc byte[8];
            long at = r.Offset;
            try
            {
                r.ReadExactly(trailer);
            }
            catch (RdbFormatException)
            {
                throw new RdbFormatException("the file ends before its checksum", at);
            }
            ulong stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(trailer);
            if (stored != 0 && options.VerifyChecksum)
            {
                if (stored != expected) throw new RdbFormatException("wrong RDB checksum", at);
                result.ChecksumVerified = true;
            }
        }
        result.Bytes = r.Offset;
        return result;
    }

    /// <summary>Loads a file by path; errors name the file and the offset.</summary>
    public static RdbLoadResult LoadFile(string path, Keyspace target, RdbLoadOptions? options = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            return Load(file, target, options);
        }
        catch (RdbFormatException ex)
        {
            throw new RdbFileException(path, ex.Offset, ex.Message, ex);
        }
    }

    /// <summary>rdbLoadCheckModuleValue: walks a module's self-described value (opcode, value pairs up to EOF).</summary>
    private static void SkipModuleAux(RdbReader r)
    {
        r.ReadLength(); // module id
        r.ReadLength(); // when_opcode
        r.ReadLength(); // when
        while (true)
        {
            ulong opcode = r.ReadLength();
            switch (opcode)
            {
                case 0: return;                               // EOF
                case 1: case 2: r.ReadLength(); break;        // SINT, UINT
                case 3: r.ReadInt32LittleEndian(); break;     // FLOAT
                case 4: r.ReadBinaryDouble(); break;          // DOUBLE
                case 5: r.ReadString(); break;                // STRING
                default: throw r.Error($"unknown module value opcode {opcode}");
            }
        }
    }
}

/// <summary>A bad RDB file: names the file and the byte offset.</summary>
public sealed class RdbFileException(string path, long offset, string reason, Exception? inner = null)
    : Exception($"Bad RDB file '{path}' at offset {offset}: {reason}", inner)
{
    public string Path { get; } = path;
    public long Offset { get; } = offset;
    public string Reason { get; } = reason;
}
