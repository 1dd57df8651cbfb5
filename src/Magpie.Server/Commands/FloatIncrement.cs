using System.Globalization;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Server.Commands;

/// <summary>
/// INCRBYFLOAT's arithmetic. Redis adds in long double and prints with "%.17Lf" minus trailing
/// zeros, so "0.1 + 0.2" is "0.3". Decimal arithmetic gives the same digits for every value in
/// its range; beyond it we fall back to double.
/// </summary>
internal static class FloatIncrement
{
    public static bool TryAdd(ReadOnlySpan<byte> current, ReadOnlySpan<byte> increment, out byte[] result)
    {
        result = [];
        var a = Encoding.ASCII.GetString(current);
        var b = Encoding.ASCII.GetString(increment);
        const NumberStyles style = NumberStyles.Float;
        var inv = CultureInfo.InvariantCulture;
        if (decimal.TryParse(a, style, inv, out var da) && decimal.TryParse(b, style, inv, out var db))
        {
            try
            {
                var sum = da + db;
                result = Encoding.ASCII.GetBytes(Format(sum));
                return true;
            }
            catch (OverflowException)
            {
                // fall through to double
            }
        }
        RedisNumbers.TryParseDouble(current, out double x);
        RedisNumbers.TryParseDouble(increment, out double y);
        double total = x + y;
        if (double.IsNaN(total) || double.IsInfinity(total)) return false;
        var text = total.ToString("F17", inv);
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        result = Encoding.ASCII.GetBytes(text);
        return true;
    }

    private static string Format(decimal value)
    {
        // Round to 17 decimal places like %.17Lf, then drop trailing zeros.
        value = Math.Round(value, 17, MidpointRounding.ToEven);
        var text = value.ToString("0.#################", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }
}
