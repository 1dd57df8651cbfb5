using System.Globalization;
using System.Text;

namespace Magpie.Server.Scripting;

/// <summary>Number conversions as Redis's Lua glue does them (C casts and printf formats).</summary>
internal static class LuaNumbers
{
    /// <summary>A Lua number as a redis.call argument: Redis formats it with "%.17g".</summary>
    public static int FormatG17(double value, Span<byte> destination)
    {
        string text;
        if (double.IsNaN(value)) text = "nan";
        else if (double.IsPositiveInfinity(value)) text = "inf";
        else if (double.IsNegativeInfinity(value)) text = "-inf";
        else text = value.ToString("G17", CultureInfo.InvariantCulture).Replace('E', 'e');
        return Encoding.ASCII.GetBytes(text, destination);
    }

    /// <summary>(long long) of a double as x86-64 does it: out of range and NaN give LLONG_MIN.</summary>
    public static long Truncate(double value)
    {
        if (double.IsNaN(value) || value >= 9223372036854775808.0 || value < -9223372036854775808.0) return long.MinValue;
        return (long)value;
    }
}
