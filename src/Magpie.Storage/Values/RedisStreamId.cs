using System.Buffers.Text;

namespace Magpie.Storage.Values;

/// <summary>A stream entry id: 64-bit milliseconds and a 64-bit sequence, ordered as a 128-bit number.</summary>
public readonly record struct RedisStreamId(ulong Ms, ulong Seq) : IComparable<RedisStreamId>
{
    public static readonly RedisStreamId Min = new(0, 0);
    public static readonly RedisStreamId Max = new(ulong.MaxValue, ulong.MaxValue);

    public bool IsZero => Ms == 0 && Seq == 0;

    public int CompareTo(RedisStreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(RedisStreamId a, RedisStreamId b) => a.CompareTo(b) < 0;
    public static bool operator >(RedisStreamId a, RedisStreamId b) => a.CompareTo(b) > 0;
    public static bool operator <=(RedisStreamId a, RedisStreamId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(RedisStreamId a, RedisStreamId b) => a.CompareTo(b) >= 0;

    /// <summary>The next id (false at the maximum), as Redis's streamIncrID.</summary>
    public bool TryIncrement(out RedisStreamId next)
    {
        if (Seq != ulong.MaxValue) { next = new(Ms, Seq + 1); return true; }
        if (Ms != ulong.MaxValue) { next = new(Ms + 1, 0); return true; }
        next = this;
        return false;
    }

    /// <summary>The previous id (false at 0-0), as Redis's streamDecrID.</summary>
    public bool TryDecrement(out RedisStreamId previous)
    {
        if (Seq != 0) { previous = new(Ms, Seq - 1); return true; }
        if (Ms != 0) { previous = new(Ms - 1, ulong.MaxValue); return true; }
        previous = this;
        return false;
    }

    /// <summary>"ms-seq" as ASCII bytes into <paramref name="destination"/> (at least 41 bytes); returns the length.</summary>
    public int Format(Span<byte> destination)
    {
        Utf8Formatter.TryFormat(Ms, destination, out int n);
        destination[n++] = (byte)'-';
        Utf8Formatter.TryFormat(Seq, destination[n..], out int m);
        return n + m;
    }

    public const int MaxFormattedLength = 41;

    public override string ToString() => $"{Ms}-{Seq}";

    /// <summary>
    /// Parses an id as Redis's streamGenericParseIDOrReply: "-" and "+" (unless
    /// <paramref name="strict"/>), "ms" (the sequence is then <paramref name="missingSeq"/>) or
    /// "ms-seq"; with <paramref name="allowSeqStar"/> "ms-*" too (<paramref name="seqGiven"/> false).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, ulong missingSeq, bool strict, out RedisStreamId id, bool allowSeqStar, out bool seqGiven)
    {
        id = default;
        seqGiven = true;
        // Redis copies the argument into a 128-byte C string: longer is invalid, a NUL ends it.
        if (text.Length > 127) return false;
        int nul = text.IndexOf((byte)0);
        if (nul >= 0) text = text[..nul];
        if (text.Length == 1 && (text[0] == '-' || text[0] == '+'))
        {
            if (strict) return false;
            id = text[0] == '-' ? Min : Max;
            return true;
        }
        int dash = text.IndexOf((byte)'-');
        var msPart = dash >= 0 ? text[..dash] : text;
        if (!TryParseUnsigned(msPart, out ulong ms)) return false;
        ulong seq;
        if (dash >= 0)
        {
            var seqPart = text[(dash + 1)..];
            if (allowSeqStar && seqPart.Length == 1 && seqPart[0] == '*')
            {
                seq = 0;
                seqGiven = false;
            }
            else if (!TryParseUnsigned(seqPart, out seq)) return false;
        }
        else seq = missingSeq;
        id = new(ms, seq);
        return true;
    }

    public static bool TryParse(ReadOnlySpan<byte> text, ulong missingSeq, bool strict, out RedisStreamId id) =>
        TryParse(text, missingSeq, strict, out id, allowSeqStar: false, out _);

    /// <summary>
    /// Redis's string2ull: a canonical negative number fails, anything else goes through strtoull
    /// (leading white space, an optional sign, decimal digits, no overflow).
    /// </summary>
    private static bool TryParseUnsigned(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }
        int digitsStart = i;
        if (i == s.Length) return false;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) return false;
            if (value > (ulong.MaxValue - d) / 10) return false;
            value = value * 10 + d;
        }
        if (negative)
        {
            // string2ll accepts "-" followed by a digit 1-9 and digits within long range: that is a
            // negative number, refused. "-0", "-01" or beyond long's range go to strtoull, which negates.
            bool canonical = digitsStart == 1 && s[1] != '0' && value <= 9223372036854775808UL;
            if (canonical) return false;
            value = unchecked(0UL - value);
        }
        return true;
    }
}
