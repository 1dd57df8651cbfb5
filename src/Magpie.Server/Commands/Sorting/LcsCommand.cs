using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands.Sorting;

/// <summary>LCS (Redis 7.0's lcsCommand): the longest common subsequence of two strings, its length, or its match ranges.</summary>
public static class LcsCommand
{
    public static void Register(CommandTable t)
    {
        t.Add(new() { Name = "lcs", Arity = -3, Flags = ReadOnly, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = Lcs, Group = "string", Summary = "Find longest common substring", Since = "7.0.0", Complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively", Acl = "@read @string @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1, LastKey = 1 }] });
    }

    private static void Lcs(CommandContext ctx)
    {
        var ea = ctx.Db.GetForRead(ctx.Arg(1));
        var eb = ctx.Db.GetForRead(ctx.Arg(2));
        if ((ea is not null && ea.Value is not byte[]) || (eb is not null && eb.Value is not byte[]))
        {
            ctx.Error("ERR The specified keys must contain string values");
            return;
        }
        var a = ea?.StringValue ?? [];
        var b = eb?.StringValue ?? [];
        bool getLen = false, getIdx = false;
        int withMatchLen = 0;
        long minMatchLen = 0;
        for (int j = 3; j < ctx.ArgCount; j++)
        {
            bool more = ctx.ArgCount - 1 - j > 0;
            if (ctx.ArgIs(j, "idx"u8)) getIdx = true;
            else if (ctx.ArgIs(j, "len"u8)) getLen = true;
            else if (ctx.ArgIs(j, "withmatchlen"u8)) withMatchLen = 1;
            else if (ctx.ArgIs(j, "minmatchlen"u8) && more)
            {
                if (!ctx.TryGetInt64(j + 1, out minMatchLen)) return;
                if (minMatchLen < 0) minMatchLen = 0;
                j++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (getIdx && getLen)
        {
            ctx.Error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        int alen = a.Length, blen = b.Length;
        long cells = (long)(alen + 1) * (blen + 1);
        if (cells * 4 > ctx.Server.MaxBulkLength)
        {
            ctx.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        var lcs = new uint[cells];
        int w = blen + 1;
        for (int i = 1; i <= alen; i++)
        {
            for (int j = 1; j <= blen; j++)
            {
                if (a[i - 1] == b[j - 1]) lcs[i * w + j] = lcs[(i - 1) * w + j - 1] + 1;
                else
                {
                    uint l1 = lcs[(i - 1) * w + j], l2 = lcs[i * w + j - 1];
                    lcs[i * w + j] = l1 > l2 ? l1 : l2;
                }
            }
        }
        uint idx = lcs[alen * w + blen];
        if (getLen)
        {
            ctx.Reply.WriteInteger(idx);
            return;
        }
        var result = new byte[idx];
        var ranges = new List<(uint As, uint Ae, uint Bs, uint Be, uint Len)>();
        uint aStart = (uint)alen, aEnd = 0, bStart = 0, bEnd = 0;
        uint ii = (uint)alen, jj = (uint)blen, k = idx;
        while (ii > 0 && jj > 0)
        {
            bool emit = false;
            if (a[ii - 1] == b[jj - 1])
            {
                result[k - 1] = a[ii - 1];
                if (aStart == alen)
                {
                    aStart = aEnd = ii - 1;
                    bStart = bEnd = jj - 1;
                }
                else if (aStart == ii && bStart == jj)
                {
                    aStart--;
                    bStart--;
                }
                else emit = true;
                if (aStart == 0 || bStart == 0) emit = true;
                k--;
                ii--;
                jj--;
            }
            else
            {
                uint l1 = lcs[(ii - 1) * w + jj], l2 = lcs[ii * w + jj - 1];
                if (l1 > l2) ii--;
                else jj--;
                if (aStart != alen) emit = true;
            }
            uint matchLen = aEnd - aStart + 1;
            if (emit)
            {
                if (minMatchLen == 0 || matchLen >= minMatchLen) ranges.Add((aStart, aEnd, bStart, bEnd, matchLen));
                aStart = (uint)alen;
            }
        }
        if (!getIdx)
        {
            ctx.Reply.WriteBulk(result);
            return;
        }
        ctx.Reply.WriteMapHeader(2);
        ctx.Reply.WriteBulk("matches"u8);
        ctx.Reply.WriteArrayHeader(ranges.Count);
        foreach (var r in ranges)
        {
            ctx.Reply.WriteArrayHeader(2 + withMatchLen);
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteInteger(r.As);
            ctx.Reply.WriteInteger(r.Ae);
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteInteger(r.Bs);
            ctx.Reply.WriteInteger(r.Be);
            if (withMatchLen == 1) ctx.Reply.WriteInteger(r.Len);
        }
        ctx.Reply.WriteBulk("len"u8);
        ctx.Reply.WriteInteger(idx);
    }
}
