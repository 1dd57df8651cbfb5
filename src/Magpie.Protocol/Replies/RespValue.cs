using System.Text;

namespace Magpie.Protocol.Replies;

/// <summary>
/// One parsed reply. Text-like kinds (simple, error, bulk, verbatim, big number) keep their bytes;
/// aggregates (array, map, set, push) keep their elements, maps as a flat key, value, key, value… list.
/// A struct so that scalar replies cost no allocation beyond their bytes.
/// </summary>
public readonly struct RespValue
{
    private readonly byte[]? _bytes;
    private readonly RespValue[]? _items;
    private readonly long _integer;
    private readonly double _double;

    private RespValue(RespValueKind kind, byte[]? bytes, RespValue[]? items, long integer, double dbl)
    {
        Kind = kind;
        _bytes = bytes;
        _items = items;
        _integer = integer;
        _double = dbl;
    }

    public static RespValue Null => default;

    public static RespValue SimpleString(byte[] text) => new(RespValueKind.SimpleString, text, null, 0, 0);
    public static RespValue Error(byte[] text) => new(RespValueKind.Error, text, null, 0, 0);
    public static RespValue Error(string text) => Error(Encoding.UTF8.GetBytes(text));
    public static RespValue Bulk(byte[] bytes) => new(RespValueKind.BulkString, bytes, null, 0, 0);
    public static RespValue Verbatim(byte[] text) => new(RespValueKind.Verbatim, text, null, 0, 0);
    public static RespValue BigNumber(byte[] digits) => new(RespValueKind.BigNumber, digits, null, 0, 0);
    public static RespValue Integer(long value) => new(RespValueKind.Integer, null, null, value, 0);
    public static RespValue Double(double value) => new(RespValueKind.Double, null, null, 0, value);
    public static RespValue Boolean(bool value) => new(RespValueKind.Boolean, null, null, value ? 1 : 0, 0);

    /// <summary>An aggregate; for <see cref="RespValueKind.Map"/> the items alternate key and value.</summary>
    public static RespValue Aggregate(RespValueKind kind, RespValue[] items) => new(kind, null, items, 0, 0);

    public RespValueKind Kind { get; }

    public bool IsNull => Kind == RespValueKind.Null;
    public bool IsError => Kind == RespValueKind.Error;
    public bool IsAggregate => Kind is RespValueKind.Array or RespValueKind.Map or RespValueKind.Set or RespValueKind.Push;

    /// <summary>The raw bytes of a text-like reply; empty for other kinds.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The byte array behind a text-like reply (not a copy), or null.</summary>
    public byte[]? Bytes => _bytes;

    /// <summary>The elements of an aggregate (maps flattened); empty for other kinds.</summary>
    public ReadOnlySpan<RespValue> Items => _items;

    public int Count => _items?.Length ?? 0;

    public RespValue this[int index] => _items![index];

    /// <summary>An integer reply, or a text reply holding an integer (RESP2 sends some numbers as bulk strings).</summary>
    public long AsInt64()
    {
        switch (Kind)
        {
            case RespValueKind.Integer:
            case RespValueKind.Boolean:
                return _integer;
            case RespValueKind.Double:
                return (long)_double;
            default:
                if (_bytes is not null && RedisNumbers.TryParseInt64(_bytes, out long value)) return value;
                throw new InvalidCastException($"A {Kind} reply is not an integer.");
        }
    }

    public double AsDouble()
    {
        switch (Kind)
        {
            case RespValueKind.Double:
                return _double;
            case RespValueKind.Integer:
                return _integer;
            default:
                if (_bytes is not null && RedisNumbers.TryParseDouble(_bytes, out double value)) return value;
                throw new InvalidCastException($"A {Kind} reply is not a number.");
        }
    }

    /// <summary>RESP3 booleans, RESP2 :0/:1, and "OK".</summary>
    public bool AsBoolean() => Kind switch
    {
        RespValueKind.Boolean or RespValueKind.Integer => _integer != 0,
        RespValueKind.SimpleString => Span.SequenceEqual("OK"u8),
        RespValueKind.Null => false,
        _ => AsInt64() != 0,
    };

    /// <summary>True when a simple-string reply equals <paramref name="text"/> (e.g. "OK", "QUEUED").</summary>
    public bool IsSimple(ReadOnlySpan<byte> text) => Kind == RespValueKind.SimpleString && Span.SequenceEqual(text);

    /// <summary>The reply as text: strings decoded as UTF-8, numbers formatted, aggregates in brackets.</summary>
    public override string ToString()
    {
        switch (Kind)
        {
            case RespValueKind.Null: return "(nil)";
            case RespValueKind.Integer: return _integer.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case RespValueKind.Double: return Encoding.ASCII.GetString(RedisNumbers.FormatDouble(_double));
            case RespValueKind.Boolean: return _integer != 0 ? "true" : "false";
            case RespValueKind.Array:
            case RespValueKind.Map:
            case RespValueKind.Set:
            case RespValueKind.Push:
                var sb = new StringBuilder().Append('[');
                for (int i = 0; i < Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(_items![i].ToString());
                }
                return sb.Append(']').ToString();
            default:
                return Encoding.UTF8.GetString(_bytes!);
        }
    }
}
