using Magpie.Protocol;
using Magpie.Storage.Values;

namespace Magpie.Server.Commands;

/// <summary>A score interval as ZRANGEBYSCORE takes it: "1.5", "(1.5" (exclusive), "-inf", "+inf".</summary>
public readonly record struct ScoreRange(double Min, bool MinExclusive, double Max, bool MaxExclusive)
{
    public const string Error = "ERR min or max is not a float";

    /// <summary>Redis's zslParseRange.</summary>
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ScoreRange range)
    {
        range = default;
        if (!TryParseBound(min, out double minValue, out bool minEx) || !TryParseBound(max, out double maxValue, out bool maxEx))
            return false;
        range = new ScoreRange(minValue, minEx, maxValue, maxEx);
        return true;
    }

    private static bool TryParseBound(ReadOnlySpan<byte> text, out double value, out bool exclusive)
    {
        exclusive = text.Length > 0 && text[0] == '(';
        if (exclusive) text = text[1..];
        value = 0;
        // strtod of an empty string reads 0 and stops at the end, which Redis accepts.
        if (text.Length == 0) return true;
        if (RedisNumbers.TryParseDouble(text, out value)) return true;
        // strtod also skips leading whitespace.
        var trimmed = text.TrimStart(" \t\n\r\v\f"u8);
        return trimmed.Length != text.Length && trimmed.Length > 0 && RedisNumbers.TryParseDouble(trimmed, out value);
    }

    /// <summary>The interval as ascending ranks [start, end) of <paramref name="set"/>; empty when end ≤ start.</summary>
    public (long Start, long End) Ranks(RedisSortedSet set)
    {
        if (Min > Max || (Min == Max && (MinExclusive || MaxExclusive))) return (0, 0);
        long start = set.CountBelow(Min, inclusive: MinExclusive);
        long end = set.CountBelow(Max, inclusive: !MaxExclusive);
        return (start, end);
    }

    public bool Contains(double score) =>
        (MinExclusive ? score > Min : score >= Min) && (MaxExclusive ? score < Max : score <= Max);
}

/// <summary>A member interval as ZRANGEBYLEX takes it: "[a" inclusive, "(a" exclusive, "-" and "+" the ends.</summary>
public readonly struct LexRange
{
    public const string Error = "ERR min or max not valid string range item";

    private enum Kind : byte { Inclusive, Exclusive, NegativeInfinity, PositiveInfinity }

    private readonly byte[] _min;
    private readonly byte[] _max;
    private readonly Kind _minKind;
    private readonly Kind _maxKind;

    private LexRange(byte[] min, Kind minKind, byte[] max, Kind maxKind)
    {
        _min = min;
        _minKind = minKind;
        _max = max;
        _maxKind = maxKind;
    }

    /// <summary>Redis's zslParseLexRange.</summary>
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out LexRange range)
    {
        range = default;
        if (!TryParseItem(min, out var minBytes, out var minKind) || !TryParseItem(max, out var maxBytes, out var maxKind)) return false;
        range = new LexRange(minBytes, minKind, maxBytes, maxKind);
        return true;
    }

    private static bool TryParseItem(ReadOnlySpan<byte> text, out byte[] value, out Kind kind)
    {
        value = [];
        kind = Kind.Inclusive;
        if (text.Length == 0) return false;
        switch (text[0])
        {
            case (byte)'+':
                kind = Kind.PositiveInfinity;
                return text.Length == 1;
            case (byte)'-':
                kind = Kind.NegativeInfinity;
                return text.Length == 1;
            case (byte)'(':
                kind = Kind.Exclusive;
                value = text[1..].ToArray();
                return true;
            case (byte)'[':
                value = text[1..].ToArray();
                return true;
            default:
                return false;
        }
    }

    /// <summary>The interval as ascending ranks [start, end) of <paramref name="set"/>; empty when end ≤ start.</summary>
    public (long Start, long End) Ranks(RedisSortedSet set)
    {
        long start = _minKind switch
        {
            Kind.NegativeInfinity => 0,
            Kind.PositiveInfinity => set.Count,
            Kind.Exclusive => set.CountLexBelow(_min, inclusive: true),
            _ => set.CountLexBelow(_min, inclusive: false),
        };
        long end = _maxKind switch
        {
            Kind.NegativeInfinity => 0,
            Kind.PositiveInfinity => set.Count,
            Kind.Exclusive => set.CountLexBelow(_max, inclusive: false),
            _ => set.CountLexBelow(_max, inclusive: true),
        };
        return (start, end);
    }
}

/// <summary>Index arithmetic shared by the rank commands (ZRANGE, ZREMRANGEBYRANK).</summary>
internal static class RankRange
{
    /// <summary>Redis's start/stop normalisation: negative from the end, clamped; false when empty.</summary>
    public static bool TryNormalize(long start, long stop, long length, out long first, out long count)
    {
        if (start < 0) start += length;
        if (stop < 0) stop += length;
        if (start < 0) start = 0;
        first = start;
        count = 0;
        if (start > stop || start >= length) return false;
        if (stop >= length) stop = length - 1;
        count = stop - start + 1;
        return true;
    }
}
