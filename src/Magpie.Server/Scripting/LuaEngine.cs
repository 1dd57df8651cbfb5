using System.Reflection;
using System.Text;
using KeraLua;
using Magpie.Protocol;

namespace Magpie.Server.Scripting;

/// <summary>
/// One sandboxed Lua 5.4 state (KeraLua): the libraries Redis gives scripts (string, table, math,
/// coroutine, cjson, cmsgpack, bit, struct, redis), Lua 5.1 compatibility names, read-only globals,
/// and Redis's error handler. EVAL scripts share one engine, functions another, as in Redis.
/// Used only under the keyspace lock.
/// </summary>
internal sealed class LuaEngine : IDisposable
{
    private readonly Lua _lua;
    private readonly int _envRef;
    private readonly int _runRef;
    private Lua? _thread;
    private int _threadRef;
    private readonly LuaHookFunction _hook;
    private readonly List<LuaFunction> _keepAlive = [];
    private readonly LuaFunction _libraryTrampoline = LibraryTrampoline;
    private readonly int _functionEnvRef;
    private readonly int _setLoadingRef;
    private long _loadDeadline;

    /// <summary>Instructions between two checks of the busy time and the kill flag.</summary>
    private const int HookInstructions = 100_000;

    /// <param name="registerFunction">redis.register_function for function libraries (the functions engine); null for EVAL's.</param>
    public LuaEngine(RedisLuaApi api, ScriptWatchdog watchdog, LuaFunction? registerFunction = null)
    {
        _lua = new Lua(openLibs: false);
        var lua = _lua;
        lua.OpenBasicLibrary();
        lua.OpenTableLibrary();
        lua.OpenStringLibrary();
        lua.OpenMathLibrary();
        lua.OpenCoroutineLibrary();
        lua.OpenDebugLibrary();
        lua.SetTop(0);
        // cjson needs a null sentinel Lua code cannot make: a light userdata NULL, as lua-cjson's.
        foreach (var library in new[] { "bit", "struct", "cmsgpack", "cjson" })
        {
            RunResource(library + ".lua", pushNull: true);
            WrapFunctions();
            lua.SetGlobal(library);
        }
        api.Register(lua, _keepAlive);
        RunResource("sandbox.lua", pushNull: false, results: 3);
        if (registerFunction is not null)
        {
            _keepAlive.Add(registerFunction);
            lua.PushCFunction(registerFunction);
            if (lua.PCall(1, 2, 0) != LuaStatus.OK) throw new InvalidOperationException(lua.ToString(-1));
            _setLoadingRef = lua.Ref(LuaRegistry.Index);
            _functionEnvRef = lua.Ref(LuaRegistry.Index);
        }
        else lua.Pop(1);
        _runRef = lua.Ref(LuaRegistry.Index);
        _envRef = lua.Ref(LuaRegistry.Index);
        _hook = (state, _) =>
        {
            if (_loadDeadline != 0) OnLoadHook(Lua.FromIntPtr(state));
            else watchdog.OnHook(Lua.FromIntPtr(state));
        };
        lua.SetHook(_hook, LuaHookMask.Count, HookInstructions);
    }

    public Lua State => _lua;

    /// <summary>
    /// Replaces each function of the library table on top of the stack by a C closure around it
    /// that reports errors at the calling script's line ("user_script:1: ..."), as Redis's C
    /// libraries do with luaL_error. A Lua wrapper could not: a tail call ("return cjson.decode(s)")
    /// drops the script's frame, while a C function keeps its caller's.
    /// </summary>
    private void WrapFunctions()
    {
        _lua.PushNil();
        while (_lua.Next(-2))
        {
            if (_lua.Type(-1) == LuaType.Function)
            {
                _lua.PushCopy(-2); // key
                _lua.Insert(-2);   // table, key, key, function
                _lua.PushCClosure(_libraryTrampoline, 1);
                _lua.SetTable(-4);
            }
            else _lua.Pop(1);
        }
    }

