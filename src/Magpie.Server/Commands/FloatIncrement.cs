using System.Text;

namespace Magpie.Server.Commands;

/// <summary>
/// INCRBYFLOAT's and HINCRBYFLOAT's arithmetic: Redis adds in long double and prints with "%.17Lf"
/// minus trailing zeros (so "0.1 + 0.2" is "0.3"); <see cref="LongDouble"/> does the same in 80-bit
/// extended precision, so even sums beyond double's range (1e400) read as redis-server writes them.
/// </summary>
internal static class FloatIncrement
{
    /// <summary>False when either side isn't a long double or the sum is NaN or infinite.</summary>
    public static bool TryAdd(ReadOnlySpan<byte> current, ReadOnlySpan<byte> increment, out byte[] result)
    {
        result = [];
        if (!LongDouble.TryParse(current, out var a) || !LongDouble.TryParse(increment, out var b)) return false;
        var sum = a + b;
        if (sum.IsInfinity) return false;
        result = Encoding.ASCII.GetBytes(sum.ToString());
        return true;
    }

    /// <summary>Redis's string2ld check of a value or an increment.</summary>
    public static bool IsLongDouble(ReadOnlySpan<byte> text) => LongDouble.TryParse(text, out _);
}
