using System.Numerics;
using Magpie.Protocol;
using Magpie.Storage;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands.Bitmaps;

/// <summary>
/// Bit commands on string values (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
/// BITFIELD and BITFIELD_RO. Bit 0 is the most significant bit of the first byte.
/// </summary>
public static class BitmapCommands
{
    private const string G = "bitmap";
    internal const string BadOffset = "ERR bit offset is not an integer or out of range";
    private const string BadBit = "ERR bit is not an integer or out of range";

    public static void Register(CommandTable t)
    {
        t.Add(new() { Name = "setbit", Arity = 4, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SetBit, Group = "bitmap", Summary = "Sets or clears the bit at offset in the string value stored at key", Since = "2.2.0", Complexity = "O(1)", Acl = "@write @bitmap @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update) { Index = 1 }] });
        t.Add(new() { Name = "getbit", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GetBit, Group = "bitmap", Summary = "Returns the bit value at offset in the string value stored at key", Since = "2.2.0", Complexity = "O(1)", Acl = "@read @bitmap @fast", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }] });
        t.Add(new() { Name = "bitcount", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = BitCount, Group = "bitmap", Summary = "Count set bits in a string", Since = "2.6.0", Complexity = "O(N)", Acl = "@read @bitmap @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], History = [("7.0.0", "Added the `BYTE|BIT` option.")] });
        t.Add(new() { Name = "bitpos", Arity = -3, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = BitPos, Group = "bitmap", Summary = "Find first bit set or clear in a string", Since = "2.8.7", Complexity = "O(N)", Acl = "@read @bitmap @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], History = [("7.0.0", "Added the `BYTE|BIT` option.")] });
        t.Add(new() { Name = "bitop", Arity = -4, Flags = Write | DenyOom, FirstKey = 2, LastKey = -1, KeyStep = 1, Handler = BitOp, Group = "bitmap", Summary = "Perform bitwise operations between strings", Since = "2.6.0", Complexity = "O(N)", Acl = "@write @bitmap @slow", Keys = [new(KeySpecFlags.OW | KeySpecFlags.Update) { Index = 2 }, new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 3, LastKey = -1 }] });
        t.Add(new() { Name = "bitfield", Arity = -2, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => BitFieldCommand.Run(ctx, readOnly: false), Group = "bitmap", Summary = "Perform arbitrary bitfield integer operations on strings", Since = "3.2.0", Complexity = "O(1) for each subcommand specified", Acl = "@write @bitmap @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update | KeySpecFlags.VariableFlags) { Index = 1, Notes = "This command allows both access and modification of the key" }] });
        t.Add(new() { Name = "bitfield_ro", Arity = -2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => BitFieldCommand.Run(ctx, readOnly: true), Group = "bitmap", Summary = "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", Since = "6.0.0", Complexity = "O(1) for each subcommand specified", Acl = "@read @bitmap @fast", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }] });
    }

    /// <summary>
    /// Redis's getBitOffsetFromArgument: a non-negative bit offset below proto-max-bulk-len bytes;
    /// with <paramref name="bits"/> &gt; 0 a "#N" offset means N*bits.
    /// </summary>
    internal static bool TryGetBitOffset(CommandContext ctx, int index, int bits, out ulong offset)
    {
        offset = 0;
        var arg = ctx.Arg(index);
        bool useHash = bits > 0 && arg.Length > 0 && arg[0] == '#';
        if (!RedisNumbers.TryParseInt64(useHash ? arg[1..] : arg, out long value))
        {
            ctx.Error(BadOffset);
            return false;
        }
        if (useHash) value = unchecked(value * bits);
        if (value < 0 || (value >> 3) >= ctx.Server.MaxBulkLength)
        {
            ctx.Error(BadOffset);
            return false;
        }
        offset = (ulong)value;
        return true;
    }

    /// <summary>
    /// Redis's lookupStringForBitCommand: the string at the key, created or zero-padded so that
    /// bit <paramref name="maxBit"/> exists. Null (with WRONGTYPE written) for another type.
    /// </summary>
    internal static Entry? GrowForBit(CommandContext ctx, ulong maxBit)
    {
        long needed = (long)(maxBit >> 3) + 1;
        var key = ctx.Arg(1);
        var entry = ctx.Db.GetForWrite(key);
        if (entry is null) return ctx.Db.Add(key, new byte[needed]);
        if (entry.Value is not byte[] old)
        {
            ctx.WrongType();
            return null;
        }
        if (old.Length < needed)
        {
            var grown = new byte[needed];
            old.CopyTo(grown, 0);
            ctx.Db.Replace(entry, grown);
        }
        return entry;
    }

    private static void SetBit(CommandContext ctx)
    {
        if (!TryGetBitOffset(ctx, 2, 0, out ulong offset)) return;
        if (!RedisNumbers.TryParseInt64(ctx.Arg(3), out long on) || (on & ~1L) != 0)
        {
            ctx.Error(BadBit);
            return;
        }
        var entry = GrowForBit(ctx, offset);
        if (entry is null) return;
        var bytes = entry.StringValue;
        long index = (long)(offset >> 3);
        int shift = 7 - (int)(offset & 7);
        int old = (bytes[index] >> shift) & 1;
        bytes[index] = (byte)((bytes[index] & ~(1 << shift)) | ((int)on << shift));
        ctx.Db.SignalModified(entry);
        ctx.Reply.WriteInteger(old);
    }

    private static void GetBit(CommandContext ctx)
    {
        if (!TryGetBitOffset(ctx, 2, 0, out ulong offset)) return;
        if (!StringCommands.TryGetString(ctx, ctx.Arg(1), false, out var entry)) return;
        var bytes = entry?.StringValue;
        long index = (long)(offset >> 3);
        if (bytes is null || index >= bytes.Length)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Reply.WriteInteger((bytes[index] >> (7 - (int)(offset & 7))) & 1);
    }

    private static void BitCount(CommandContext ctx)
    {
        if (!StringCommands.TryGetString(ctx, ctx.Arg(1), false, out var entry)) return;
        if (entry is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var p = entry.StringValue;
        long start, end;
        int firstMask = 0, lastMask = 0;
        if (ctx.ArgCount == 4 || ctx.ArgCount == 5)
        {
            long total = p.Length;
            if (!ctx.TryGetInt64(2, out start) || !ctx.TryGetInt64(3, out end)) return;
            if (start < 0 && end < 0 && start > end)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            bool isBit = false;
            if (ctx.ArgCount == 5)
            {
                if (ctx.ArgIs(4, "bit"u8)) isBit = true;
                else if (!ctx.ArgIs(4, "byte"u8))
                {
                    ctx.SyntaxError();
                    return;
                }
            }
            if (isBit) total <<= 3;
            if (start < 0) start = total + start;
            if (end < 0) end = total + end;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= total) end = total - 1;
            if (isBit && start <= end)
            {
                firstMask = ~((1 << (8 - (int)(start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int)(end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        }
        else if (ctx.ArgCount == 2)
        {
            start = 0;
            end = p.Length - 1;
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        if (start > end)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        long count = PopCount(p.AsSpan((int)start, (int)(end - start + 1)));
        if (firstMask != 0) count -= BitOperations.PopCount((uint)(p[start] & firstMask));
        if (lastMask != 0) count -= BitOperations.PopCount((uint)(p[end] & lastMask));
        ctx.Reply.WriteInteger(count);
    }

    internal static long PopCount(ReadOnlySpan<byte> s)
    {
        long count = 0;
        int i = 0;
        for (; i + 8 <= s.Length; i += 8) count += BitOperations.PopCount(BitConverter.ToUInt64(s.Slice(i, 8)));
        for (; i < s.Length; i++) count += BitOperations.PopCount((uint)s[i]);
        return count;
    }

    /// <summary>
    /// Redis's redisBitpos: the first bit equal to <paramref name="bit"/>; for a clear bit in
    /// all-ones bytes the position just past them, for a set bit in all-zero bytes -1.
    /// </summary>
    internal static long FirstBit(ReadOnlySpan<byte> s, int bit)
    {
        int i = bit == 1 ? s.IndexOfAnyExcept((byte)0) : s.IndexOfAnyExcept((byte)0xFF);
        if (i < 0) return bit == 1 ? -1 : (long)s.Length * 8;
        int b = s[i];
        for (int j = 0; j < 8; j++)
            if (((b >> (7 - j)) & 1) == bit) return (long)i * 8 + j;
        return -1;
    }

    private static void BitPos(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long bitArg)) return;
        if (bitArg != 0 && bitArg != 1)
        {
            ctx.Error("ERR The bit argument must be 1 or 0.");
            return;
        }
        int bit = (int)bitArg;
        var entry = ctx.Db.GetForRead(ctx.Arg(1));
        if (entry is null)
        {
            ctx.Reply.WriteInteger(bit == 1 ? -1 : 0);
            return;
        }
        if (entry.Value is not byte[] p)
        {
            ctx.WrongType();
            return;
        }
        long start, end;
        bool endGiven = false;
        int firstMask = 0, lastMask = 0;
        if (ctx.ArgCount is 4 or 5 or 6)
        {
            long total = p.Length;
            if (!ctx.TryGetInt64(3, out start)) return;
            bool isBit = false;
            if (ctx.ArgCount == 6)
            {
                if (ctx.ArgIs(5, "bit"u8)) isBit = true;
                else if (!ctx.ArgIs(5, "byte"u8))
                {
                    ctx.SyntaxError();
                    return;
                }
            }
            if (ctx.ArgCount >= 5)
            {
                if (!ctx.TryGetInt64(4, out end)) return;
                endGiven = true;
            }
            else end = isBit ? (total << 3) + 7 : total - 1;
            if (isBit) total <<= 3;
            if (start < 0) start = total + start;
            if (end < 0) end = total + end;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= total) end = total - 1;
            if (isBit && start <= end)
            {
                firstMask = ~((1 << (8 - (int)(start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int)(end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        }
        else if (ctx.ArgCount == 3)
        {
            start = 0;
            end = p.Length - 1;
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        if (start > end)
        {
            ctx.Reply.WriteInteger(-1);
            return;
        }
        long bytes = end - start + 1;
        long pos;
        Span<byte> one = stackalloc byte[1];
        if (firstMask != 0)
        {
            int tmp = bit == 1 ? p[start] & ~firstMask : p[start] | firstMask;
            if (lastMask != 0 && bytes == 1) tmp = bit == 1 ? tmp & ~lastMask : tmp | lastMask;
            one[0] = (byte)tmp;
            pos = FirstBit(one, bit);
            if (bytes == 1 || (pos != -1 && pos != 8)) goto Result;
            start++;
            bytes--;
        }
        long current = bytes - (lastMask != 0 ? 1 : 0);
        if (current > 0)
        {
            pos = FirstBit(p.AsSpan((int)start, (int)current), bit);
            if (bytes == current || (pos != -1 && pos != current << 3)) goto Result;
            start += current;
            bytes -= current;
        }
        one[0] = (byte)(bit == 1 ? p[end] & ~lastMask : p[end] | lastMask);
        pos = FirstBit(one, bit);
    Result:
        if (endGiven && bit == 0 && pos == bytes << 3)
        {
            ctx.Reply.WriteInteger(-1);
            return;
        }
        if (pos != -1) pos += start << 3;
        ctx.Reply.WriteInteger(pos);
    }

    private static void BitOp(CommandContext ctx)
    {
        int op;
        if (ctx.ArgIs(1, "and"u8)) op = 0;
        else if (ctx.ArgIs(1, "or"u8)) op = 1;
        else if (ctx.ArgIs(1, "xor"u8)) op = 2;
        else if (ctx.ArgIs(1, "not"u8)) op = 3;
        else
        {
            ctx.SyntaxError();
            return;
        }
        if (op == 3 && ctx.ArgCount != 4)
        {
            ctx.Error("ERR BITOP NOT must be called with a single source key.");
            return;
        }
        int numKeys = ctx.ArgCount - 3;
        var sources = new byte[numKeys][];
        int maxLength = 0;
        for (int j = 0; j < numKeys; j++)
        {
            var entry = ctx.Db.GetForRead(ctx.Arg(j + 3));
            if (entry is null)
            {
                sources[j] = [];
                continue;
            }
            if (entry.Value is not byte[] value)
            {
                ctx.WrongType();
                return;
            }
            sources[j] = value;
            maxLength = Math.Max(maxLength, value.Length);
        }
        var target = ctx.Arg(2);
        if (maxLength == 0)
        {
            ctx.Db.Remove(target);
            ctx.Reply.WriteInteger(0);
            return;
        }
        var result = new byte[maxLength];
        sources[0].CopyTo(result, 0);
        if (op == 3)
        {
            for (int i = 0; i < maxLength; i++) result[i] = (byte)~result[i];
        }
        else
        {
            for (int k = 1; k < numKeys; k++)
            {
                var src = sources[k];
                for (int i = 0; i < maxLength; i++)
                {
                    byte b = i < src.Length ? src[i] : (byte)0;
                    result[i] = op switch { 0 => (byte)(result[i] & b), 1 => (byte)(result[i] | b), _ => (byte)(result[i] ^ b) };
                }
            }
        }
        ctx.Db.SetString(target, result);
        ctx.Reply.WriteInteger(maxLength);
    }
}
