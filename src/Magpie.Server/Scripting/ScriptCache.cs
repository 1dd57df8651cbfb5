using System.Security.Cryptography;

namespace Magpie.Server.Scripting;

/// <summary>One EVAL script: its body, SHA1, flags and compiled function in the eval engine.</summary>
public sealed class CachedScript
{
    public required string Sha { get; init; }
    public required byte[] Body { get; init; }
    public required ScriptFlags Flags { get; init; }
    internal int FunctionRef { get; init; }
}

/// <summary>The EVAL script cache: SHA1 (lowercase hex) to compiled script, as SCRIPT LOAD/EXISTS/FLUSH see it.</summary>
public sealed class ScriptCache
{
    private readonly Dictionary<string, CachedScript> _scripts = new(StringComparer.Ordinal);

    public int Count => _scripts.Count;

    /// <summary>Bytes of script bodies held, for INFO's used_memory_scripts_eval.</summary>
    public long BodyBytes { get; private set; }

    public static string Sha1Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Looks up by SHA, case-insensitively as Redis does.</summary>
    public CachedScript? Find(ReadOnlySpan<byte> sha)
    {
        if (sha.Length != 40) return null;
        Span<char> lower = stackalloc char[40];
        for (int i = 0; i < 40; i++) lower[i] = char.ToLowerInvariant((char)sha[i]);
        return _scripts.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(lower, out var s) ? s : null;
    }

    public void Add(CachedScript script)
    {
        _scripts[script.Sha] = script;
        BodyBytes += script.Body.Length;
    }

    public IEnumerable<CachedScript> All => _scripts.Values;

    public void Clear()
    {
        _scripts.Clear();
        BodyBytes = 0;
    }
}
