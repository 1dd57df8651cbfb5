using KeraLua;
using Magpie.Protocol;

namespace Magpie.Server.Scripting;

/// <summary>
/// Writes the value a script returned as the caller's reply, with Redis's rules: strings bulk,
/// numbers integers (truncated), true 1 and false null (or RESP3 booleans after redis.setresp(3)),
/// tables with err/ok/double/big_number/verbatim_string/map/set fields as those replies, any other
/// table an array that stops at the first nil, anything else null. The RespWriter picks each
/// type's RESP2 fallback for a RESP2 caller.
/// </summary>
internal static class LuaToResp
{
    /// <summary>Writes the value on top of the stack and pops it.</summary>
    public static void Write(Lua lua, RespWriter w, bool scriptResp3, Action<string>? onError = null)
    {
        if (!lua.CheckStack(4))
        {
            w.WriteError("ERR reached lua stack limit");
            lua.Pop(1);
            return;
        }
        switch (lua.Type(-1))
        {
            case LuaType.String:
                w.WriteBulk(NativeLua.ToSpan(lua.Handle, -1));
                break;
            case LuaType.Boolean:
                if (!scriptResp3)
                {
                    if (lua.ToBoolean(-1)) w.WriteInteger(1);
                    else w.WriteNull();
                }
                else w.WriteBoolean(lua.ToBoolean(-1));
                break;
            case LuaType.Number:
                w.WriteInteger(lua.IsInteger(-1) ? lua.ToInteger(-1) : LuaNumbers.Truncate(lua.ToNumber(-1)));
                break;
            case LuaType.Table:
                WriteTable(lua, w, scriptResp3, onError);
                return; // WriteTable pops
            default:
                w.WriteNull();
                break;
        }
        lua.Pop(1);
    }

    private static void WriteTable(Lua lua, RespWriter w, bool resp3, Action<string>? onError)
    {
        if (RawField(lua, "err") == LuaType.String)
        {
            var message = System.Text.Encoding.UTF8.GetString(NativeLua.ToSpan(lua.Handle, -1));
            lua.Pop(2);
            onError?.Invoke(message);
            w.WriteError(message);
            return;
        }
        lua.Pop(1);
        if (RawField(lua, "ok") == LuaType.String)
        {
            w.WriteSimpleString(NativeLua.ToSpan(lua.Handle, -1));
            lua.Pop(2);
            return;
        }
        lua.Pop(1);
        if (RawField(lua, "double") == LuaType.Number)
        {
            w.WriteDouble(lua.ToNumber(-1));
            lua.Pop(2);
            return;
        }
        lua.Pop(1);
        if (RawField(lua, "big_number") == LuaType.String)
        {
            var digits = NativeLua.ToSpan(lua.Handle, -1);
            if (w.IsResp3)
            {
                var line = new byte[digits.Length + 3];
                line[0] = (byte)'(';
                digits.CopyTo(line.AsSpan(1));
                Sanitize(line.AsSpan(1, digits.Length));
                line[^2] = (byte)'\r';
                line[^1] = (byte)'\n';
                w.WriteRaw(line);
            }
            else w.WriteBulk(digits);
            lua.Pop(2);
            return;
        }
        lua.Pop(1);
        if (RawField(lua, "verbatim_string") == LuaType.Table)
        {
            if (RawField(lua, "format") == LuaType.String)
            {
                if (RawFieldAt(lua, "string", -3) == LuaType.String)
                {
                    var text = NativeLua.ToSpan(lua.Handle, -1);
                    var format = NativeLua.ToSpan(lua.Handle, -2);
                    if (w.IsResp3)
                    {
                        w.WriteRaw("="u8);
                        Span<byte> digits = stackalloc byte[20];
                        w.WriteRaw(digits[..RedisNumbers.FormatInt64(text.Length + 4, digits)]);
                        w.WriteRaw("\r\n"u8);
                        w.WriteRaw(format.Length >= 3 ? format[..3] : "txt"u8);
                        w.WriteRaw(":"u8);
                        w.WriteRaw(text);
                        w.WriteRaw("\r\n"u8);
                    }
                    else w.WriteBulk(text);
                    lua.Pop(4);
                    return;
                }
                lua.Pop(1);
            }
            lua.Pop(1);
        }
        lua.Pop(1);
        if (RawField(lua, "map") == LuaType.Table)
        {
            int pairs = CountPairs(lua);
            w.WriteMapHeader(pairs);
            lua.PushNil();
            while (lua.Next(-2))
            {
                lua.PushCopy(-2);
                Write(lua, w, resp3, onError); // key
                Write(lua, w, resp3, onError); // value
            }
            lua.Pop(2);
            return;
        }
        lua.Pop(1);
        if (RawField(lua, "set") == LuaType.Table)
        {
            int count = CountPairs(lua);
            w.WriteSetHeader(count);
            lua.PushNil();
            while (lua.Next(-2))
            {
                lua.Pop(1);
                lua.PushCopy(-1);
                Write(lua, w, resp3, onError);
            }
            lua.Pop(2);
            return;
        }
        lua.Pop(1);

        // An array: elements 1..n up to the first nil.
        int length = 0;
        while (true)
        {
            if (lua.RawGetInteger(-1, length + 1) == LuaType.Nil)
            {
                lua.Pop(1);
                break;
            }
            lua.Pop(1);
            length++;
        }
        w.WriteArrayHeader(length);
        for (int i = 1; i <= length; i++)
        {
            lua.RawGetInteger(-1, i);
            Write(lua, w, resp3, onError);
        }
        lua.Pop(1);
    }

    private static LuaType RawField(Lua lua, string name) => RawFieldAt(lua, name, -1);

    private static LuaType RawFieldAt(Lua lua, string name, int tableIndex)
    {
        lua.PushString(name);
        return lua.RawGet(tableIndex - 1);
    }

    private static int CountPairs(Lua lua)
    {
        int count = 0;
        lua.PushNil();
        while (lua.Next(-2))
        {
            count++;
            lua.Pop(1);
        }
        return count;
    }

    private static void Sanitize(Span<byte> text)
    {
        for (int i = 0; i < text.Length; i++)
            if (text[i] is (byte)'\r' or (byte)'\n') text[i] = (byte)' ';
    }
}
