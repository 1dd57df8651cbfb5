namespace Magpie.Server.Commands;

/// <summary>Redis 7.0 key-spec flags, as COMMAND INFO names them.</summary>
[Flags]
public enum KeySpecFlags
{
    RO = 1 << 0,
    RW = 1 << 1,
    OW = 1 << 2,
    RM = 1 << 3,
    Access = 1 << 4,
    Update = 1 << 5,
    Insert = 1 << 6,
    Delete = 1 << 7,
    NotKey = 1 << 8,
    Incomplete = 1 << 9,
    VariableFlags = 1 << 10,
}

/// <summary>
/// One Redis 7.0 key spec: where the search for keys begins (an argument index, the argument after a
/// keyword, or unknown) and how the keys are found from there (a range, a count argument, or unknown).
/// Defaults describe the common case: one key at <see cref="Index"/>.
/// </summary>
public sealed record KeySpec(KeySpecFlags Flags)
{
    /// <summary>begin_search index (used when <see cref="Keyword"/> is null and not <see cref="BeginUnknown"/>).</summary>
    public int Index { get; init; }

    /// <summary>begin_search keyword: keys start after this argument, searched from <see cref="StartFrom"/>.</summary>
    public string? Keyword { get; init; }

    public int StartFrom { get; init; }

    public bool BeginUnknown { get; init; }

    /// <summary>find_keys range: last key relative to the first (negative: from the end), step and limit.</summary>
    public int LastKey { get; init; }

    public int KeyStep { get; init; } = 1;

    public int Limit { get; init; }

    /// <summary>find_keys keynum: the count is at begin + <see cref="KeyNumIdx"/>, keys from begin + <see cref="FirstKey"/>.</summary>
    public bool KeyNum { get; init; }

    public int KeyNumIdx { get; init; }

    public int FirstKey { get; init; } = 1;

    public bool FindUnknown { get; init; }

    public string? Notes { get; init; }

    public static IEnumerable<string> FlagNames(KeySpecFlags flags)
    {
        if (flags.HasFlag(KeySpecFlags.RO)) yield return "RO";
        if (flags.HasFlag(KeySpecFlags.RW)) yield return "RW";
        if (flags.HasFlag(KeySpecFlags.OW)) yield return "OW";
        if (flags.HasFlag(KeySpecFlags.RM)) yield return "RM";
        if (flags.HasFlag(KeySpecFlags.Access)) yield return "access";
        if (flags.HasFlag(KeySpecFlags.Update)) yield return "update";
        if (flags.HasFlag(KeySpecFlags.Insert)) yield return "insert";
        if (flags.HasFlag(KeySpecFlags.Delete)) yield return "delete";
        if (flags.HasFlag(KeySpecFlags.NotKey)) yield return "not_key";
        if (flags.HasFlag(KeySpecFlags.Incomplete)) yield return "incomplete";
        if (flags.HasFlag(KeySpecFlags.VariableFlags)) yield return "variable_flags";
    }

    /// <summary>
    /// Adds the key positions this spec finds in a call (Redis's getKeysUsingKeySpecs). Keyword and
    /// keynum specs need <paramref name="argAt"/>; without it they find nothing.
    /// </summary>
    public void AddPositions(List<int> positions, int argc, Func<int, string>? argAt)
    {
        if (BeginUnknown || FindUnknown) return;
        int first;
        if (Keyword is null) first = Index;
        else
        {
            if (argAt is null) return;
            first = 0;
            int start = StartFrom >= 0 ? StartFrom : argc + StartFrom;
            int end = StartFrom >= 0 ? argc - 1 : 0;
            int step = StartFrom >= 0 ? 1 : -1;
            for (int i = start; step > 0 ? i <= end : i >= end; i += step)
            {
                if (i <= 0 || i >= argc) break;
                if (string.Equals(argAt(i), Keyword, StringComparison.OrdinalIgnoreCase))
                {
                    first = i + 1;
                    break;
                }
            }
            if (first == 0) return;
        }
        if (first <= 0 || first >= argc) return;

        int last, keyStep;
        if (KeyNum)
        {
            if (argAt is null || first + KeyNumIdx >= argc || !int.TryParse(argAt(first + KeyNumIdx), out int count) || count < 0) return;
            keyStep = KeyStep;
            first += FirstKey;
            last = first + (count - 1) * keyStep;
        }
        else
        {
            keyStep = KeyStep;
            if (LastKey >= 0) last = first + LastKey;
            else if (Limit <= 1) last = argc + LastKey;
            else last = first + (argc - first) / Limit + LastKey;
        }
        for (int i = first; i <= last && i < argc; i += Math.Max(keyStep, 1)) positions.Add(i);
    }
}
