using Magpie.Protocol;
using Magpie.Storage;

namespace Magpie.Server.Commands.Bitmaps;

/// <summary>BITFIELD and BITFIELD_RO, as Redis's bitfieldGeneric: parse every operation first, then run them in order.</summary>
internal static class BitFieldCommand
{
    private enum Op : byte { Get, Set, IncrBy }

    private enum Overflow : byte { Wrap, Sat, Fail }

    private struct Operation
    {
        public ulong Offset;
        public long Value;
        public Op Op;
        public Overflow Overflow;
        public int Bits;
        public bool Signed;
    }

    private const string BadType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    public static void Run(CommandContext ctx, bool readOnly)
    {
        var ops = new List<Operation>();
        var overflow = Overflow.Wrap;
        bool onlyReads = true;
        ulong highestWrite = 0;
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            int remaining = ctx.ArgCount - j - 1;
            Op op;
            if (ctx.ArgIs(j, "get"u8) && remaining >= 2) op = Op.Get;
            else if (ctx.ArgIs(j, "set"u8) && remaining >= 3) op = Op.Set;
            else if (ctx.ArgIs(j, "incrby"u8) && remaining >= 3) op = Op.IncrBy;
            else if (ctx.ArgIs(j, "overflow"u8) && remaining >= 1)
            {
                j++;
                if (ctx.ArgIs(j, "wrap"u8)) overflow = Overflow.Wrap;
                else if (ctx.ArgIs(j, "sat"u8)) overflow = Overflow.Sat;
                else if (ctx.ArgIs(j, "fail"u8)) overflow = Overflow.Fail;
                else
                {
                    ctx.Error("ERR Invalid OVERFLOW type specified");
                    return;
                }
                continue;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
            if (!TryGetType(ctx.Arg(j + 1), out bool signed, out int bits))
            {
                ctx.Error(BadType);
                return;
            }
            if (!BitmapCommands.TryGetBitOffset(ctx, j + 2, bits, out ulong offset)) return;
            long value = 0;
            if (op != Op.Get)
            {
                onlyReads = false;
                if (highestWrite < offset + (ulong)bits - 1) highestWrite = offset + (ulong)bits - 1;
                if (!ctx.TryGetInt64(j + 3, out value)) return;
            }
            ops.Add(new Operation { Offset = offset, Value = value, Op = op, Overflow = overflow, Bits = bits, Signed = signed });
            j += op == Op.Get ? 2 : 3;
        }

        Entry? entry;
        if (onlyReads)
        {
            if (!StringCommands.TryGetString(ctx, ctx.Arg(1), false, out entry)) return;
        }
        else
        {
            if (readOnly)
            {
                ctx.Error("ERR BITFIELD_RO only supports the GET subcommand");
                return;
            }
            entry = BitmapCommands.GrowForBit(ctx, highestWrite);
            if (entry is null) return;
        }

        ctx.Reply.WriteArrayHeader(ops.Count);
        bool changed = false;
        Span<byte> window = stackalloc byte[9];
        foreach (var op in ops)
        {
            if (op.Op == Op.Get)
            {
                window.Clear();
                var src = entry?.StringValue;
                ulong firstByte = op.Offset >> 3;
                for (int i = 0; i < 9 && src is not null && firstByte + (ulong)i < (ulong)src.Length; i++) window[i] = src[(long)firstByte + i];
                ulong local = op.Offset - firstByte * 8;
                if (op.Signed) ctx.Reply.WriteInteger(GetSigned(window, local, op.Bits));
                else ctx.Reply.WriteInteger((long)GetUnsigned(window, local, op.Bits));
                continue;
            }
            var p = entry!.StringValue;
            changed = true;
            if (op.Signed)
            {
                long oldValue = GetSigned(p, op.Offset, op.Bits);
                long newValue, wrapped, reply;
                int overflowed;
                if (op.Op == Op.IncrBy)
                {
                    overflowed = CheckSignedOverflow(oldValue, op.Value, op.Bits, op.Overflow, out wrapped);
                    newValue = overflowed != 0 ? wrapped : unchecked(oldValue + op.Value);
                    reply = newValue;
                }
                else
                {
                    newValue = op.Value;
                    overflowed = CheckSignedOverflow(newValue, 0, op.Bits, op.Overflow, out wrapped);
                    if (overflowed != 0) newValue = wrapped;
                    reply = oldValue;
                }
                if (!(overflowed != 0 && op.Overflow == Overflow.Fail))
                {
                    ctx.Reply.WriteInteger(reply);
                    SetUnsigned(p, op.Offset, op.Bits, (ulong)newValue);
                }
                else ctx.Reply.WriteNull();
            }
            else
            {
                ulong oldValue = GetUnsigned(p, op.Offset, op.Bits);
                ulong newValue, wrapped, reply;
                int overflowed;
                if (op.Op == Op.IncrBy)
                {
                    newValue = unchecked(oldValue + (ulong)op.Value);
                    overflowed = CheckUnsignedOverflow(oldValue, op.Value, op.Bits, op.Overflow, out wrapped);
                    if (overflowed != 0) newValue = wrapped;
                    reply = newValue;
                }
                else
                {
                    newValue = (ulong)op.Value;
                    overflowed = CheckUnsignedOverflow(newValue, 0, op.Bits, op.Overflow, out wrapped);
                    if (overflowed != 0) newValue = wrapped;
                    reply = oldValue;
                }
                if (!(overflowed != 0 && op.Overflow == Overflow.Fail))
                {
                    ctx.Reply.WriteInteger((long)reply);
                    SetUnsigned(p, op.Offset, op.Bits, newValue);
                }
                else ctx.Reply.WriteNull();
            }
        }
        if (changed) ctx.Db.SignalModified(entry!);
    }

