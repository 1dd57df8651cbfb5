namespace Magpie.Protocol;

/// <summary>Splits an inline command line into arguments with the quoting rules of Redis's sdssplitargs.</summary>
internal static class InlineSplitter
{
    public static bool TrySplit(ReadOnlySpan<byte> line, RespRequest request)
    {
        Span<byte> scratch = stackalloc byte[256];
        byte[]? rented = null;
        if (line.Length > scratch.Length) scratch = rented = new byte[line.Length];

        int p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p])) p++;
            if (p >= line.Length) return true;

            int len = 0;
            bool inDouble = false, inSingle = false, done = false;
            while (!done)
            {
                bool atEnd = p >= line.Length;
                if (inDouble)
                {
                    if (atEnd) return false; // unterminated quotes
                    byte c = line[p];
                    if (c == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        scratch[len++] = (byte)(HexValue(line[p + 2]) * 16 + HexValue(line[p + 3]));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        scratch[len++] = line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        };
                    }
                    else if (c == '"')
                    {
                        // A closing quote must be followed by a space or the end of the line.
                        if (p + 1 < line.Length && !IsSpace(line[p + 1])) return false;
                        done = true;
                    }
                    else scratch[len++] = c;
                }
                else if (inSingle)
                {
                    if (atEnd) return false;
                    byte c = line[p];
                    if (c == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                    {
                        p++;
                        scratch[len++] = (byte)'\'';
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1])) return false;
                        done = true;
                    }
                    else scratch[len++] = c;
                }
                else if (atEnd) done = true;
                else
                {
                    byte c = line[p];
                    switch (c)
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0: done = true; break;
                        case (byte)'"': inDouble = true; break;
                        case (byte)'\'': inSingle = true; break;
                        default: scratch[len++] = c; break;
                    }
                }
                if (p < line.Length) p++;
            }
            request.AddArgument(scratch[..len]);
        }
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0b or 0x0c;
    private static bool IsHex(byte b) => (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
