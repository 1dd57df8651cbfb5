using System.Buffers.Binary;
using Magpie.Protocol;

namespace Magpie.Storage.Persistence;

/// <summary>
/// Reads the pre-7.0 blobs redis-server 7.0 still loads: ziplist (lists, hashes and zsets before
/// listpacks), zipmap (hashes before 2.6) and intset (still written for integer sets).
/// Every bound is checked; a malformed blob throws <see cref="FormatException"/>.
/// </summary>
public static class LegacyEncodings
{
    /// <summary>Every ziplist entry as bytes (integers formatted).</summary>
    public static List<byte[]> ReadZiplist(ReadOnlySpan<byte> zl)
    {
        if (zl.Length < 11) throw new FormatException("ziplist shorter than its header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(zl) != (uint)zl.Length) throw new FormatException("ziplist total bytes do not match its length");
        if (zl[^1] != 0xFF) throw new FormatException("ziplist has no end byte");
        var items = new List<byte[]>();
        int p = 10;
        while (true)
        {
            if (p >= zl.Length) throw new FormatException("ziplist entry overruns the blob");
            if (zl[p] == 0xFF) break;
            // prevlen
            p += zl[p] < 254 ? 1 : 5;
            if (p >= zl.Length - 1) throw new FormatException("ziplist entry overruns the blob");
            byte enc = zl[p];
            switch (enc >> 6)
            {
                case 0:
                {
                    int len = enc & 0x3F;
                    items.Add(Slice(zl, p + 1, len).ToArray());
                    p += 1 + len;
                    continue;
                }
                case 1:
                {
                    Need(zl, p, 2);
                    int len = ((enc & 0x3F) << 8) | zl[p + 1];
                    items.Add(Slice(zl, p + 2, len).ToArray());
                    p += 2 + len;
                    continue;
                }
                case 2:
                {
                    Need(zl, p, 5);
                    uint len = BinaryPrimitives.ReadUInt32BigEndian(zl[(p + 1)..]);
                    if (len > int.MaxValue) throw new FormatException("ziplist string too long");
                    items.Add(Slice(zl, p + 5, (int)len).ToArray());
                    p += 5 + (int)len;
                    continue;
                }
            }
            long v;
            int size;
            switch (enc)
            {
                case 0xC0: Need(zl, p, 3); v = BinaryPrimitives.ReadInt16LittleEndian(zl[(p + 1)..]); size = 3; break;
                case 0xD0: Need(zl, p, 5); v = BinaryPrimitives.ReadInt32LittleEndian(zl[(p + 1)..]); size = 5; break;
                case 0xE0: Need(zl, p, 9); v = BinaryPrimitives.ReadInt64LittleEndian(zl[(p + 1)..]); size = 9; break;
                case 0xF0:
                    Need(zl, p, 4);
                    v = ((zl[p + 1] | (zl[p + 2] << 8) | (zl[p + 3] << 16)) << 8) >> 8;
                    size = 4;
                    break;
                case 0xFE: Need(zl, p, 2); v = (sbyte)zl[p + 1]; size = 2; break;
                default:
                    if (enc >= 0xF1 && enc <= 0xFD) { v = (enc & 0x0F) - 1; size = 1; break; }
                    throw new FormatException($"bad ziplist entry encoding 0x{enc:x2}");
            }
            items.Add(RedisNumbers.FormatInt64(v));
            p += size;
        }
        return items;
    }

    /// <summary>The integers of an intset (encoding 2, 4 or 8; sorted).</summary>
    public static long[] ReadIntset(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 8) throw new FormatException("intset shorter than its header");
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8)) throw new FormatException($"bad intset encoding {width}");
        if ((long)count * width + 8 != blob.Length) throw new FormatException("intset length does not match its count");
        var values = new long[count];
        for (int i = 0; i < count; i++)
        {
            var at = blob[(8 + i * (int)width)..];
            values[i] = width switch
            {
                2 => BinaryPrimitives.ReadInt16LittleEndian(at),
                4 => BinaryPrimitives.ReadInt32LittleEndian(at),
                _ => BinaryPrimitives.ReadInt64LittleEndian(at),
            };
            if (i > 0 && values[i] <= values[i - 1]) throw new FormatException("intset is not sorted");
        }
        return values;
    }

    /// <summary>An intset blob of sorted distinct integers, in the smallest encoding that holds them all.</summary>
    public static byte[] WriteIntset(ReadOnlySpan<long> sorted)
    {
        int width = 2;
        foreach (var v in sorted)
        {
            if (v < int.MinValue || v > int.MaxValue) { width = 8; break; }
            if (v < short.MinValue || v > short.MaxValue) width = 4;
        }
        var blob = new byte[8 + sorted.Length * width];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), (uint)sorted.Length);
        for (int i = 0; i < sorted.Length; i++)
        {
            var at = blob.AsSpan(8 + i * width);
            if (width == 2) BinaryPrimitives.WriteInt16LittleEndian(at, (short)sorted[i]);
            else if (width == 4) BinaryPrimitives.WriteInt32LittleEndian(at, (int)sorted[i]);
            else BinaryPrimitives.WriteInt64LittleEndian(at, sorted[i]);
        }
        return blob;
    }

    /// <summary>A zipmap's field/value pairs, in order.</summary>
    public static List<(byte[] Field, byte[] Value)> ReadZipmap(ReadOnlySpan<byte> zm)
    {
        if (zm.Length < 2) throw new FormatException("zipmap shorter than its header");
        var pairs = new List<(byte[], byte[])>();
        int p = 1;
        while (true)
        {
            if (p >= zm.Length) throw new FormatException("zipmap has no end byte");
            if (zm[p] == 0xFF) break;
            var field = ReadZipmapString(zm, ref p, hasFree: false);
            var value = ReadZipmapString(zm, ref p, hasFree: true);
            pairs.Add((field, value));
        }
        if (p != zm.Length - 1) throw new FormatException("zipmap has bytes after its end");
        return pairs;
    }

    private static byte[] ReadZipmapString(ReadOnlySpan<byte> zm, ref int p, bool hasFree)
    {
        if (p >= zm.Length) throw new FormatException("zipmap entry overruns the blob");
        int len = zm[p];
        if (len == 255) throw new FormatException("zipmap ends inside an entry");
        if (len == 254)
        {
            Need(zm, p, 5);
            uint l = BinaryPrimitives.ReadUInt32LittleEndian(zm[(p + 1)..]);
            if (l > int.MaxValue) throw new FormatException("zipmap string too long");
            len = (int)l;
            p += 5;
        }
        else p += 1;
        int free = 0;
        if (hasFree)
        {
            if (p >= zm.Length) throw new FormatException("zipmap entry overruns the blob");
            free = zm[p++];
        }
        var s = Slice(zm, p, len).ToArray();
        p += len + free;
        return s;
    }

    private static void Need(ReadOnlySpan<byte> blob, int p, int n)
    {
        if ((long)p + n > blob.Length - 1) throw new FormatException("entry overruns the blob");
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> blob, int from, int len)
    {
        if ((long)from + len > blob.Length - 1) throw new FormatException("string overruns the blob");
        return blob.Slice(from, len);
    }
}
