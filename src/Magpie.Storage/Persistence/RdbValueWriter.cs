using System.Buffers;
using System.Buffers.Binary;
using Magpie.Protocol;
using Magpie.Storage.Values;

namespace Magpie.Storage.Persistence;

/// <summary>How a key's access hint is saved: nothing, idle seconds (LRU policies) or the LFU counter.</summary>
public enum RdbAccessHint
{
    None,
    Idle,
    Frequency,
}

/// <summary>
/// Serializes values in RDB version 10 as redis-server 7.0 does (rdbSaveObject): strings with
/// integer and LZF encodings, lists as quicklist-2 nodes of listpacks split as quicklist's 8 KB fill
/// rule splits them, integer sets as intsets, other sets as plain sets, small hashes and zsets as
/// listpacks and large ones as plain hashes and skiplist zsets with binary scores.
/// </summary>
/// <remarks>
/// To support a new value type (streams): add a case to <see cref="TypeOf"/> and to
/// <see cref="WriteValue"/>, or register an <see cref="IRdbValueCodec"/> with <see cref="RdbValueCodecs"/>.
/// </remarks>
public static class RdbValueWriter
{
    /// <summary>quicklist's fill -2 (list-max-listpack-size): nodes up to 8 KB.</summary>
    private const int QuicklistNodeBytes = 8192;

    /// <summary>quicklist's packed_threshold: larger elements go into plain nodes of their own.</summary>
    private const long PlainElementBytes = 1L << 30;

    [ThreadStatic] private static byte[]? t_lzf;
    [ThreadStatic] private static ListpackBuilder? t_listpack;

    /// <summary>The RDB type byte this value is written with.</summary>
    public static byte TypeOf(object value) => value switch
    {
        byte[] => RdbType.String,
        RedisList => RdbType.ListQuicklist2,
        RedisSet s => s.IsIntset ? RdbType.SetIntset : RdbType.Set,
        RedisSortedSet z => z.Encoding == "listpack" ? RdbType.ZSetListpack : RdbType.ZSet2,
        RedisHash h => h.IsCompact ? RdbType.HashListpack : RdbType.Hash,
        RedisStream => RdbType.StreamListpacks2,
        _ => RdbValueCodecs.Find(value)?.TypeOf(value) ?? throw Unsupported(value),
    };

    /// <summary>Type byte, then the value.</summary>
    public static void WriteObject(IBufferWriter<byte> o, object value, bool compress = true)
    {
        WriteByte(o, TypeOf(value));
        WriteValue(o, value, compress);
    }

    /// <summary>The value's body (after its type byte).</summary>
    public static void WriteValue(IBufferWriter<byte> o, object value, bool compress = true)
    {
        switch (value)
        {
            case byte[] s:
                WriteString(o, s, compress);
                break;
            case RedisList list:
                WriteList(o, list, compress);
                break;
            case RedisSet set:
                WriteSet(o, set, compress);
                break;
            case RedisSortedSet zset:
                WriteSortedSet(o, zset, compress);
                break;
            case RedisHash hash:
                WriteHash(o, hash, compress);
                break;
            case RedisStream stream:
                RdbStreamCodec.Write(o, stream, compress);
                break;
            default:
                (RdbValueCodecs.Find(value) ?? throw Unsupported(value)).Write(o, value, compress);
                break;
        }
    }

    /// <summary>
    /// One key of an RDB file, as rdbSaveKeyValuePair: optional EXPIRETIME_MS, IDLE or FREQ, type, key, value.
    /// </summary>
    public static void WriteEntry(IBufferWriter<byte> o, ReadOnlySpan<byte> key, object value, long expireAt,
        RdbAccessHint hint = RdbAccessHint.None, long hintValue = 0, bool compress = true)
    {
        if (expireAt != 0)
        {
            WriteByte(o, RdbOpcode.ExpireTimeMs);
            var span = o.GetSpan(8);
            BinaryPrimitives.WriteInt64LittleEndian(span, expireAt);
            o.Advance(8);
        }
        if (hint == RdbAccessHint.Idle)
        {
            WriteByte(o, RdbOpcode.Idle);
            WriteLength(o, (ulong)Math.Max(0, hintValue));
        }
        else if (hint == RdbAccessHint.Frequency)
        {
            WriteByte(o, RdbOpcode.Freq);
            WriteByte(o, (byte)Math.Clamp(hintValue, 0, 255));
        }
        WriteByte(o, TypeOf(value));
        WriteString(o, key, compress);
        WriteValue(o, value, compress);
    }

    public static void WriteByte(IBufferWriter<byte> o, byte b)
    {
        o.GetSpan(1)[0] = b;
        o.Advance(1);
    }

