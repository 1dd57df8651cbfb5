using System.Buffers;
using System.Buffers.Binary;
using Magpie.Protocol;

namespace Magpie.Storage.Persistence;

/// <summary>
/// Redis's listpack (listpack.c): the blob inside RDB hash, zset and list entries. The builder
/// encodes exactly as lpAppend does (integers in the smallest integer encoding, strings by length),
/// so blobs match redis-server byte for byte.
/// </summary>
public sealed class ListpackBuilder
{
    private const int HeaderSize = 6;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private int _count;

    public ListpackBuilder() => Reset();

    public int Count => _count;

    /// <summary>Bytes the finished listpack would take (header, entries, end byte), as quicklist's node->sz.</summary>
    public int TotalBytes => _buffer.WrittenCount + 1;

    public void Reset()
    {
        _buffer.ResetWrittenCount();
        _buffer.GetSpan(HeaderSize)[..HeaderSize].Clear();
        _buffer.Advance(HeaderSize);
        _count = 0;
    }

    public void Append(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 20 && RedisNumbers.TryParseInt64(value, out long n)) AppendInteger(n);
        else AppendString(value);
    }

    public void AppendInteger(long v)
    {
        Span<byte> e = stackalloc byte[9];
        int len;
        if (v >= 0 && v <= 127) { e[0] = (byte)v; len = 1; }
        else if (v >= -4096 && v <= 4095)
        {
            long u = v < 0 ? (1L << 13) + v : v;
            e[0] = (byte)((u >> 8) | 0xC0);
            e[1] = (byte)(u & 0xff);
            len = 2;
        }
        else if (v >= short.MinValue && v <= short.MaxValue)
        {
            e[0] = 0xF1;
            BinaryPrimitives.WriteInt16LittleEndian(e[1..], (short)v);
            len = 3;
        }
        else if (v >= -8388608 && v <= 8388607)
        {
            long u = v < 0 ? (1L << 24) + v : v;
            e[0] = 0xF2;
            e[1] = (byte)u; e[2] = (byte)(u >> 8); e[3] = (byte)(u >> 16);
            len = 4;
        }
        else if (v >= int.MinValue && v <= int.MaxValue)
        {
            e[0] = 0xF3;
            BinaryPrimitives.WriteInt32LittleEndian(e[1..], (int)v);
            len = 5;
        }
        else
        {
            e[0] = 0xF4;
            BinaryPrimitives.WriteInt64LittleEndian(e[1..], v);
            len = 9;
        }
        _buffer.Write(e[..len]);
        WriteBacklen(len);
        _count++;
    }

    public void AppendString(ReadOnlySpan<byte> s)
    {
        int header;
        Span<byte> h = stackalloc byte[5];
        if (s.Length < 64) { h[0] = (byte)(0x80 | s.Length); header = 1; }
        else if (s.Length < 4096) { h[0] = (byte)((s.Length >> 8) | 0xE0); h[1] = (byte)s.Length; header = 2; }
        else { h[0] = 0xF0; BinaryPrimitives.WriteInt32LittleEndian(h[1..], s.Length); header = 5; }
        _buffer.Write(h[..header]);
        _buffer.Write(s);
        WriteBacklen(header + s.Length);
        _count++;
    }

    /// <summary>The finished listpack (header filled in, end byte appended).</summary>
    public byte[] ToArray()
    {
        var result = new byte[TotalBytes];
        _buffer.WrittenSpan.CopyTo(result);
        result[^1] = 0xFF;
        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)result.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(4), (ushort)Math.Min(_count, 65535));
        return result;
    }

    private void WriteBacklen(int l)
    {
        Span<byte> b = stackalloc byte[5];
        int n;
        if (l <= 127) { b[0] = (byte)l; n = 1; }
        else if (l < 16383) { b[0] = (byte)(l >> 7); b[1] = (byte)((l & 127) | 128); n = 2; }
        else if (l < 2097151) { b[0] = (byte)(l >> 14); b[1] = (byte)(((l >> 7) & 127) | 128); b[2] = (byte)((l & 127) | 128); n = 3; }
        else if (l < 268435455)
        {
            b[0] = (byte)(l >> 21); b[1] = (byte)(((l >> 14) & 127) | 128); b[2] = (byte)(((l >> 7) & 127) | 128); b[3] = (byte)((l & 127) | 128); n = 4;
        }
        else
        {
            b[0] = (byte)(l >> 28); b[1] = (byte)(((l >> 21) & 127) | 128); b[2] = (byte)(((l >> 14) & 127) | 128);
            b[3] = (byte)(((l >> 7) & 127) | 128); b[4] = (byte)((l & 127) | 128); n = 5;
        }
        _buffer.Write(b[..n]);
    }
}

