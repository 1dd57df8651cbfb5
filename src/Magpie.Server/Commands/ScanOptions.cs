using Magpie.Storage;

namespace Magpie.Server.Commands;

/// <summary>MATCH / COUNT / TYPE options shared by SCAN, HSCAN, SSCAN and ZSCAN.</summary>
public readonly record struct ScanOptions(byte[]? Pattern, int Count, RedisType Type)
{
    public static bool TryParse(CommandContext ctx, int start, bool allowType, out ScanOptions options)
    {
        byte[]? pattern = null;
        int count = 10;
        var type = RedisType.None;
        options = default;
        for (int i = start; i < ctx.ArgCount; i++)
        {
            bool hasValue = i + 1 < ctx.ArgCount;
            if (ctx.ArgIs(i, "match"u8) && hasValue)
            {
                pattern = ctx.ArgBytes(++i);
                if (pattern is [(byte)'*']) pattern = null;
            }
            else if (ctx.ArgIs(i, "count"u8) && hasValue)
            {
                if (!ctx.TryGetInt64(++i, out long n)) return false;
                if (n < 1)
                {
                    ctx.SyntaxError();
                    return false;
                }
                count = (int)Math.Min(n, int.MaxValue);
            }
            else if (allowType && ctx.ArgIs(i, "type"u8) && hasValue)
            {
                // An unknown type name matches nothing, as in Redis 7.0.
                RedisTypeNames.TryParse(ctx.Arg(++i), out type);
                if (type == RedisType.None) type = (RedisType)(-1);
            }
            else
            {
                ctx.SyntaxError();
                return false;
            }
        }
        options = new ScanOptions(pattern, count, type);
        return true;
    }
}