    private static int LibraryTrampoline(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        int argc = lua.GetTop();
        lua.PushCopy(Lua.UpValueIndex(1));
        lua.Insert(1);
        if (lua.PCall(argc, -1, 0) == LuaStatus.OK) return lua.GetTop();
        if (lua.Type(-1) == LuaType.String)
        {
            lua.Where(1);
            lua.Insert(-2);
            lua.Concat(2);
        }
        return lua.Error();
    }

    private void RunResource(string name, bool pushNull, int results = 1)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Magpie.Server.Scripting.Lua." + name)
            ?? throw new InvalidOperationException($"missing embedded Lua source {name}");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        if (_lua.LoadBuffer(memory.ToArray(), "=" + name) != LuaStatus.OK) throw new InvalidOperationException(_lua.ToString(-1));
        int args = 0;
        if (pushNull)
        {
            _lua.PushLightUserData(IntPtr.Zero);
            args = 1;
        }
        if (_lua.PCall(args, results, 0) != LuaStatus.OK) throw new InvalidOperationException($"{name}: {_lua.ToString(-1)}");
    }

    /// <summary>
    /// Compiles a chunk into a function whose globals are the sandbox; returns its registry
    /// reference, or null with Lua's message in <paramref name="error"/>.
    /// </summary>
    public int? Compile(ReadOnlySpan<byte> source, string chunkName, out string error)
    {
        var status = _lua.LoadBuffer(source.ToArray(), chunkName);
        if (status != LuaStatus.OK)
        {
            error = _lua.ToString(-1) ?? "unknown error";
            _lua.Pop(1);
            return null;
        }
        PushEnvironment();
        _lua.SetUpValue(-2, 1);
        error = "";
        return _lua.Ref(LuaRegistry.Index);
    }

    /// <summary>
    /// Compiles a function library's code (the text after its shebang line) with the library
    /// globals; null with Redis's error on failure.
    /// </summary>
    public int? CompileLibrary(ReadOnlySpan<byte> code, out string error)
    {
        var status = _lua.LoadBuffer(code.ToArray(), "@user_function");
        if (status != LuaStatus.OK)
        {
            error = "Error compiling function: " + (_lua.ToString(-1) ?? "unknown error");
            _lua.Pop(1);
            return null;
        }
        _lua.RawGetInteger(LuaRegistry.Index, _functionEnvRef);
        _lua.SetUpValue(-2, 1);
        error = "";
        return _lua.Ref(LuaRegistry.Index);
    }

    /// <summary>
    /// Runs a compiled library body once, so it registers its functions (FUNCTION LOAD), with the
    /// load-time globals and a timeout (0: none), as Redis's luaEngineCreate. Returns Redis's
    /// error text or null. The body is released either way.
    /// </summary>
    public string? RunLibrary(int reference, long timeoutMs)
    {
        SetLoading(true);
        _loadDeadline = timeoutMs > 0 ? System.Diagnostics.Stopwatch.GetTimestamp() + timeoutMs * System.Diagnostics.Stopwatch.Frequency / 1000 : 0;
        _lua.RawGetInteger(LuaRegistry.Index, reference);
        _lua.Unref(LuaRegistry.Index, reference);
        string? error = null;
        if (_lua.PCall(0, 0, 0) != LuaStatus.OK)
        {
            // luaExtractErrorInformation: a string gets "ERR ", an error table gives its err field.
            string message = _lua.Type(-1) == LuaType.Table
                ? RawString(_lua, "err") ?? "ERR unknown error"
                : "ERR " + Encoding.UTF8.GetString(NativeLua.ToSpan(_lua.Handle, -1));
            _lua.Pop(1);
            error = "Error registering functions: " + message;
        }
        _loadDeadline = 0;
        SetLoading(false);
        return error;
    }

    private void SetLoading(bool on)
    {
        _lua.RawGetInteger(LuaRegistry.Index, _setLoadingRef);
        _lua.PushBoolean(on);
        _lua.PCall(1, 0, 0);
    }

    private static readonly byte[] LoadTimeoutBytes = Encoding.ASCII.GetBytes("ERR FUNCTION LOAD timeout");

    private void OnLoadHook(Lua lua)
    {
        if (System.Diagnostics.Stopwatch.GetTimestamp() < _loadDeadline) return;
        _loadDeadline = 0;
        RespToLua.PushError(lua, LoadTimeoutBytes);
        lua.Error();
    }

    /// <summary>Takes the value on top of the stack into the registry (a registered function's callback).</summary>
    public int TakeReference() => _lua.Ref(LuaRegistry.Index);

    public void Release(int reference) => _lua.Unref(LuaRegistry.Index, reference);

    public void PushEnvironment() => _lua.RawGetInteger(LuaRegistry.Index, _envRef);

    /// <summary>Sets a global in the real globals table (KEYS, ARGV), bypassing the read-only guard.</summary>
    public void SetGlobalArray(string name, RespRequest request, int first, int count)
    {
        _lua.PushGlobalTable();
        _lua.PushString(name);
        _lua.CreateTable(count, 0);
        for (int i = 0; i < count; i++)
        {
            NativeLua.Push(_lua.Handle, request[first + i]);
            _lua.RawSetInteger(-2, i + 1);
        }
        _lua.RawSet(-3);
        _lua.Pop(1);
    }

    /// <summary>
    /// The coroutine scripts run in. Running in a coroutine lets the busy-script hook yield, so a
    /// script past busy-reply-threshold can leave the socket I/O thread it started on and finish on
    /// a worker (see <see cref="ScriptRunner"/>). Reused while calls end normally.
    /// </summary>
    public Lua PrepareThread()
    {
        if (_thread is null || _thread.Status != LuaStatus.OK || _thread.GetTop() != 0)
        {
            if (_thread is not null) _lua.Unref(LuaRegistry.Index, _threadRef);
            _thread = _lua.NewThread();
            _threadRef = _lua.Ref(LuaRegistry.Index);
        }
        return _thread;
    }

    /// <summary>Pushes the run wrapper and the referenced function onto the coroutine, ready for <see cref="Resume"/>.</summary>
    public void PushCall(Lua thread, int reference)
    {
        thread.RawGetInteger(LuaRegistry.Index, _runRef);
        thread.RawGetInteger(LuaRegistry.Index, reference);
    }

    /// <summary>
    /// Starts or continues the call. Yield: the hook handed the script off (it is still running).
    /// OK: the coroutine holds (ok, value): the result, or the error object from the handler.
    /// </summary>
    public LuaStatus Resume(Lua thread, int args) => thread.Resume(null, args, out _);

    /// <summary>
    /// The error reply for the error object on top of the stack (popped), as Redis 7.0 writes it:
    /// "CODE message script: NAME, on @source:line." when the handler found the position.
    /// </summary>
    public static string TakeErrorMessage(Lua lua, string scriptName)
    {
        string message;
        if (lua.Type(-1) == LuaType.Table)
        {
            string? err = RawString(lua, "err");
            string? source = RawString(lua, "source");
            lua.PushString("line");
            lua.RawGet(-2);
            string? line = lua.IsNumber(-1) ? lua.ToInteger(-1).ToString() : lua.IsString(-1) ? lua.ToString(-1) : null;
            lua.Pop(1);
            message = err ?? "ERR unknown error";
            if (source is not null && line is not null) message += $" script: {scriptName}, on {source}:{line}.";
        }
        else
        {
            message = $"ERR Error running script (call to {scriptName}): {lua.ToString(-1)}";
        }
        lua.Pop(1);
        return message;
    }

    private static string? RawString(Lua lua, string field)
    {
        lua.PushString(field);
        var type = lua.RawGet(-2);
        string? value = type is LuaType.String or LuaType.Number ? Encoding.UTF8.GetString(NativeLua.ToSpan(lua.Handle, -1)) : null;
        lua.Pop(1);
        return value;
    }

    public void Dispose() => _lua.Dispose();
}
