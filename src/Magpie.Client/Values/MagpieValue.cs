using System.Globalization;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Client;

/// <summary>
/// A Redis value: binary-safe bytes that can be made from a string, bytes, or a number without
/// converting until it is written to the wire. Null means "no value" (a missing key).
/// </summary>
public readonly struct MagpieValue : IEquatable<MagpieValue>
{
    private enum Storage : byte { Null, Bytes, String, Int64, Double }

    private readonly object? _object; // string for Storage.String
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _number; // long, or a double's bits
    private readonly Storage _storage;

    private MagpieValue(Storage storage, object? obj, ReadOnlyMemory<byte> bytes, long number)
    {
        _storage = storage;
        _object = obj;
        _bytes = bytes;
        _number = number;
    }

    public static MagpieValue Null => default;

    public static MagpieValue EmptyString { get; } = new(Storage.Bytes, null, ReadOnlyMemory<byte>.Empty, 0);

    public bool IsNull => _storage == Storage.Null;

    public bool HasValue => _storage != Storage.Null;

    public bool IsInteger => _storage == Storage.Int64;

    public static implicit operator MagpieValue(string? value) => value is null ? Null : new(Storage.String, value, default, 0);
    public static implicit operator MagpieValue(byte[]? value) => value is null ? Null : new(Storage.Bytes, null, value, 0);
    public static implicit operator MagpieValue(ReadOnlyMemory<byte> value) => new(Storage.Bytes, null, value, 0);
    public static implicit operator MagpieValue(Memory<byte> value) => new(Storage.Bytes, null, value, 0);
    public static implicit operator MagpieValue(long value) => new(Storage.Int64, null, default, value);
    public static implicit operator MagpieValue(int value) => new(Storage.Int64, null, default, value);
    public static implicit operator MagpieValue(double value) => new(Storage.Double, null, default, BitConverter.DoubleToInt64Bits(value));
    public static implicit operator MagpieValue(bool value) => new(Storage.Int64, null, default, value ? 1 : 0);

    public static explicit operator string?(MagpieValue value) => value.IsNull ? null : value.ToString();
    public static explicit operator byte[]?(MagpieValue value) => value.IsNull ? null : value.ToArray();
    public static explicit operator ReadOnlyMemory<byte>(MagpieValue value) => value.AsMemory();
    public static explicit operator long(MagpieValue value) => value.ToInt64();
    public static explicit operator long?(MagpieValue value) => value.IsNull ? null : value.ToInt64();
    public static explicit operator int(MagpieValue value) => checked((int)value.ToInt64());
    public static explicit operator double(MagpieValue value) => value.ToDouble();
    public static explicit operator double?(MagpieValue value) => value.IsNull ? null : value.ToDouble();

    /// <summary>Wraps bytes received from the server without copying them.</summary>
    internal static MagpieValue FromReply(byte[]? bytes) => bytes is null ? Null : new(Storage.Bytes, null, bytes, 0);

    /// <summary>Number of bytes this value takes on the wire.</summary>
    public int GetByteCount() => _storage switch
    {
        Storage.Null => 0,
        Storage.Bytes => _bytes.Length,
        Storage.String => Encoding.UTF8.GetByteCount((string)_object!),
        _ => FormatNumber(stackalloc byte[40]),
    };

    /// <summary>Writes the value's bytes into <paramref name="destination"/>, which must hold <see cref="GetByteCount"/> bytes.</summary>
    public int CopyTo(Span<byte> destination)
    {
        switch (_storage)
        {
            case Storage.Null: return 0;
            case Storage.Bytes: _bytes.Span.CopyTo(destination); return _bytes.Length;
            case Storage.String: return Encoding.UTF8.GetBytes((string)_object!, destination);
            default: return FormatNumber(destination);
        }
    }

    /// <summary>The value's bytes: no copy when it was made from bytes.</summary>
    public ReadOnlyMemory<byte> AsMemory() => _storage switch
    {
        Storage.Null => ReadOnlyMemory<byte>.Empty,
        Storage.Bytes => _bytes,
        _ => ToArray(),
    };

    public byte[] ToArray()
    {
        if (_storage == Storage.Bytes) return _bytes.ToArray();
        var array = new byte[GetByteCount()];
        CopyTo(array);
        return array;
    }

    public long ToInt64()
    {
        switch (_storage)
        {
            case Storage.Int64: return _number;
            case Storage.Double: return (long)BitConverter.Int64BitsToDouble(_number);
            case Storage.Null: throw new InvalidCastException("The value is null.");
        }
        Span<byte> buffer = stackalloc byte[64];
        if (GetByteCount() <= buffer.Length && RedisNumbers.TryParseInt64(buffer[..CopyTo(buffer)], out long value)) return value;
        throw new InvalidCastException($"'{this}' is not an integer.");
    }

    public double ToDouble()
    {
        switch (_storage)
        {
            case Storage.Int64: return _number;
            case Storage.Double: return BitConverter.Int64BitsToDouble(_number);
            case Storage.Null: throw new InvalidCastException("The value is null.");
        }
        Span<byte> buffer = stackalloc byte[128];
        if (GetByteCount() <= buffer.Length && RedisNumbers.TryParseDouble(buffer[..CopyTo(buffer)], out double value)) return value;
        throw new InvalidCastException($"'{this}' is not a number.");
    }

    public override string ToString() => _storage switch
    {
        Storage.Null => "",
        Storage.String => (string)_object!,
        Storage.Bytes => Encoding.UTF8.GetString(_bytes.Span),
        Storage.Int64 => _number.ToString(CultureInfo.InvariantCulture),
        _ => Encoding.ASCII.GetString(RedisNumbers.FormatDouble(BitConverter.Int64BitsToDouble(_number))),
    };

    public bool Equals(MagpieValue other)
    {
        if (IsNull || other.IsNull) return IsNull == other.IsNull;
        if (_storage == other._storage && _storage is Storage.Int64 or Storage.Double) return _number == other._number;
        if (_storage == Storage.String && other._storage == Storage.String) return (string)_object! == (string)other._object!;
        return AsMemory().Span.SequenceEqual(other.AsMemory().Span);
    }

    public override bool Equals(object? obj) => obj is MagpieValue other && Equals(other);

    public override int GetHashCode()
    {
        if (IsNull) return 0;
        var hash = new HashCode();
        hash.AddBytes(AsMemory().Span);
        return hash.ToHashCode();
    }

    public static bool operator ==(MagpieValue left, MagpieValue right) => left.Equals(right);
    public static bool operator !=(MagpieValue left, MagpieValue right) => !left.Equals(right);

    private int FormatNumber(Span<byte> destination) => _storage == Storage.Int64
        ? RedisNumbers.FormatInt64(_number, destination)
        : RedisNumbers.FormatDouble(BitConverter.Int64BitsToDouble(_number), destination);
}
