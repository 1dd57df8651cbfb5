namespace Magpie.Protocol;

/// <summary>Redis Cluster key placement: CRC16 (XMODEM) of the key, or of its {hash tag}, mod 16384.</summary>
public static class HashSlot
{
    public const int Count = 16384;

    public static int Of(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            int close = key[(open + 1)..].IndexOf((byte)'}');
            // Only a non-empty tag counts: "{}" hashes the whole key, as in Redis.
            if (close > 0) key = key.Slice(open + 1, close);
        }
        return Crc16(key) & (Count - 1);
    }

    public static int Of(string key) => Of(System.Text.Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// CRC16-XMODEM, four bytes per step ("slicing by 4"): the four table loads don't depend on each
    /// other, which is several times faster than the byte-at-a-time chain on typical keys.
    /// </summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        var t0 = Tables[0];
        var t1 = Tables[1];
        var t2 = Tables[2];
        var t3 = Tables[3];
        while (data.Length >= 4)
        {
            // XOR the register into the first two bytes, then the CRC of the four bytes from a zero register.
            uint b0 = data[0] ^ (crc >> 8);
            uint b1 = data[1] ^ (crc & 0xff);
            crc = (uint)(t3[b0] ^ t2[b1] ^ t1[data[2]] ^ t0[data[3]]);
            data = data[4..];
        }
        foreach (byte b in data)
            crc = ((crc << 8) ^ t0[((crc >> 8) ^ b) & 0xff]) & 0xffff;
        return (ushort)crc;
    }

    // Tables[k][b]: the CRC of byte b followed by k zero bytes, from a zero register.
    private static readonly ushort[][] Tables = BuildTables();

    private static ushort[][] BuildTables()
    {
        var tables = new ushort[4][];
        tables[0] = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            ushort crc = (ushort)(i << 8);
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            tables[0][i] = crc;
        }
        for (int k = 1; k < 4; k++)
        {
            tables[k] = new ushort[256];
            for (int i = 0; i < 256; i++)
            {
                ushort previous = tables[k - 1][i];
                tables[k][i] = (ushort)((previous << 8) ^ tables[0][previous >> 8]);
            }
        }
        return tables;
    }
}
