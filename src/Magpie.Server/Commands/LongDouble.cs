using System.Numerics;
using System.Text;

namespace Magpie.Server.Commands;

/// <summary>
/// The x87 80-bit long double that Redis's INCRBYFLOAT and HINCRBYFLOAT compute in: a 64-bit
/// mantissa, 15-bit exponent, round-half-even. Parses like strtold (decimal and inf forms), adds,
/// and prints like ld2string's "%.17Lf" with trailing zeros removed, so replies match redis-server
/// digit for digit, including results beyond double's range such as 1e400.
/// </summary>
public readonly struct LongDouble
{
    // value = (Negative ? -1 : 1) * Mantissa * 2^Exponent; Mantissa is 0 or in [2^63, 2^64).
    private readonly BigInteger _mantissa;
    private readonly int _exponent;
    private readonly bool _negative;
    private readonly bool _infinite;

    private static readonly BigInteger Two63 = BigInteger.One << 63;
    private static readonly BigInteger Two64 = BigInteger.One << 64;
    private static readonly BigInteger Ten17 = BigInteger.Pow(10, 17);

    private LongDouble(BigInteger mantissa, int exponent, bool negative, bool infinite)
    {
        _mantissa = mantissa;
        _exponent = exponent;
        _negative = negative;
        _infinite = infinite;
    }

    public bool IsInfinity => _infinite;

    /// <summary>Redis's string2ld: no leading space, the whole string used, no overflow to HUGE_VAL, not NaN.</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        if (s.Length == 0 || s.Length >= 5 * 1024) return false;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == '-';
            i++;
        }
        var rest = Encoding.ASCII.GetString(s[i..]).ToLowerInvariant();
        if (rest is "inf" or "infinity")
        {
            value = new LongDouble(0, 0, negative, true);
            return true;
        }
        BigInteger digits = 0;
        int fraction = 0, count = 0;
        bool dot = false;
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c >= '0' && c <= '9')
            {
                digits = digits * 10 + (c - '0');
                count++;
                if (dot) fraction++;
            }
            else if (c == '.' && !dot) dot = true;
            else break;
        }
        if (count == 0) return false;
        long exp10 = 0;
        if (i < s.Length)
        {
            if (s[i] is not ((byte)'e' or (byte)'E')) return false;
            i++;
            bool expNegative = false;
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-') expNegative = s[i++] == '-';
            if (i == s.Length) return false;
            for (; i < s.Length; i++)
            {
                if (s[i] < '0' || s[i] > '9') return false;
                if (exp10 < 100_000) exp10 = exp10 * 10 + (s[i] - '0');
            }
            if (expNegative) exp10 = -exp10;
        }
        exp10 -= fraction;
        if (digits.IsZero)
        {
            value = new LongDouble(0, 0, negative, false);
            return true;
        }
        // Out of the long double range: strtold reports ERANGE (HUGE_VAL or 0), which string2ld refuses.
        if (exp10 + count > 4934) return false;
        if (exp10 + count < -4950) return false;
        value = exp10 >= 0
            ? Round(digits * BigInteger.Pow(10, (int)exp10), BigInteger.One, 0, negative)
            : Round(digits, BigInteger.Pow(10, (int)-exp10), 0, negative);
        return !value._infinite;
    }

    /// <summary>Rounds numerator/denominator * 2^exponent to a 64-bit mantissa, half to even.</summary>
    private static LongDouble Round(BigInteger numerator, BigInteger denominator, int exponent, bool negative)
    {
        if (numerator.IsZero) return new LongDouble(0, 0, negative, false);
        long shift = (long)numerator.GetBitLength() - (long)denominator.GetBitLength() - 64;
        BigInteger q, r;
        while (true)
        {
            var n = shift < 0 ? numerator << (int)-shift : numerator;
            var d = shift > 0 ? denominator << (int)shift : denominator;
            q = BigInteger.DivRem(n, d, out r);
            if (q >= Two64) { shift++; continue; }
            if (q < Two63) { shift--; continue; }
            var twice = r * 2;
            int cmp = twice.CompareTo(d);
            if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += 1;
            if (q == Two64)
            {
                q >>= 1;
                shift++;
            }
            break;
        }
        long e = shift + exponent;
        if (e + 64 > 16384) return new LongDouble(0, 0, negative, true);
        if (e < -16445) return new LongDouble(0, 0, negative, false);
        return new LongDouble(q, (int)e, negative, false);
    }

    public static LongDouble operator +(LongDouble a, LongDouble b)
    {
        if (a._infinite || b._infinite)
        {
            // inf + -inf is NaN: reported as infinite, and the caller refuses both.
            return new LongDouble(0, 0, a._infinite ? a._negative : b._negative, true);
        }
        if (a._mantissa.IsZero) return b._mantissa.IsZero ? new LongDouble(0, 0, a._negative && b._negative, false) : b;
        if (b._mantissa.IsZero) return a;
        int min = Math.Min(a._exponent, b._exponent);
        var x = a._mantissa << (a._exponent - min);
        var y = b._mantissa << (b._exponent - min);
        var sum = (a._negative ? -x : x) + (b._negative ? -y : y);
        if (sum.IsZero) return new LongDouble(0, 0, false, false);
        return Round(BigInteger.Abs(sum), BigInteger.One, min, sum.Sign < 0);
    }

    /// <summary>ld2string(LD_STR_HUMAN): "%.17Lf", trailing zeros and a bare dot dropped, "-0" as "0".</summary>
    public override string ToString()
    {
        if (_infinite) return _negative ? "-inf" : "inf";
        BigInteger scaled;
        if (_exponent >= 0) scaled = (_mantissa << _exponent) * Ten17;
        else
        {
            var num = _mantissa * Ten17;
            int shift = -_exponent;
            var q = num >> shift;
            var r = num - (q << shift);
            var half = BigInteger.One << (shift - 1);
            int cmp = r.CompareTo(half);
            if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += 1;
            scaled = q;
        }
        var digits = scaled.ToString().PadLeft(18, '0');
        var text = digits[..^17] + "." + digits[^17..];
        text = text.TrimEnd('0').TrimEnd('.');
        if (_negative && text != "0") text = "-" + text;
        return text;
    }
}
