using Magpie.Protocol;

namespace Magpie.Client;

/// <summary>A Redis key: binary-safe bytes, made from a string, bytes or a number.</summary>
public readonly struct MagpieKey : IEquatable<MagpieKey>
{
    private readonly MagpieValue _value;

    private MagpieKey(MagpieValue value) => _value = value;

    public bool IsNull => _value.IsNull;

    public static implicit operator MagpieKey(string? key) => new(key);
    public static implicit operator MagpieKey(byte[]? key) => new(key);
    public static implicit operator MagpieKey(ReadOnlyMemory<byte> key) => new(key);
    public static implicit operator MagpieKey(long key) => new(key);
    public static implicit operator MagpieKey(double key) => new(key);

    public static explicit operator string?(MagpieKey key) => (string?)key._value;
    public static explicit operator byte[]?(MagpieKey key) => (byte[]?)key._value;

    /// <summary>The key as a value, for commands that take keys as arguments (e.g. in scripts).</summary>
    public MagpieValue AsValue() => _value;

    public int GetByteCount() => _value.GetByteCount();

    public int CopyTo(Span<byte> destination) => _value.CopyTo(destination);

    public ReadOnlyMemory<byte> AsMemory() => _value.AsMemory();

    /// <summary>The cluster hash slot of this key.</summary>
    public int HashSlot => Magpie.Protocol.HashSlot.Of(_value.AsMemory().Span);

    /// <summary>A new key with <paramref name="prefix"/> in front.</summary>
    public MagpieKey Prepend(MagpieKey prefix)
    {
        if (prefix.IsNull) return this;
        var bytes = new byte[prefix.GetByteCount() + GetByteCount()];
        int n = prefix.CopyTo(bytes);
        CopyTo(bytes.AsSpan(n));
        return bytes;
    }

    public override string ToString() => _value.ToString();

    public bool Equals(MagpieKey other) => _value.Equals(other._value);
    public override bool Equals(object? obj) => obj is MagpieKey other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();
    public static bool operator ==(MagpieKey left, MagpieKey right) => left.Equals(right);
    public static bool operator !=(MagpieKey left, MagpieKey right) => !left.Equals(right);
}
