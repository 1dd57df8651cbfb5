namespace Magpie.Storage.Persistence;

/// <summary>
/// LZF, the compression Redis applies to RDB strings longer than 20 bytes. The compressor makes
/// the same choices as Redis's liblzf build (liblzf 3.6 as vendored in redis 7.0: HLOG 16, VERY_FAST, the same hash and match rules), so
/// a DUMP from Magpie is byte-identical to redis-server's for the same value. No NuGet package
/// implements LZF with Redis's exact match selection, which byte-identical payloads need.
/// </summary>
public static class Lzf
{
    private const int HashLog = 16;
    private const int HashSize = 1 << HashLog;
    private const int MaxLiteral = 1 << 5;
    private const int MaxOffset = 1 << 13;
    private const int MaxReference = (1 << 8) + (1 << 3);

    [ThreadStatic] private static int[]? t_table;

    /// <summary>
    /// Compresses into <paramref name="output"/>; returns the compressed length, or 0 when the result
    /// would not fit (Redis then stores the string uncompressed).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int inLen = input.Length, outEnd = output.Length;
        if (inLen < 3 || outEnd == 0) return 0;
        // Positions + 1, so 0 means "no entry" (Redis's table starts as garbage it then bounds-checks).
        var table = t_table ??= new int[HashSize];
        Array.Clear(table);
        int ip = 0, op = 0, lit = 0;
        op++; // start a literal run
        uint hval = First(input, ip);
        while (ip < inLen - 2)
        {
            hval = Next(hval, input, ip);
            int slot = Index(hval);
            int refPlus = table[slot];
            table[slot] = ip + 1;
            int reference = refPlus - 1;
            int off;
            if (refPlus != 0 && reference < ip && (off = ip - reference - 1) < MaxOffset && reference > 0 &&
                input[reference] == input[ip] && input[reference + 1] == input[ip + 1] && input[reference + 2] == input[ip + 2])
            {
                int len = 2;
                int maxlen = inLen - ip - len;
                if (maxlen > MaxReference) maxlen = MaxReference;
                if (op + 3 + 1 >= outEnd && op - (lit == 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
                output[op - lit - 1] = (byte)(lit - 1); // stop the literal run
                if (lit == 0) op--;                       // undo an empty run
                // As liblzf: 16 unrolled steps without the maxlen check first, then the checked loop.
                bool mismatch = false;
                if (maxlen > 16)
                {
                    for (int k = 0; k < 16; k++)
                    {
                        len++;
                        if (input[reference + len] != input[ip + len])
                        {
                            mismatch = true;
                            break;
                        }
                    }
                }
                if (!mismatch)
                {
                    do len++;
                    while (len < maxlen && input[reference + len] == input[ip + len]);
                }
                len -= 2; // now the match length - 1
                ip++;
                if (len < 7)
                {
                    output[op++] = (byte)((off >> 8) + (len << 5));
                }
                else
                {
                    output[op++] = (byte)((off >> 8) + (7 << 5));
                    output[op++] = (byte)(len - 7);
                }
                output[op++] = (byte)off;
                lit = 0;
                op++; // start a literal run
                ip += len + 1;
                if (ip >= inLen - 2) break;
                ip -= 2;
                hval = First(input, ip);
                hval = Next(hval, input, ip);
                table[Index(hval)] = ip + 1;
                ip++;
                hval = Next(hval, input, ip);
                table[Index(hval)] = ip + 1;
                ip++;
            }
            else
            {
                if (op >= outEnd) return 0;
                lit++;
                output[op++] = input[ip++];
                if (lit == MaxLiteral)
                {
                    output[op - lit - 1] = (byte)(lit - 1);
                    lit = 0;
                    op++;
                }
            }
        }
        if (op + 3 > outEnd) return 0;
        while (ip < inLen)
        {
            lit++;
            output[op++] = input[ip++];
            if (lit == MaxLiteral)
            {
                output[op - lit - 1] = (byte)(lit - 1);
                lit = 0;
                op++;
            }
        }
        output[op - lit - 1] = (byte)(lit - 1);
        if (lit == 0) op--;
        return op;
    }

    /// <summary>Decompresses exactly <paramref name="output"/>.Length bytes; false on malformed input.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                int len = ctrl + 1;
                if (op + len > output.Length || ip + len > input.Length) return false;
                input.Slice(ip, len).CopyTo(output[op..]);
                ip += len;
                op += len;
            }
            else
            {
                int len = ctrl >> 5;
                int reference = op - ((ctrl & 0x1f) << 8) - 1;
                if (len == 7)
                {
                    if (ip >= input.Length) return false;
                    len += input[ip++];
                }
                if (ip >= input.Length) return false;
                reference -= input[ip++];
                len += 2;
                if (op + len > output.Length || reference < 0) return false;
                // Byte by byte: a back reference may overlap the bytes it produces.
                for (int i = 0; i < len; i++) output[op++] = output[reference++];
            }
        }
        return op == output.Length;
    }

    private static uint First(ReadOnlySpan<byte> p, int i) => (uint)((p[i] << 8) | p[i + 1]);

    private static uint Next(uint v, ReadOnlySpan<byte> p, int i) => (v << 8) | p[i + 2];

    private static int Index(uint h) => (int)(((h >> (3 * 8 - HashLog)) - h * 5) & (HashSize - 1));
}
