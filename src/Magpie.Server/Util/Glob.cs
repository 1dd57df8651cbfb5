namespace Magpie.Server.Util;

/// <summary>Redis's glob matching (stringmatchlen): *, ?, [abc], [^a], [a-z], and \ escapes.</summary>
public static class Glob
{
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false) =>
        MatchCore(pattern, text, ignoreCase, 0);

    public static bool Match(string pattern, string text, bool ignoreCase = true) =>
        Match(System.Text.Encoding.UTF8.GetBytes(pattern), System.Text.Encoding.UTF8.GetBytes(text), ignoreCase);

    private static bool MatchCore(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, bool nocase, int depth)
    {
        // Redis caps recursion to stop pathological patterns ("a*a*a*...") from running forever.
        if (depth > 1000) return false;
        while (p.Length > 0 && s.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == '*') p = p[1..];
                    if (p.Length == 1) return true;
                    for (int i = 0; i < s.Length; i++)
                        if (MatchCore(p[1..], s[i..], nocase, depth + 1)) return true;
                    return false;
                case (byte)'?':
                    s = s[1..];
                    break;
                case (byte)'[':
                {
                    p = p[1..];
                    bool not = p.Length > 0 && p[0] == '^';
                    if (not) p = p[1..];
                    bool match = false;
                    while (true)
                    {
                        if (p.Length == 0) break;
                        if (p[0] == '\\' && p.Length >= 2)
                        {
                            p = p[1..];
                            if (p[0] == s[0]) match = true;
                        }
                        else if (p[0] == ']') break;
                        else if (p.Length >= 3 && p[1] == '-')
                        {
                            int start = p[0], end = p[2], c = s[0];
                            if (start > end) (start, end) = (end, start);
                            if (nocase) { start = Lower(start); end = Lower(end); c = Lower(c); }
                            p = p[2..];
                            if (c >= start && c <= end) match = true;
                        }
                        else if (Eq(p[0], s[0], nocase)) match = true;
                        p = p[1..];
                    }
                    if (p.Length == 0) return false; // unterminated class: Redis treats it as end of pattern
                    if (not) match = !match;
                    if (!match) return false;
                    s = s[1..];
                    break;
                }
                case (byte)'\\':
                    if (p.Length >= 2) p = p[1..];
                    if (!Eq(p[0], s[0], nocase)) return false;
                    s = s[1..];
                    break;
                default:
                    if (!Eq(p[0], s[0], nocase)) return false;
                    s = s[1..];
                    break;
            }
            p = p[1..];
            if (s.Length == 0)
            {
                while (p.Length > 0 && p[0] == '*') p = p[1..];
                break;
            }
        }
        if (s.Length == 0)
            while (p.Length > 0 && p[0] == '*') p = p[1..];
        return p.Length == 0 && s.Length == 0;
    }

    private static bool Eq(byte a, byte b, bool nocase) => nocase ? Lower(a) == Lower(b) : a == b;

    private static int Lower(int c) => (uint)(c - 'A') <= 'Z' - 'A' ? c | 0x20 : c;
}