    /// <summary>rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian lengths.</summary>
    public static void WriteLength(IBufferWriter<byte> o, ulong len)
    {
        var span = o.GetSpan(9);
        if (len < 1 << 6)
        {
            span[0] = (byte)len;
            o.Advance(1);
        }
        else if (len < 1 << 14)
        {
            span[0] = (byte)(((len >> 8) & 0xFF) | 0x40);
            span[1] = (byte)len;
            o.Advance(2);
        }
        else if (len <= uint.MaxValue)
        {
            span[0] = 0x80;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)len);
            o.Advance(5);
        }
        else
        {
            span[0] = 0x81;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], len);
            o.Advance(9);
        }
    }

    /// <summary>rdbSaveRawString: integer encoding for short canonical integers, LZF past 20 bytes when it saves space, else raw.</summary>
    public static void WriteString(IBufferWriter<byte> o, ReadOnlySpan<byte> s, bool compress = true)
    {
        if (s.Length <= 11 && RedisNumbers.TryParseInt64(s, out long v) && v >= int.MinValue && v <= int.MaxValue)
        {
            var span = o.GetSpan(5);
            if (v >= sbyte.MinValue && v <= sbyte.MaxValue)
            {
                span[0] = 0xC0;
                span[1] = (byte)(sbyte)v;
                o.Advance(2);
            }
            else if (v >= short.MinValue && v <= short.MaxValue)
            {
                span[0] = 0xC1;
                BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)v);
                o.Advance(3);
            }
            else
            {
                span[0] = 0xC2;
                BinaryPrimitives.WriteInt32LittleEndian(span[1..], (int)v);
                o.Advance(5);
            }
            return;
        }
        if (compress && s.Length > 20 && TryWriteLzf(o, s)) return;
        WriteLength(o, (ulong)s.Length);
        o.Write(s);
    }

    public static void WriteBinaryDouble(IBufferWriter<byte> o, double d)
    {
        var span = o.GetSpan(8);
        BinaryPrimitives.WriteDoubleLittleEndian(span, d);
        o.Advance(8);
    }

    private static bool TryWriteLzf(IBufferWriter<byte> o, ReadOnlySpan<byte> s)
    {
        // Redis requires at least four bytes of saving: the output buffer is len - 4.
        int outLen = s.Length - 4;
        var scratch = t_lzf;
        if (scratch is null || scratch.Length < outLen) t_lzf = scratch = new byte[Math.Max(outLen, 1024)];
        int compressed = Lzf.Compress(s, scratch.AsSpan(0, outLen));
        if (compressed == 0) return false;
        WriteByte(o, 0xC3);
        WriteLength(o, (ulong)compressed);
        WriteLength(o, (ulong)s.Length);
        o.Write(scratch.AsSpan(0, compressed));
        return true;
    }

    private static void WriteList(IBufferWriter<byte> o, RedisList list, bool compress)
    {
        // Split into nodes as quicklistPushTail does for a list built by RPUSH.
        var nodes = new List<(bool Plain, byte[] Blob)>();
        var lp = t_listpack ??= new ListpackBuilder();
        lp.Reset();
        for (int i = 0; i < list.Length; i++)
        {
            var item = list[i];
            long sz = item.Length;
            if (sz >= PlainElementBytes)
            {
                if (lp.Count > 0) nodes.Add((false, lp.ToArray()));
                lp.Reset();
                nodes.Add((true, item));
                continue;
            }
            if (lp.Count > 0)
            {
                // quicklist's SIZE_ESTIMATE_OVERHEAD: 8 bytes per entry, an overestimate.
                if (lp.TotalBytes + sz + 8 > QuicklistNodeBytes)
                {
                    nodes.Add((false, lp.ToArray()));
                    lp.Reset();
                }
            }
            lp.Append(item);
        }
        if (lp.Count > 0) nodes.Add((false, lp.ToArray()));
        lp.Reset();
        WriteLength(o, (ulong)nodes.Count);
        foreach (var (plain, blob) in nodes)
        {
            WriteLength(o, plain ? 1UL : 2UL);
            WriteString(o, blob, compress);
        }
    }

    private static void WriteSet(IBufferWriter<byte> o, RedisSet set, bool compress)
    {
        int count = (int)set.Count;
        if (set.IsIntset)
        {
            var ints = new long[count];
            for (int i = 0; i < count; i++) ints[i] = set.IntAt(i);
            WriteString(o, LegacyEncodings.WriteIntset(ints), compress);
            return;
        }
        WriteLength(o, (ulong)count);
        for (int i = 0; i < count; i++) WriteString(o, set.MemberAt(i), compress);
    }

    private static void WriteSortedSet(IBufferWriter<byte> o, RedisSortedSet zset, bool compress)
    {
        long count = zset.Count;
        if (zset.Encoding == "listpack")
        {
            var lp = t_listpack ??= new ListpackBuilder();
            lp.Reset();
            var e = zset.Range(0, count, reverse: false);
            while (e.MoveNext())
            {
                lp.Append(e.Current.Member);
                lp.Append(RdbDoubles.Format(e.Current.Score));
            }
            var blob = lp.ToArray();
            lp.Reset();
            WriteString(o, blob, compress);
            return;
        }
        // ZSET_2: from the greatest to the smallest element, as Redis saves them.
        WriteLength(o, (ulong)count);
        var r = zset.Range(count - 1, count, reverse: true);
        while (r.MoveNext())
        {
            WriteString(o, r.Current.Member, compress);
            WriteBinaryDouble(o, r.Current.Score);
        }
    }

    private static void WriteHash(IBufferWriter<byte> o, RedisHash hash, bool compress)
    {
        int count = (int)hash.Count;
        if (hash.IsCompact)
        {
            var lp = t_listpack ??= new ListpackBuilder();
            lp.Reset();
            for (int i = 0; i < count; i++)
            {
                lp.Append(hash.FieldAt(i));
                lp.Append(hash.ValueAt(i));
            }
            var blob = lp.ToArray();
            lp.Reset();
            WriteString(o, blob, compress);
            return;
        }
        WriteLength(o, (ulong)count);
        for (int i = 0; i < count; i++)
        {
            WriteString(o, hash.FieldAt(i), compress);
            WriteString(o, hash.ValueAt(i), compress);
        }
    }

    private static NotSupportedException Unsupported(object value) =>
        new($"Magpie can't serialize a value of type {value.GetType().Name} to RDB");
}
