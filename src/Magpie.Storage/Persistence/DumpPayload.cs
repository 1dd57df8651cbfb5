using System.Buffers;
using System.Buffers.Binary;

namespace Magpie.Storage.Persistence;

/// <summary>
/// Redis's DUMP payload: the value's RDB type byte and body, the RDB version (2 bytes, little
/// endian) and the CRC-64 of everything before it (8 bytes, little endian). RESTORE, MIGRATE and
/// replication all move values in this form.
/// </summary>
public static class DumpPayload
{
    private const string BadPayload = "DUMP payload version or checksum are wrong";

    /// <summary>The payload for a value (a byte[] string or an <see cref="IRedisValue"/>).</summary>
    public static byte[] Create(object value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        RdbValueWriter.WriteObject(buffer, value);
        var span = buffer.GetSpan(10);
        BinaryPrimitives.WriteUInt16LittleEndian(span, RdbFormat.Version);
        buffer.Advance(2);
        ulong crc = Crc64.Compute(buffer.WrittenSpan);
        span = buffer.GetSpan(8);
        BinaryPrimitives.WriteUInt64LittleEndian(span, crc);
        buffer.Advance(8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>True when the footer holds a version Magpie reads and a matching checksum (verifyDumpPayload).</summary>
    public static bool IsValid(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 10) return false;
        var footer = payload[^10..];
        int version = BinaryPrimitives.ReadUInt16LittleEndian(footer);
        if (version > RdbFormat.Version) return false;
        ulong crc = Crc64.Compute(payload[..^8]);
        return crc == BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]);
    }

    /// <summary>
    /// Reads a payload. On failure <paramref name="error"/> is the message without the "ERR " prefix:
    /// "DUMP payload version or checksum are wrong", "Bad data format", or a message naming an
    /// unsupported type.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out object value, out string? error) =>
        TryRead(payload, "(payload)"u8, out value, out error);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, out object, out string?)"/>, naming <paramref name="key"/> in errors.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, out object value, out string? error)
    {
        value = null!;
        if (!IsValid(payload))
        {
            error = BadPayload;
            return false;
        }
        var body = payload[..^10].ToArray();
        try
        {
            var reader = new RdbReader(new MemoryStream(body, writable: false), bufferSize: Math.Clamp(body.Length, 16, 1 << 16));
            byte type = reader.ReadByte();
            var result = RdbValueReader.Read(reader, type, key);
            if (result is null)
            {
                error = "Bad data format";
                return false;
            }
            value = result;
            error = null;
            return true;
        }
        catch (RdbFormatException ex) when (ex.Message.Contains("Magpie", StringComparison.Ordinal))
        {
            error = "Bad data format: " + ex.Message;
            return false;
        }
        catch (RdbFormatException)
        {
            error = "Bad data format";
            return false;
        }
    }
}
