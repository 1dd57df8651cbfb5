using System.Buffers;

namespace Magpie.Storage.Persistence;

/// <summary>
/// Reads and writes one more value type in RDB (streams, when Magpie has them), without touching
/// the built-in switch of <see cref="RdbValueWriter"/> and <see cref="RdbValueReader"/>.
/// </summary>
public interface IRdbValueCodec
{
    /// <summary>The RDB type bytes this codec reads (e.g. 15, 19, 21 for streams).</summary>
    IReadOnlyList<byte> ReadTypes { get; }

    bool CanWrite(object value);

    /// <summary>The type byte <paramref name="value"/> is written with.</summary>
    byte TypeOf(object value);

    void Write(IBufferWriter<byte> output, object value, bool compress);

    /// <summary>Reads one value of RDB type <paramref name="type"/>; null when it is empty (the key is skipped).</summary>
    object? Read(RdbReader reader, byte type);
}

/// <summary>The registered extra codecs. Register at startup, before any load or save.</summary>
public static class RdbValueCodecs
{
    private static volatile IRdbValueCodec[] s_codecs = [];

    public static void Register(IRdbValueCodec codec)
    {
        lock (typeof(RdbValueCodecs))
        {
            if (Array.IndexOf(s_codecs, codec) >= 0) return;
            s_codecs = [.. s_codecs, codec];
        }
    }

    public static IRdbValueCodec? Find(object value)
    {
        foreach (var c in s_codecs)
            if (c.CanWrite(value)) return c;
        return null;
    }

    public static IRdbValueCodec? Find(byte type)
    {
        foreach (var c in s_codecs)
            if (c.ReadTypes.Contains(type)) return c;
        return null;
    }
}
