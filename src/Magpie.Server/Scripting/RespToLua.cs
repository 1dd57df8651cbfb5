using KeraLua;
using Magpie.Protocol;

namespace Magpie.Server.Scripting;

/// <summary>
/// Turns the reply a command wrote (RESP2 or RESP3, in the script client's buffer) into the Lua
/// value redis.call returns, with Redis's rules: integers stay numbers, bulk strings strings, null
/// bulk and null array false, status {ok=...}, error {err=...}; RESP3 maps {map={...}}, sets
/// {set={k=true}}, doubles {double=n}, big numbers {big_number="..."}, verbatim
/// {verbatim_string={format=,string=}}, booleans and null as themselves; attributes are dropped.
/// The reply was written by our own writer, so it is trusted and not re-validated.
/// </summary>
internal static class RespToLua
{
    /// <summary>Pushes one reply; returns true when it was an error (pushed as an {err=...} table).</summary>
    public static bool Push(Lua lua, ReadOnlySpan<byte> reply)
    {
        int pos = 0;
        bool isError = reply.Length > 0 && reply[0] == (byte)'-';
        PushValue(lua, reply, ref pos);
        return isError;
    }

    private static void PushValue(Lua lua, ReadOnlySpan<byte> r, ref int pos)
    {
        lua.CheckStack(4);
        byte type = r[pos++];
        switch (type)
        {
            case (byte)':':
                lua.PushInteger(ReadInteger(r, ref pos));
                return;
            case (byte)'$':
            {
                long length = ReadInteger(r, ref pos);
                if (length < 0) { lua.PushBoolean(false); return; }
                NativeLua.Push(lua.Handle, r.Slice(pos, (int)length));
                pos += (int)length + 2;
                return;
            }
            case (byte)'+':
                PushSingleField(lua, "ok", ReadLine(r, ref pos));
                return;
            case (byte)'-':
                PushError(lua, ReadLine(r, ref pos));
                return;
            case (byte)'*':
            {
                long count = ReadInteger(r, ref pos);
                if (count < 0) { lua.PushBoolean(false); return; }
                lua.CreateTable((int)count, 0);
                for (int i = 1; i <= count; i++)
                {
                    PushValue(lua, r, ref pos);
                    lua.RawSetInteger(-2, i);
                }
                return;
            }
            case (byte)'%':
            {
                long count = ReadInteger(r, ref pos);
                lua.CreateTable(0, 1);
                lua.PushString("map");
                lua.CreateTable(0, (int)count);
                for (int i = 0; i < count; i++)
                {
                    PushValue(lua, r, ref pos);
                    PushValue(lua, r, ref pos);
                    lua.SetTable(-3);
                }
                lua.SetTable(-3);
                return;
            }
            case (byte)'~':
            {
                long count = ReadInteger(r, ref pos);
                lua.CreateTable(0, 1);
                lua.PushString("set");
                lua.CreateTable(0, (int)count);
                for (int i = 0; i < count; i++)
                {
                    PushValue(lua, r, ref pos);
                    lua.PushBoolean(true);
                    lua.SetTable(-3);
                }
                lua.SetTable(-3);
                return;
            }
            case (byte)'_':
                pos += 2;
                lua.PushNil();
                return;
            case (byte)'#':
                lua.PushBoolean(r[pos] == (byte)'t');
                pos += 3;
                return;
            case (byte)',':
            {
                var line = ReadLine(r, ref pos);
                double d = RedisNumbers.EqualsIgnoreCase(line, "nan"u8) ? double.NaN
                    : RedisNumbers.TryParseDouble(line, out var parsed) ? parsed : 0;
                lua.CreateTable(0, 1);
                lua.PushString("double");
                lua.PushNumber(d);
                lua.SetTable(-3);
                return;
            }
            case (byte)'(':
                PushSingleField(lua, "big_number", ReadLine(r, ref pos));
                return;
            case (byte)'=':
            {
                long length = ReadInteger(r, ref pos);
                var blob = r.Slice(pos, (int)length);
                pos += (int)length + 2;
                lua.CreateTable(0, 1);
                lua.PushString("verbatim_string");
                lua.CreateTable(0, 2);
                lua.PushString("string");
                NativeLua.Push(lua.Handle, blob.Length >= 4 ? blob[4..] : blob);
                lua.SetTable(-3);
                lua.PushString("format");
                NativeLua.Push(lua.Handle, blob[..Math.Min(3, blob.Length)]);
                lua.SetTable(-3);
                lua.SetTable(-3);
                return;
            }
            case (byte)'|':
            {
                // An attribute: parse and drop it, then push the reply it annotates.
                long count = ReadInteger(r, ref pos);
                int top = lua.GetTop();
                for (int i = 0; i < count * 2; i++) PushValue(lua, r, ref pos);
                lua.SetTop(top);
                PushValue(lua, r, ref pos);
                return;
            }
            case (byte)'>':
            {
                long count = ReadInteger(r, ref pos);
                lua.CreateTable((int)count, 0);
                for (int i = 1; i <= count; i++)
                {
                    PushValue(lua, r, ref pos);
                    lua.RawSetInteger(-2, i);
                }
                return;
            }
            default:
                lua.PushNil();
                pos = r.Length;
                return;
        }
    }

    /// <summary>An {err="CODE message"} table, as luaPushErrorBuff builds it from "-CODE message".</summary>
    public static void PushError(Lua lua, ReadOnlySpan<byte> message)
    {
        lua.CreateTable(0, 1);
        lua.PushString("err");
        // Trailing CR/LF trimmed; a message without a code gets "ERR".
        while (message.Length > 0 && message[^1] is (byte)'\r' or (byte)'\n') message = message[..^1];
        if (message.IndexOf((byte)' ') < 0)
        {
            var text = new byte[message.Length + 4];
            "ERR "u8.CopyTo(text);
            message.CopyTo(text.AsSpan(4));
            NativeLua.Push(lua.Handle, text);
        }
        else NativeLua.Push(lua.Handle, message);
        lua.SetTable(-3);
    }

    private static void PushSingleField(Lua lua, string field, ReadOnlySpan<byte> value)
    {
        lua.CreateTable(0, 1);
        lua.PushString(field);
        NativeLua.Push(lua.Handle, value);
        lua.SetTable(-3);
    }

    private static ReadOnlySpan<byte> ReadLine(ReadOnlySpan<byte> r, ref int pos)
    {
        int end = r[pos..].IndexOf((byte)'\r');
        var line = r.Slice(pos, end);
        pos += end + 2;
        return line;
    }

    private static long ReadInteger(ReadOnlySpan<byte> r, ref int pos)
    {
        RedisNumbers.TryParseInt64(ReadLine(r, ref pos), out long value);
        return value;
    }
}