    private static bool TryGetType(ReadOnlySpan<byte> arg, out bool signed, out int bits)
    {
        signed = false;
        bits = 0;
        if (arg.Length == 0) return false;
        if (arg[0] == 'i') signed = true;
        else if (arg[0] != 'u') return false;
        if (!RedisNumbers.TryParseInt64(arg[1..], out long n) || n < 1 || (signed && n > 64) || (!signed && n > 63)) return false;
        bits = (int)n;
        return true;
    }

    internal static ulong GetUnsigned(ReadOnlySpan<byte> p, ulong offset, int bits)
    {
        ulong value = 0;
        for (int j = 0; j < bits; j++, offset++)
        {
            int bitValue = (p[(int)(offset >> 3)] >> (7 - (int)(offset & 7))) & 1;
            value = (value << 1) | (uint)bitValue;
        }
        return value;
    }

    internal static long GetSigned(ReadOnlySpan<byte> p, ulong offset, int bits)
    {
        long value = (long)GetUnsigned(p, offset, bits);
        if (bits < 64 && (value & (1L << (bits - 1))) != 0) value |= -1L << bits;
        return value;
    }

    internal static void SetUnsigned(Span<byte> p, ulong offset, int bits, ulong value)
    {
        for (int j = 0; j < bits; j++, offset++)
        {
            int bitValue = (value & (1UL << (bits - 1 - j))) != 0 ? 1 : 0;
            int index = (int)(offset >> 3);
            int shift = 7 - (int)(offset & 7);
            p[index] = (byte)((p[index] & ~(1 << shift)) | (bitValue << shift));
        }
    }

    private static int CheckUnsignedOverflow(ulong value, long incr, int bits, Overflow owtype, out ulong limit)
    {
        unchecked
        {
            limit = 0;
            ulong max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            long maxIncr = (long)(max - value);
            long minIncr = (long)(0UL - value);
            if (value > max || (incr > 0 && incr > maxIncr))
            {
                if (owtype == Overflow.Wrap) limit = WrapUnsigned(value, incr, bits);
                else if (owtype == Overflow.Sat) limit = max;
                return 1;
            }
            if (incr < 0 && incr < minIncr)
            {
                if (owtype == Overflow.Wrap)
                {
                    limit = WrapUnsigned(value, incr, bits);
                    return 1;
                }
                if (owtype == Overflow.Sat) limit = 0;
                return -1;
            }
            return 0;
        }
    }

    private static ulong WrapUnsigned(ulong value, long incr, int bits)
    {
        unchecked
        {
            ulong mask = ulong.MaxValue << bits;
            return (value + (ulong)incr) & ~mask;
        }
    }

    private static int CheckSignedOverflow(long value, long incr, int bits, Overflow owtype, out long limit)
    {
        unchecked
        {
            limit = 0;
            long max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
            long min = -max - 1;
            long maxIncr = (long)((ulong)max - (ulong)value);
            long minIncr = min - value;
            if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr))
            {
                if (owtype == Overflow.Wrap) limit = WrapSigned(value, incr, bits);
                else if (owtype == Overflow.Sat) limit = max;
                return 1;
            }
            if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr))
            {
                if (owtype == Overflow.Wrap)
                {
                    limit = WrapSigned(value, incr, bits);
                    return 1;
                }
                if (owtype == Overflow.Sat) limit = min;
                return -1;
            }
            return 0;
        }
    }

    private static long WrapSigned(long value, long incr, int bits)
    {
        unchecked
        {
            ulong msb = 1UL << (bits - 1);
            ulong c = (ulong)value + (ulong)incr;
            if (bits < 64)
            {
                ulong mask = ulong.MaxValue << bits;
                if ((c & msb) != 0) c |= mask;
                else c &= ~mask;
            }
            return (long)c;
        }
    }
}
