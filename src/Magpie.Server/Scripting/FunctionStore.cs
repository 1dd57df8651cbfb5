using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using KeraLua;
using Magpie.Storage.Persistence;

namespace Magpie.Server.Scripting;

/// <summary>
/// The node's function libraries (FUNCTION LOAD/DELETE/FLUSH/DUMP/RESTORE, FCALL), as Redis 7.0's
/// functions.c and function_lua.c: a library's code is compiled and run once in the functions
/// Lua engine, with only <c>redis.register_function</c>, <c>redis.log</c> and the version at hand,
/// and the callbacks it registers are kept in that engine. Used only under the keyspace lock.
/// </summary>
public sealed class FunctionStore
{
    /// <summary>Redis's LOAD_TIMEOUT_MS: a library's body must register its functions within it.</summary>
    public const long LoadTimeoutMs = 500;

    private const string BadName = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

    private readonly ScriptRunner _runner;
    private FunctionLibrary? _loading;

    internal FunctionStore(ScriptRunner runner)
    {
        _runner = runner;
        RegisterFunctionEntry = RegisterFunction;
    }

    /// <summary>The libraries and functions in use.</summary>
    public FunctionLibrarySet Current { get; private set; } = new();

    /// <summary>redis.register_function, handed to the functions engine.</summary>
    internal LuaFunction RegisterFunctionEntry { get; }

    public FunctionInfo? Find(string name) => Current.Functions.GetValueOrDefault(name);

    /// <summary>Bytes of library code held, for INFO.</summary>
    public long CodeBytes => Current.Libraries.Values.Sum(l => (long)l.Code.Length);

    /// <summary>FUNCTION LOAD: the library's name, or null with Redis's error (without "ERR ").</summary>
    public string? Load(byte[] code, bool replace, out string? error, long timeoutMs = LoadTimeoutMs) =>
        Create(code, replace, Current, timeoutMs, out error);

    /// <summary>functionsCreateWithLibraryCtx: compile, run, check and link one library into <paramref name="set"/>.</summary>
    private string? Create(byte[] code, bool replace, FunctionLibrarySet set, long timeoutMs, out string? error)
    {
        error = ExtractMetadata(code, out string? engine, out string? name, out int codeStart);
        if (error is not null) return null;
        if (!IsValidName(name!)) { error = BadName; return null; }
        if (!string.Equals(engine, "lua", StringComparison.OrdinalIgnoreCase)) { error = $"Engine '{engine}' not found"; return null; }
        var old = set.Libraries.GetValueOrDefault(name!);
        if (old is not null && !replace) { error = $"Library '{name}' already exists"; return null; }
        if (old is not null) set.Unlink(old);

        var library = new FunctionLibrary { Name = name!, Code = code };
        error = Compile(library, code.AsSpan(codeStart), timeoutMs);
        if (error is null && library.Functions.Count == 0) error = "No functions registered";
        if (error is null)
        {
            foreach (var f in library.Functions.Values)
                if (set.Functions.ContainsKey(f.Name)) { error = $"Function {f.Name} already exists"; break; }
        }
        if (error is not null)
        {
            Release(library);
            if (old is not null) set.Link(old);
            return null;
        }
        set.Link(library);
        if (old is not null) Release(old);
        return name;
    }

    private string? Compile(FunctionLibrary library, ReadOnlySpan<byte> body, long timeoutMs)
    {
        var engine = _runner.FunctionEngine;
        int? reference = engine.CompileLibrary(body, out var compileError);
        if (reference is null) return compileError;
        _loading = library;
        try
        {
            return engine.RunLibrary(reference.Value, timeoutMs);
        }
        finally
        {
            _loading = null;
        }
    }

    private void Release(FunctionLibrary library)
    {
        var engine = _runner.FunctionEngine;
        foreach (var f in library.Functions.Values) engine.Release(f.Reference);
        library.Functions.Clear();
    }

