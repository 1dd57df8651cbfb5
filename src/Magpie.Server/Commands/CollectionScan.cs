using Magpie.Protocol;

namespace Magpie.Server.Commands;

/// <summary>
/// The cursor shared by HSCAN and SSCAN. Hash and set entries sit at dense positions [0, Count),
/// and a deletion moves the last entry into the hole. The scan walks positions downwards, and the
/// cursor is the number of positions still to visit: a deletion can only move an already-visited
/// entry into an unvisited hole (a repeat, which SCAN allows), never hide an entry present for the
/// whole iteration. Compact values are returned whole with cursor 0, as Redis does for listpacks and intsets.
/// </summary>
internal static class CollectionScan
{
    public static bool TryParseCursor(CommandContext ctx, int index, out ulong cursor)
    {
        if (ulong.TryParse(ctx.Arg(index), System.Globalization.NumberStyles.None, null, out cursor)) return true;
        ctx.Error("ERR invalid cursor");
        return false;
    }

    /// <summary>The positions to visit this step, from <paramref name="start"/> down to <paramref name="end"/> (exclusive); returns the next cursor.</summary>
    public static ulong Step(ulong cursor, int count, bool whole, int batch, out int start, out int end)
    {
        if (whole)
        {
            start = count;
            end = 0;
            return 0;
        }
        start = cursor == 0 || cursor > (ulong)count ? count : (int)cursor;
        end = Math.Max(0, start - batch);
        return (ulong)end;
    }

    public static void WriteCursor(RespWriter reply, ulong cursor)
    {
        Span<byte> digits = stackalloc byte[20];
        cursor.TryFormat(digits, out int written);
        reply.WriteArrayHeader(2);
        reply.WriteBulk(digits[..written]);
    }

    public static void WriteEmpty(RespWriter reply)
    {
        reply.WriteArrayHeader(2);
        reply.WriteBulk("0"u8);
        reply.WriteArrayHeader(0);
    }
}
