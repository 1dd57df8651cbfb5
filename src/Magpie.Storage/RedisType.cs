namespace Magpie.Storage;

/// <summary>The value types, named as TYPE reports them.</summary>
public enum RedisType
{
    None,
    String,
    List,
    Set,
    ZSet,
    Hash,
    Stream,
}

public static class RedisTypeNames
{
    public static string Name(this RedisType type) => type switch
    {
        RedisType.String => "string",
        RedisType.List => "list",
        RedisType.Set => "set",
        RedisType.ZSet => "zset",
        RedisType.Hash => "hash",
        RedisType.Stream => "stream",
        _ => "none",
    };

    public static bool TryParse(ReadOnlySpan<byte> name, out RedisType type)
    {
        Span<byte> lower = stackalloc byte[8];
        type = RedisType.None;
        if (name.Length > lower.Length) return false;
        for (int i = 0; i < name.Length; i++) lower[i] = (byte)(name[i] | 0x20);
        type = lower[..name.Length] switch
        {
            var s when s.SequenceEqual("string"u8) => RedisType.String,
            var s when s.SequenceEqual("list"u8) => RedisType.List,
            var s when s.SequenceEqual("set"u8) => RedisType.Set,
            var s when s.SequenceEqual("zset"u8) => RedisType.ZSet,
            var s when s.SequenceEqual("hash"u8) => RedisType.Hash,
            var s when s.SequenceEqual("stream"u8) => RedisType.Stream,
            _ => RedisType.None,
        };
        return type != RedisType.None;
    }
}
