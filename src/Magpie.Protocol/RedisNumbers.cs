using System.Buffers.Text;
using System.Globalization;

namespace Magpie.Protocol;

/// <summary>Number parsing and formatting with Redis's exact rules (string2ll, string2ld, %.17g-free shortest doubles).</summary>
public static class RedisNumbers
{
    /// <summary>Redis's string2ll: optional '-', digits, no '+', no spaces, no leading zeros, fits in a long.</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20) return false;
        if (s.Length == 1 && s[0] == '0') return true;
        int i = 0;
        bool negative = false;
        if (s[0] == '-')
        {
            negative = true;
            i = 1;
            if (s.Length == 1) return false;
        }
        if (s[i] < '1' || s[i] > '9') return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) return false;
            if (v > (ulong.MaxValue - d) / 10) return false;
            v = v * 10 + d;
        }
        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1) return false;
            value = (long)(0 - v);
        }
        else
        {
            if (v > long.MaxValue) return false;
            value = (long)v;
        }
        return true;
    }

    /// <summary>
    /// Redis's string2d/string2ld: a decimal or exponent form, "inf"/"-inf"/"+inf", no spaces, not NaN.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 5120) return false;
        if (IsSpace(s[0]) || IsSpace(s[^1])) return false;
        if (EqualsIgnoreCase(s, "inf"u8) || EqualsIgnoreCase(s, "+inf"u8) || EqualsIgnoreCase(s, "infinity"u8) || EqualsIgnoreCase(s, "+infinity"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (EqualsIgnoreCase(s, "-inf"u8) || EqualsIgnoreCase(s, "-infinity"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }
        foreach (var b in s)
        {
            // Only what strtod accepts for finite decimal numbers; reject hex floats, "nan", "1,5".
            if (!((b >= '0' && b <= '9') || b == '.' || b == '-' || b == '+' || b == 'e' || b == 'E')) return false;
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return false;
        return !double.IsNaN(value);
    }

    /// <summary>Shortest round-trip form, as Redis 7 prints scores: "1.5", "3", "inf", "-inf", "1e+21".</summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value)) { "inf"u8.CopyTo(destination); return 3; }
        if (double.IsNegativeInfinity(value)) { "-inf"u8.CopyTo(destination); return 4; }
        if (double.IsNaN(value)) { "nan"u8.CopyTo(destination); return 3; }
        if (value == 0) { destination[0] = (byte)'0'; return 1; } // also -0
        if (!value.TryFormat(destination, out int written, "R", CultureInfo.InvariantCulture))
            throw new ArgumentException("destination too small", nameof(destination));
        for (int i = 0; i < written; i++)
            if (destination[i] == 'E') destination[i] = (byte)'e';
        return written;
    }

    /// <summary>
    /// Redis 7.0's addReplyDouble and d2string: "%.17g" ("0.30000000000000004", "1.1000000000000001",
    /// "1e+20", "0" for -0), "inf", "-inf", "nan".
    /// </summary>
    public static int FormatDouble17(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value)) { "inf"u8.CopyTo(destination); return 3; }
        if (double.IsNegativeInfinity(value)) { "-inf"u8.CopyTo(destination); return 4; }
        if (double.IsNaN(value)) { "nan"u8.CopyTo(destination); return 3; }
        if (value == 0) { destination[0] = (byte)'0'; return 1; } // a stored -0 reads back as 0 in Redis
        if (!value.TryFormat(destination, out int written, "G17", CultureInfo.InvariantCulture))
            throw new ArgumentException("destination too small", nameof(destination));
        for (int i = 0; i < written; i++)
            if (destination[i] == 'E') destination[i] = (byte)'e';
        return written;
    }

    public static byte[] FormatDouble(double value)
    {
        Span<byte> buf = stackalloc byte[40];
        return buf[..FormatDouble(value, buf)].ToArray();
    }

    public static int FormatInt64(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out int written);
        return written;
    }

    public static byte[] FormatInt64(long value)
    {
        Span<byte> buf = stackalloc byte[20];
        return buf[..FormatInt64(value, buf)].ToArray();
    }

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> asciiLower)
    {
        if (a.Length != asciiLower.Length) return false;
        for (int i = 0; i < a.Length; i++)
        {
            int c = a[i];
            if ((uint)(c - 'A') <= 'Z' - 'A') c |= 0x20;
            if (c != asciiLower[i]) return false;
        }
        return true;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0b or 0x0c;
}
