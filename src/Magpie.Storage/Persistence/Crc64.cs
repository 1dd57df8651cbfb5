namespace Magpie.Storage.Persistence;

/// <summary>
/// Redis's CRC-64 (crc64.c): the Jones polynomial 0xad93d23594c935a9, reflected input and output,
/// initial value 0, no final xor. It is the checksum of RDB files and DUMP payloads.
/// crc64("123456789") = 0xe9c6d914c4b8d9ca.
/// </summary>
public static class Crc64
{
    // Slicing-by-8 tables for the reflected polynomial (bit-reversed Jones: 0x95ac9329ac4bc9b5).
    private static readonly ulong[][] Tables = BuildTables();

    public static ulong Compute(ReadOnlySpan<byte> data, ulong crc = 0)
    {
        var t = Tables;
        var t0 = t[0];
        int i = 0;
        while (data.Length - i >= 8)
        {
            crc ^= System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8));
            crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^ t[5][(crc >> 16) & 0xff] ^ t[4][(crc >> 24) & 0xff] ^
                  t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^ t[1][(crc >> 48) & 0xff] ^ t0[crc >> 56];
            i += 8;
        }
        for (; i < data.Length; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
        return crc;
    }

    private static ulong[][] BuildTables()
    {
        const ulong Reflected = 0x95ac9329ac4bc9b5UL;
        var tables = new ulong[8][];
        for (int k = 0; k < 8; k++) tables[k] = new ulong[256];
        for (uint n = 0; n < 256; n++)
        {
            ulong c = n;
            for (int b = 0; b < 8; b++) c = (c & 1) != 0 ? (c >> 1) ^ Reflected : c >> 1;
            tables[0][n] = c;
        }
        for (int n = 0; n < 256; n++)
        {
            ulong c = tables[0][n];
            for (int k = 1; k < 8; k++)
            {
                c = tables[0][c & 0xff] ^ (c >> 8);
                tables[k][n] = c;
            }
        }
        return tables;
    }
}
