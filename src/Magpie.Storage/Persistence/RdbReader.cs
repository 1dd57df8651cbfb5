using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Magpie.Storage.Persistence;

/// <summary>
/// The low-level RDB reader over a stream: lengths, strings (integer, LZF and raw encodings),
/// doubles, with the absolute offset of every error and an optional running CRC-64 of the bytes read.
/// </summary>
public sealed class RdbReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private readonly bool _crc;
    private readonly long _length;
    private int _pos;
    private int _end;
    private int _crcPos;
    private long _bufferStart;
    private ulong _checksum;

    public RdbReader(Stream stream, bool computeChecksum = false, int bufferSize = 1 << 16)
    {
        _stream = stream;
        _crc = computeChecksum;
        _buffer = new byte[bufferSize];
        _length = stream.CanSeek ? stream.Length - stream.Position : -1;
    }

    /// <summary>Bytes consumed so far (the offset errors name).</summary>
    public long Offset => _bufferStart + _pos;

    /// <summary>Bytes left, or -1 when the stream can't tell.</summary>
    public long Remaining => _length < 0 ? -1 : _length - Offset;

    /// <summary>CRC-64 of every byte consumed so far.</summary>
    public ulong Checksum
    {
        get
        {
            FoldChecksum();
            return _checksum;
        }
    }

    public RdbFormatException Error(string message) => new(message, Offset);

    public byte ReadByte()
    {
        if (_pos == _end && !Fill(1)) throw Error("unexpected end of data");
        return _buffer[_pos++];
    }

    /// <summary>The next byte without consuming it, or -1 at the end.</summary>
    public int PeekByte()
    {
        if (_pos == _end && !Fill(1)) return -1;
        return _buffer[_pos];
    }

    public void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_pos == _end && !Fill(1)) throw Error("unexpected end of data");
            int n = Math.Min(destination.Length, _end - _pos);
            _buffer.AsSpan(_pos, n).CopyTo(destination);
            _pos += n;
            destination = destination[n..];
        }
    }

    public byte[] ReadBytes(ulong count)
    {
        if (count > int.MaxValue - 64) throw Error($"string of {count} bytes is too long");
        if (_length >= 0 && (long)count > Remaining) throw Error($"string of {count} bytes runs past the end of the data");
        var result = new byte[count];
        ReadExactly(result);
        return result;
    }

    public long ReadInt64LittleEndian()
    {
        Span<byte> b = stackalloc byte[8];
        ReadExactly(b);
        return BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    public int ReadInt32LittleEndian()
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    public double ReadBinaryDouble()
    {
        Span<byte> b = stackalloc byte[8];
        ReadExactly(b);
        return BinaryPrimitives.ReadDoubleLittleEndian(b);
    }

    /// <summary>rdbLoadLen: a plain length (an encoded-string marker here is an error).</summary>
    public ulong ReadLength()
    {
        ulong len = ReadLength(out bool encoded);
        if (encoded) throw Error("expected a length, found an encoded string marker");
        return len;
    }

    /// <summary>A length that must fit in an int (element counts, blob sizes).</summary>
    public int ReadCount()
    {
        ulong len = ReadLength();
        if (len > int.MaxValue) throw Error($"count {len} is too large");
        return (int)len;
    }

    public ulong ReadLength(out bool encoded)
    {
        encoded = false;
        byte b = ReadByte();
        switch (b >> 6)
        {
            case 0:
                return (ulong)(b & 0x3F);
            case 1:
                return (ulong)(((b & 0x3F) << 8) | ReadByte());
            case 2:
            {
                Span<byte> s = stackalloc byte[8];
                if (b == 0x80)
                {
                    ReadExactly(s[..4]);
                    return BinaryPrimitives.ReadUInt32BigEndian(s);
                }
                if (b == 0x81)
                {
                    ReadExactly(s);
                    return BinaryPrimitives.ReadUInt64BigEndian(s);
                }
                throw Error($"unknown length encoding 0x{b:x2}");
            }
            default:
                encoded = true;
                return (ulong)(b & 0x3F);
        }
    }

    /// <summary>rdbGenericLoadStringObject: raw, integer-encoded or LZF-compressed bytes.</summary>
    public byte[] ReadString()
    {
        ulong len = ReadLength(out bool encoded);
        if (!encoded) return ReadBytes(len);
        switch (len)
        {
            case 0: return Format((sbyte)ReadByte());
            case 1:
            {
                Span<byte> b = stackalloc byte[2];
                ReadExactly(b);
                return Format(BinaryPrimitives.ReadInt16LittleEndian(b));
            }
            case 2: return Format(ReadInt32LittleEndian());
            case 3:
            {
                long at = Offset;
                ulong compressed = ReadLength();
                ulong original = ReadLength();
                if (original > int.MaxValue - 64) throw Error($"compressed string of {original} bytes is too long");
                var packed = ReadBytes(compressed);
                var result = new byte[original];
                if (!Lzf.TryDecompress(packed, result)) throw new RdbFormatException("invalid LZF compressed string", at);
                return result;
            }
            default:
                throw Error($"unknown string encoding {len}");
        }
    }

    /// <summary>rdbLoadDoubleValue: the text form of old ZSET entries (253 nan, 254 +inf, 255 -inf).</summary>
    public double ReadStringDouble()
    {
        byte len = ReadByte();
        switch (len)
        {
            case 253: return double.NaN;
            case 254: return double.PositiveInfinity;
            case 255: return double.NegativeInfinity;
        }
        Span<byte> buf = stackalloc byte[len];
        ReadExactly(buf);
        if (!double.TryParse(Encoding.ASCII.GetString(buf), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            throw Error("bad double value");
        return d;
    }

    private static byte[] Format(long v) => Magpie.Protocol.RedisNumbers.FormatInt64(v);

    private void FoldChecksum()
    {
        if (!_crc) return;
        if (_pos > _crcPos) _checksum = Crc64.Compute(_buffer.AsSpan(_crcPos, _pos - _crcPos), _checksum);
        _crcPos = _pos;
    }

    private bool Fill(int atLeast)
    {
        FoldChecksum();
        // Keep unread bytes, move them to the front.
        int unread = _end - _pos;
        if (unread > 0) Buffer.BlockCopy(_buffer, _pos, _buffer, 0, unread);
        _bufferStart += _pos;
        _pos = 0;
        _crcPos = 0;
        _end = unread;
        while (_end < atLeast)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n <= 0) return _end >= atLeast;
            _end += n;
        }
        return true;
    }
}
