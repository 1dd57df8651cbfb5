using System.Buffers.Binary;

namespace Magpie.Client.Caching;

/// <summary>
/// How a remote level stores an item: a version byte, the fresh-until time (Unix ms, little endian),
/// then the payload. The key's TTL in the server is the stale-until time, so fail-safe values survive
/// expiry for as long as they may be served.
/// </summary>
internal static class CacheItemCodec
{
    private const byte Version = 1;
    private const int HeaderSize = 9;

    public static byte[] Encode(CacheItem item)
    {
        var payload = item.Payload ?? [];
        var bytes = new byte[HeaderSize + payload.Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), item.ExpiresAt.ToUnixTimeMilliseconds());
        payload.CopyTo(bytes, HeaderSize);
        return bytes;
    }

    /// <summary>Null when the bytes are not an item of ours (e.g. a key written by something else).</summary>
    public static CacheItem? Decode(ReadOnlySpan<byte> bytes, TimeSpan? remainingTtl, DateTimeOffset now)
    {
        if (bytes.Length < HeaderSize || bytes[0] != Version) return null;
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]));
        var staleUntil = remainingTtl is { } ttl ? now + ttl : expiresAt;
        var payload = bytes[HeaderSize..].ToArray();
        return new CacheItem(null, payload, expiresAt, staleUntil, payload.Length);
    }
}
