namespace Magpie.Storage;

public static class KeyHashing
{
    /// <summary>The hash used by the keyspace tables (seeded per process, like Redis's siphash seed).</summary>
    public static int Hash(ReadOnlySpan<byte> key)
    {
        var hc = new HashCode();
        hc.AddBytes(key);
        return hc.ToHashCode();
    }
}

/// <summary>Byte-array equality with span lookups, for dictionaries keyed by bytes.</summary>
public sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => KeyHashing.Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => KeyHashing.Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
