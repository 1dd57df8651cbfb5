namespace Magpie.Server.Scripting;

/// <summary>One function a library registered: its name, description, flags and callback in the functions engine.</summary>
public sealed class FunctionInfo
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public ScriptFlags Flags { get; init; }
    public required FunctionLibrary Library { get; init; }
    internal int Reference { get; init; }
}

/// <summary>A library loaded by FUNCTION LOAD: its name, its whole code (shebang included) and its functions.</summary>
public sealed class FunctionLibrary
{
    public required string Name { get; init; }
    public string Engine => "LUA";
    public required byte[] Code { get; init; }

    /// <summary>Functions by name, case-sensitively as Redis's per-library dictionary, in registration order.</summary>
    public Dictionary<string, FunctionInfo> Functions { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A set of libraries and the functions they define (Redis's functionsLibCtx): libraries by name
/// (case-sensitive), functions by name (case-insensitive, so FCALL finds "F" for "f" and two
/// libraries cannot define "f" and "F").
/// </summary>
public sealed class FunctionLibrarySet
{
    public Dictionary<string, FunctionLibrary> Libraries { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FunctionInfo> Functions { get; } = new(StringComparer.OrdinalIgnoreCase);

    public void Link(FunctionLibrary library)
    {
        foreach (var f in library.Functions.Values) Functions[f.Name] = f;
        Libraries[library.Name] = library;
    }

    public void Unlink(FunctionLibrary library)
    {
        foreach (var f in library.Functions.Values) Functions.Remove(f.Name);
        Libraries.Remove(library.Name);
    }
}
