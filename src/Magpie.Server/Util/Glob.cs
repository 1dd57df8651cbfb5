namespace Magpie.Server.Util;

/// <summary>
/// Redis's glob matching (stringmatchlen): *, ?, [abc], [^a], [a-z], and \ escapes.
/// </summary>
/// <remarks>
/// Redis recurses on every '*', which is exponential for patterns like "a*a*a*...b" (it bounds
/// the damage with a nesting limit and an early exit, CVE-2022-36021). This matcher never recurses:
/// each token matches exactly one byte, so on a mismatch it is enough to retry from the last '*'
/// one byte further on. The cost is at most pattern length times text length, whatever the pattern.
/// </remarks>
public static class Glob
{
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        int p = 0, s = 0;
        int starP = -1, starS = -1;
        while (s < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                while (p < pattern.Length && pattern[p] == '*') p++;
                if (p == pattern.Length) return true;
                starP = p;
                starS = s;
                continue;
            }
            if (p < pattern.Length && MatchOne(pattern, ref p, text[s], ignoreCase))
            {
                s++;
                continue;
            }
            if (starP < 0) return false;
            p = starP;
            s = ++starS;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    public static bool Match(string pattern, string text, bool ignoreCase = true) =>
        Match(System.Text.Encoding.UTF8.GetBytes(pattern), System.Text.Encoding.UTF8.GetBytes(text), ignoreCase);

    /// <summary>
    /// Matches the token at <paramref name="p"/> (not '*') against one byte; on success advances
    /// <paramref name="p"/> past the token. The token rules are stringmatchlen's, including its
    /// treatment of an unterminated class ("[ab" is a class that ends with the pattern).
    /// </summary>
    private static bool MatchOne(ReadOnlySpan<byte> pattern, ref int p, byte c, bool nocase)
    {
        switch (pattern[p])
        {
            case (byte)'?':
                p++;
                return true;
            case (byte)'[':
            {
                int i = p + 1;
                bool not = i < pattern.Length && pattern[i] == '^';
                if (not) i++;
                bool match = false;
                while (true)
                {
                    if (i < pattern.Length && pattern[i] == '\\' && pattern.Length - i >= 2)
                    {
                        i++;
                        if (pattern[i] == c) match = true;
                    }
                    else if (i >= pattern.Length)
                    {
                        i = pattern.Length - 1; // unterminated: the class ends with the pattern
                        break;
                    }
                    else if (pattern[i] == ']') break;
                    else if (pattern.Length - i >= 3 && pattern[i + 1] == '-')
                    {
                        int start = pattern[i], end = pattern[i + 2], ch = c;
                        if (start > end) (start, end) = (end, start);
                        if (nocase) { start = Lower(start); end = Lower(end); ch = Lower(ch); }
                        i += 2;
                        if (ch >= start && ch <= end) match = true;
                    }
                    else if (Eq(pattern[i], c, nocase)) match = true;
                    i++;
                }
                if (not) match = !match;
                if (!match) return false;
                p = i + 1;
                return true;
            }
            case (byte)'\\':
                if (pattern.Length - p >= 2) p++;
                if (!Eq(pattern[p], c, nocase)) return false;
                p++;
                return true;
            default:
                if (!Eq(pattern[p], c, nocase)) return false;
                p++;
                return true;
        }
    }

    private static bool Eq(byte a, byte b, bool nocase) => nocase ? Lower(a) == Lower(b) : a == b;

    private static int Lower(int c) => (uint)(c - 'A') <= 'Z' - 'A' ? c | 0x20 : c;
}
