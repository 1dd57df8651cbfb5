using System.Globalization;
using System.Text;

namespace Magpie.Storage.Persistence;

/// <summary>Redis's d2string: how a zset score is written as text inside a listpack or an old ZSET entry.</summary>
public static class RdbDoubles
{
    private const double MinExactInt = -4503599627370495; // -(2^52 - 1)
    private const double MaxExactInt = 4503599627370496;  // 2^52

    public static byte[] Format(double value)
    {
        if (double.IsNaN(value)) return "nan"u8.ToArray();
        if (double.IsPositiveInfinity(value)) return "inf"u8.ToArray();
        if (double.IsNegativeInfinity(value)) return "-inf"u8.ToArray();
        if (value == 0) return double.IsNegative(value) ? "-0"u8.ToArray() : "0"u8.ToArray();
        if (value > MinExactInt && value < MaxExactInt && value == Math.Truncate(value))
            return Encoding.ASCII.GetBytes(((long)value).ToString(CultureInfo.InvariantCulture));
        return Encoding.ASCII.GetBytes(FormatG17(value));
    }

    /// <summary>printf's "%.17g".</summary>
    public static string FormatG17(double value)
    {
        string e = Math.Abs(value).ToString("E16", CultureInfo.InvariantCulture); // d.dddddddddddddddde+ddd
        int ePos = e.IndexOf('E');
        string digits = e[0] + e[2..ePos];
        int exp = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var sb = new StringBuilder(32);
        if (value < 0) sb.Append('-');
        if (exp < -4 || exp >= 17)
        {
            string rest = digits[1..].TrimEnd('0');
            sb.Append(digits[0]);
            if (rest.Length > 0) sb.Append('.').Append(rest);
            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exp >= 0)
        {
            sb.Append(digits, 0, exp + 1);
            string frac = digits[(exp + 1)..].TrimEnd('0');
            if (frac.Length > 0) sb.Append('.').Append(frac);
        }
        else
        {
            sb.Append("0.").Append('0', -exp - 1).Append(digits.TrimEnd('0'));
        }
        return sb.ToString();
    }
}
