using System.Globalization;
using System.Text;
using Magpie.Protocol;
using Magpie.Protocol.Replies;

namespace Magpie;

/// <summary>Prints replies the way redis-cli does on a terminal: "text", (integer) 1, (nil), 1) ...</summary>
internal static class ReplyFormatter
{
    public static string Format(RespValue reply)
    {
        var sb = new StringBuilder();
        Append(sb, reply, indent: 0);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, RespValue value, int indent)
    {
        switch (value.Kind)
        {
            case RespValueKind.Null:
                sb.Append("(nil)\n");
                break;
            case RespValueKind.Integer:
                sb.Append("(integer) ").Append(value.AsInt64()).Append('\n');
                break;
            case RespValueKind.Double:
                sb.Append("(double) ").Append(value.AsDouble().ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                break;
            case RespValueKind.Boolean:
                sb.Append(value.AsBoolean() ? "(true)\n" : "(false)\n");
                break;
            case RespValueKind.Error:
                sb.Append("(error) ").Append(Encoding.UTF8.GetString(value.Span)).Append('\n');
                break;
            case RespValueKind.SimpleString:
            case RespValueKind.BigNumber:
                sb.Append(Encoding.UTF8.GetString(value.Span)).Append('\n');
                break;
            case RespValueKind.Verbatim:
                sb.Append(Encoding.UTF8.GetString(value.Span)).Append('\n');
                break;
            case RespValueKind.BulkString:
                sb.Append(Quote(value.Span)).Append('\n');
                break;
            default:
                if (value.Count == 0)
                {
                    sb.Append("(empty array)\n");
                    break;
                }
                for (int i = 0; i < value.Count; i++)
                {
                    if (i > 0) sb.Append(' ', indent);
                    var label = $"{i + 1}) ";
                    sb.Append(label);
                    Append(sb, value[i], indent + label.Length);
                }
                break;
        }
    }

    /// <summary>Double-quoted, with non-printable bytes escaped as \xNN, as redis-cli shows them.</summary>
    private static string Quote(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder("\"");
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                default:
                    if (b >= 0x20 && b < 0x7f) sb.Append((char)b);
                    else sb.Append("\\x").Append(b.ToString("x2"));
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
