namespace Magpie.Storage.Persistence;

/// <summary>RDB object types (rdb.h), as the first byte of an entry or a DUMP payload.</summary>
public static class RdbType
{
    public const byte String = 0;
    public const byte List = 1;
    public const byte Set = 2;
    public const byte ZSet = 3;
    public const byte Hash = 4;
    public const byte ZSet2 = 5;
    public const byte ModulePreGa = 6;
    public const byte Module2 = 7;
    public const byte HashZipmap = 9;
    public const byte ListZiplist = 10;
    public const byte SetIntset = 11;
    public const byte ZSetZiplist = 12;
    public const byte HashZiplist = 13;
    public const byte ListQuicklist = 14;
    public const byte StreamListpacks = 15;
    public const byte HashListpack = 16;
    public const byte ZSetListpack = 17;
    public const byte ListQuicklist2 = 18;
    public const byte StreamListpacks2 = 19;
    public const byte SetListpack = 20;
    public const byte StreamListpacks3 = 21;

    /// <summary>A name for messages: "stream", "module", "list"...</summary>
    public static string Describe(byte type) => type switch
    {
        String => "string",
        List or ListZiplist or ListQuicklist or ListQuicklist2 => "list",
        Set or SetIntset or SetListpack => "set",
        ZSet or ZSet2 or ZSetZiplist or ZSetListpack => "zset",
        Hash or HashZipmap or HashZiplist or HashListpack => "hash",
        StreamListpacks or StreamListpacks2 or StreamListpacks3 => "stream",
        ModulePreGa or Module2 => "module",
        _ => "unknown",
    };
}

/// <summary>RDB file opcodes (rdb.h).</summary>
public static class RdbOpcode
{
    public const byte Function2 = 245;
    public const byte FunctionPreGa = 246;
    public const byte ModuleAux = 247;
    public const byte Idle = 248;
    public const byte Freq = 249;
    public const byte Aux = 250;
    public const byte ResizeDb = 251;
    public const byte ExpireTimeMs = 252;
    public const byte ExpireTime = 253;
    public const byte SelectDb = 254;
    public const byte Eof = 255;
}

public static class RdbFormat
{
    /// <summary>The RDB version redis-server 7.0 writes and the highest it reads.</summary>
    public const int Version = 10;

    /// <summary>"REDIS0010".</summary>
    public static ReadOnlySpan<byte> Magic => "REDIS0010"u8;

    /// <summary>The version Magpie reports in the redis-ver AUX field (what it is compatible with).</summary>
    public const string RedisVersion = "7.0.15";
}

/// <summary>Malformed RDB data; <see cref="Offset"/> is the byte offset in the file or payload where it was found.</summary>
public sealed class RdbFormatException(string message, long offset) : Exception(message)
{
    public long Offset { get; } = offset;
}