    /// <summary>functionExtractLibMetaData: "#!engine name=lib" on the first line; null when valid.</summary>
    internal static string? ExtractMetadata(ReadOnlySpan<byte> code, out string? engine, out string? name, out int codeStart)
    {
        engine = name = null;
        codeStart = 0;
        if (code.Length < 2 || code[0] != '#' || code[1] != '!') return "Missing library metadata";
        int end = code.IndexOf((byte)'\n');
        if (end < 0) return "Invalid library metadata";
        var parts = Encoding.UTF8.GetString(code[..end]).Split([' ', '\t', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return "Invalid library metadata";
        engine = parts[0][2..];
        for (int i = 1; i < parts.Length; i++)
        {
            if (parts[i].StartsWith("name=", StringComparison.OrdinalIgnoreCase))
            {
                if (name is not null) return "Invalid metadata value, name argument was given multiple times";
                name = parts[i][5..];
                continue;
            }
            return $"Invalid metadata value given: {parts[i]}";
        }
        if (name is null) return "Library name was not given";
        codeStart = end;
        return null;
    }

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0) return false;
        foreach (char c in name)
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_')) return false;
        return true;
    }

    /// <summary>FUNCTION DELETE.</summary>
    public bool Delete(string libraryName)
    {
        if (!Current.Libraries.TryGetValue(libraryName, out var library)) return false;
        Current.Unlink(library);
        Release(library);
        return true;
    }

    /// <summary>FUNCTION FLUSH: no libraries, and a fresh functions Lua state as Redis starts one.</summary>
    public void Flush()
    {
        Current = new FunctionLibrarySet();
        _runner.ResetFunctionEngine();
    }

    /// <summary>The libraries' code, in the order they are listed (for DUMP and the RDB file).</summary>
    public IReadOnlyList<byte[]> Codes() => [.. Current.Libraries.Values.Select(l => l.Code)];

