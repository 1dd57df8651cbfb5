using System.Runtime.InteropServices;

namespace Magpie.Server.Scripting;

/// <summary>
/// The few Lua C API calls the hot path makes without copying: KeraLua's ToBuffer/PushBuffer copy
/// through managed arrays, these read and push a string straight from and into a span. Same native
/// library KeraLua loads (liblua54 from its runtimes/ folder).
/// </summary>
internal static unsafe partial class NativeLua
{
    private const string Library = "lua54";

    [LibraryImport(Library, EntryPoint = "lua_tolstring")]
    private static partial byte* ToLString(IntPtr state, int index, out nuint length);

    [LibraryImport(Library, EntryPoint = "lua_pushlstring")]
    private static partial IntPtr PushLString(IntPtr state, byte* bytes, nuint length);

    /// <summary>The bytes of the string (or number, converted in place) at <paramref name="index"/>; empty when it is neither.</summary>
    public static ReadOnlySpan<byte> ToSpan(IntPtr state, int index)
    {
        byte* p = ToLString(state, index, out nuint length);
        return p == null ? default : new ReadOnlySpan<byte>(p, (int)length);
    }

    public static void Push(IntPtr state, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes) PushLString(state, p, (nuint)bytes.Length);
    }
}
