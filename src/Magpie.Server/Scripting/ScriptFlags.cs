namespace Magpie.Server.Scripting;

/// <summary>Flags a script declares in its shebang (<c>#!lua flags=...</c>) or a function at registration.</summary>
[Flags]
public enum ScriptFlags
{
    None = 0,
    NoWrites = 1 << 0,
    AllowOom = 1 << 1,
    AllowStale = 1 << 2,
    NoCluster = 1 << 3,
    AllowCrossSlotKeys = 1 << 4,
    /// <summary>A script without a shebang: Redis's legacy rules (no flags, writes allowed).</summary>
    EvalCompat = 1 << 5,
}

public static class ScriptFlagNames
{
    public static readonly (string Name, ScriptFlags Flag)[] All =
    [
        ("no-writes", ScriptFlags.NoWrites),
        ("allow-oom", ScriptFlags.AllowOom),
        ("allow-stale", ScriptFlags.AllowStale),
        ("no-cluster", ScriptFlags.NoCluster),
        ("allow-cross-slot-keys", ScriptFlags.AllowCrossSlotKeys),
    ];

    public static bool TryParse(string name, out ScriptFlags flag)
    {
        foreach (var (n, f) in All)
            if (n == name) { flag = f; return true; }
        flag = ScriptFlags.None;
        return false;
    }

    /// <summary>
    /// Reads an EVAL body's shebang. Returns null when it is valid (flags set), else Redis's error.
    /// <paramref name="bodyStart"/> is where the Lua code starts (the shebang line is kept as a
    /// comment so line numbers in errors stay Redis's).
    /// </summary>
    public static string? ParseShebang(ReadOnlySpan<byte> body, out ScriptFlags flags)
    {
        flags = ScriptFlags.EvalCompat;
        if (body.Length < 2 || body[0] != '#' || body[1] != '!') return null;
        int end = body.IndexOf((byte)'\n');
        var line = System.Text.Encoding.UTF8.GetString(end < 0 ? body : body[..end]);
        var parts = line.TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts[0] != "#!lua") return $"ERR Unexpected engine in script shebang: {parts[0]}";
        flags = ScriptFlags.None;
        for (int i = 1; i < parts.Length; i++)
        {
            if (!parts[i].StartsWith("flags=", StringComparison.Ordinal))
                return $"ERR Unknown lua shebang option: {parts[i]}";
            foreach (var name in parts[i]["flags=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TryParse(name, out var f)) return $"ERR Unexpected flag in script shebang: {name}";
                flags |= f;
            }
        }
        return null;
    }
}