    /// <summary>FUNCTION DUMP: an RDB_OPCODE_FUNCTION2 record per library, the RDB version and the CRC-64.</summary>
    public byte[] Dump()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var code in Codes())
        {
            RdbValueWriter.WriteByte(buffer, RdbOpcode.Function2);
            RdbValueWriter.WriteString(buffer, code);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.GetSpan(2), RdbFormat.Version);
        buffer.Advance(2);
        ulong crc = Crc64.Compute(buffer.WrittenSpan);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), crc);
        buffer.Advance(8);
        return buffer.WrittenSpan.ToArray();
    }

    public enum RestorePolicy { Append, Replace, Flush }

    /// <summary>FUNCTION RESTORE: null on success, else Redis's error (without "ERR ").</summary>
    public string? Restore(byte[] payload, RestorePolicy policy)
    {
        if (!DumpPayload.IsValid(payload)) return "DUMP payload version or checksum are wrong";
        var staged = new FunctionLibrarySet();
        string? error = null;
        try
        {
            var reader = new RdbReader(new MemoryStream(payload, 0, payload.Length - 10, writable: false));
            while (reader.Offset < payload.Length - 10)
            {
                byte type = reader.ReadByte();
                if (type == RdbOpcode.FunctionPreGa) { error = "Pre-GA function format not supported"; break; }
                if (type != RdbOpcode.Function2) { error = "given type is not a function"; break; }
                var code = reader.ReadString();
                if (Create(code, replace: false, staged, 0, out error) is null) { error ??= "Failed creating the library"; break; }
            }
        }
        catch (RdbFormatException)
        {
            error = "failed loading the given functions payload";
        }
        if (error is null)
        {
            if (policy == RestorePolicy.Flush)
            {
                foreach (var library in Current.Libraries.Values) Release(library);
                Current = staged;
                return null;
            }
            error = Join(staged, policy == RestorePolicy.Replace);
            if (error is null) return null;
        }
        foreach (var library in staged.Libraries.Values) Release(library);
        return error;
    }

    /// <summary>libraryJoin: moves the staged libraries into the current set, all or none.</summary>
    private string? Join(FunctionLibrarySet staged, bool replace)
    {
        var replaced = new List<FunctionLibrary>();
        foreach (var library in staged.Libraries.Values)
        {
            if (!Current.Libraries.TryGetValue(library.Name, out var old)) continue;
            if (!replace) return Revert($"Library {library.Name} already exists");
            Current.Unlink(old);
            replaced.Add(old);
        }
        foreach (var f in staged.Functions.Values)
            if (Current.Functions.ContainsKey(f.Name)) return Revert($"Function {f.Name} already exists");
        foreach (var library in staged.Libraries.Values) Current.Link(library);
        foreach (var old in replaced) Release(old);
        return null;

        string Revert(string error)
        {
            foreach (var old in replaced) Current.Link(old);
            return error;
        }
    }

    /// <summary>A library found in an RDB file at start: loaded as Redis loads it (no timeout, replacing).</summary>
    public string? LoadFromRdb(byte[] code) => Load(code, replace: true, out var error, timeoutMs: 0) is null ? error : null;

    // ---- redis.register_function -------------------------------------------------------------

    private int RegisterFunction(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        string? error;
        try
        {
            error = _loading is null ? "redis.register_function can only be called on FUNCTION LOAD command" : ReadRegistration(lua, _loading);
        }
        catch (Exception ex)
        {
            error = "internal error in redis.register_function: " + ex.Message;
        }
        if (error is null) return 0;
        lua.SetTop(0);
        RespToLua.PushError(lua, Encoding.UTF8.GetBytes("ERR " + error));
        return lua.Error();
    }

    /// <summary>luaRegisterFunctionReadArgs and functionLibCreateFunction; null when registered.</summary>
    private string? ReadRegistration(Lua lua, FunctionLibrary library)
    {
        int argc = lua.GetTop();
        if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
        string? name = null, description = null;
        ScriptFlags flags = ScriptFlags.None;
        int? callback = null;
        var engine = _runner.FunctionEngine;
        if (argc == 2)
        {
            if (!lua.IsString(1)) return "first argument to redis.register_function must be a string";
            if (!lua.IsFunction(2)) return "second argument to redis.register_function must be a function";
            name = StringAt(lua, 1);
            callback = engine.TakeReference();
        }
        else
        {
            var error = ReadNamedArguments(lua, engine, ref name, ref description, ref flags, ref callback);
            if (error is not null)
            {
                if (callback is { } r) engine.Release(r);
                return error;
            }
        }
        if (!IsValidName(name!) || library.Functions.ContainsKey(name!))
        {
            engine.Release(callback!.Value);
            return IsValidName(name!) ? "Function already exists in the library" : BadName;
        }
        library.Functions[name!] = new FunctionInfo { Name = name!, Description = description, Flags = flags, Library = library, Reference = callback!.Value };
        return null;
    }

    private static string? ReadNamedArguments(Lua lua, LuaEngine engine, ref string? name, ref string? description, ref ScriptFlags flags, ref int? callback)
    {
        if (!lua.IsTable(1)) return "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).";
        lua.PushNil();
        while (lua.Next(1))
        {
            if (!lua.IsString(-2)) return "named argument key given to redis.register_function is not a string";
            string key = StringAt(lua, -2);
            if (key.Equals("function_name", StringComparison.OrdinalIgnoreCase))
            {
                if (!lua.IsString(-1)) return "function_name argument given to redis.register_function must be a string";
                name = StringAt(lua, -1);
            }
            else if (key.Equals("description", StringComparison.OrdinalIgnoreCase))
            {
                if (!lua.IsString(-1)) return "description argument given to redis.register_function must be a string";
                description = StringAt(lua, -1);
            }
            else if (key.Equals("callback", StringComparison.OrdinalIgnoreCase))
            {
                if (!lua.IsFunction(-1)) return "callback argument given to redis.register_function must be a function";
                if (callback is { } previous) engine.Release(previous);
                callback = engine.TakeReference();
                continue;
            }
            else if (key.Equals("flags", StringComparison.OrdinalIgnoreCase))
            {
                if (!lua.IsTable(-1)) return "flags argument to redis.register_function must be a table representing function flags";
                if (!ReadFlags(lua, out flags)) return "unknown flag given";
            }
            else return "unknown argument given to redis.register_function";
            lua.Pop(1);
        }
        if (name is null) return "redis.register_function must get a function name argument";
        if (callback is null) return "redis.register_function must get a callback argument";
        return null;
    }

    /// <summary>luaRegisterFunctionReadFlags: the array part of the table on top, case-insensitive names.</summary>
    private static bool ReadFlags(Lua lua, out ScriptFlags flags)
    {
        flags = ScriptFlags.None;
        for (int j = 1; ; j++)
        {
            lua.PushInteger(j);
            lua.GetTable(-2);
            if (lua.IsNil(-1)) { lua.Pop(1); return true; }
            if (!lua.IsString(-1)) { lua.Pop(1); return false; }
            string text = StringAt(lua, -1);
            lua.Pop(1);
            bool found = false;
            foreach (var (flagName, flag) in ScriptFlagNames.All)
                if (flagName.Equals(text, StringComparison.OrdinalIgnoreCase)) { flags |= flag; found = true; break; }
            if (!found) return false;
        }
    }

    private static string StringAt(Lua lua, int index) => Encoding.UTF8.GetString(NativeLua.ToSpan(lua.Handle, index));
}