/// <summary>Reads listpack entries, checking every bound; <see cref="FormatException"/> on a malformed blob.</summary>
public ref struct ListpackReader
{
    private readonly ReadOnlySpan<byte> _lp;
    private int _pos;

    public ListpackReader(ReadOnlySpan<byte> listpack)
    {
        if (listpack.Length < 7) throw new FormatException("listpack shorter than its header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(listpack) != (uint)listpack.Length)
            throw new FormatException("listpack total bytes do not match its length");
        if (listpack[^1] != 0xFF) throw new FormatException("listpack has no end byte");
        _lp = listpack;
        _pos = 6;
        HeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(listpack[4..]);
    }

    /// <summary>The count in the header (65535 means "count them").</summary>
    public int HeaderCount { get; }

    /// <summary>The next entry as bytes (integers formatted as Redis does); false at the end.</summary>
    public bool TryNext(out byte[] value)
    {
        value = [];
        if (!TryNext(out var str, out long number, out bool isInteger)) return false;
        value = isInteger ? RedisNumbers.FormatInt64(number) : str.ToArray();
        return true;
    }

    public bool TryNext(out ReadOnlySpan<byte> str, out long number, out bool isInteger)
    {
        str = default;
        number = 0;
        isInteger = false;
        if (_pos >= _lp.Length - 1)
        {
            if (_lp[_pos] != 0xFF) throw new FormatException("listpack entry overruns the blob");
            return false;
        }
        int start = _pos;
        byte b = _lp[_pos];
        int entryLen;
        if ((b & 0x80) == 0) { isInteger = true; number = b; entryLen = 1; }
        else if ((b & 0xC0) == 0x80)
        {
            int len = b & 0x3F;
            str = Slice(_pos + 1, len);
            entryLen = 1 + len;
        }
        else if ((b & 0xE0) == 0xC0)
        {
            Need(2);
            long u = ((b & 0x1F) << 8) | _lp[_pos + 1];
            number = u >= 1 << 12 ? u - (1 << 13) : u;
            isInteger = true;
            entryLen = 2;
        }
        else if ((b & 0xF0) == 0xE0)
        {
            Need(2);
            int len = ((b & 0x0F) << 8) | _lp[_pos + 1];
            str = Slice(_pos + 2, len);
            entryLen = 2 + len;
        }
        else
        {
            switch (b)
            {
                case 0xF0:
                    Need(5);
                    long len = BinaryPrimitives.ReadUInt32LittleEndian(_lp[(_pos + 1)..]);
                    if (len > int.MaxValue) throw new FormatException("listpack string too long");
                    str = Slice(_pos + 5, (int)len);
                    entryLen = 5 + (int)len;
                    break;
                case 0xF1: Need(3); number = BinaryPrimitives.ReadInt16LittleEndian(_lp[(_pos + 1)..]); isInteger = true; entryLen = 3; break;
                case 0xF2:
                    Need(4);
                    int u24 = _lp[_pos + 1] | (_lp[_pos + 2] << 8) | (_lp[_pos + 3] << 16);
                    number = (u24 << 8) >> 8;
                    isInteger = true;
                    entryLen = 4;
                    break;
                case 0xF3: Need(5); number = BinaryPrimitives.ReadInt32LittleEndian(_lp[(_pos + 1)..]); isInteger = true; entryLen = 5; break;
                case 0xF4: Need(9); number = BinaryPrimitives.ReadInt64LittleEndian(_lp[(_pos + 1)..]); isInteger = true; entryLen = 9; break;
                default: throw new FormatException($"bad listpack entry encoding 0x{b:x2}");
            }
        }
        int backlen = entryLen <= 127 ? 1 : entryLen < 16383 ? 2 : entryLen < 2097151 ? 3 : entryLen < 268435455 ? 4 : 5;
        _pos = start + entryLen + backlen;
        if (_pos > _lp.Length - 1) throw new FormatException("listpack entry overruns the blob");
        return true;
    }

    private void Need(int n)
    {
        if (_pos + n > _lp.Length - 1) throw new FormatException("listpack entry overruns the blob");
    }

    private ReadOnlySpan<byte> Slice(int from, int len)
    {
        if ((long)from + len > _lp.Length - 1) throw new FormatException("listpack string overruns the blob");
        return _lp.Slice(from, len);
    }
}
