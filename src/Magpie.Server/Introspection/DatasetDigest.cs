using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Magpie.Protocol;
using Magpie.Storage;
using Magpie.Storage.Values;

namespace Magpie.Server.Introspection;

/// <summary>
/// DEBUG DIGEST and DIGEST-VALUE with Redis's algorithm (debug.c): SHA1 mixing for ordered data,
/// XOR for unordered data, so the same dataset gives the same hex on Magpie and on redis-server.
/// </summary>
public static class DatasetDigest
{
    public static byte[] Dataset(Keyspace keyspace)
    {
        var final = new byte[20];
        Span<byte> aux = stackalloc byte[4];
        for (int j = 0; j < keyspace.DatabaseCount; j++)
        {
            var db = keyspace[j];
            if (db.Count == 0) continue;
            BinaryPrimitives.WriteUInt32BigEndian(aux, (uint)j);
            Mix(final, aux);
            foreach (var entry in db.AllEntries())
            {
                var digest = new byte[20];
                Mix(digest, entry.Key);
                Value(digest, entry);
                XorHash(final, digest);
            }
        }
        return final;
    }

    /// <summary>xorObjectDigest: the type, the value, and "!!expire!!" when the key has a TTL.</summary>
    public static void Value(byte[] digest, Entry entry)
    {
        Span<byte> aux = stackalloc byte[4];
        var value = entry.Value;
        BinaryPrimitives.WriteUInt32BigEndian(aux, TypeCode(entry.Type));
        Mix(digest, aux);
        switch (value)
        {
            case byte[] s:
                Mix(digest, s);
                break;
            case RedisList list:
                for (int i = 0; i < list.Length; i++) Mix(digest, list[i]);
                break;
            case RedisSet set:
                foreach (var m in set.EnumerateMembers()) XorHash(digest, m);
                break;
            case RedisSortedSet zset:
            {
                Span<byte> buf = stackalloc byte[64];
                for (long r = 0; r < zset.Count; r++)
                {
                    var e = zset.ElementAt(r);
                    var ele = new byte[20];
                    Mix(ele, e.Member);
                    int n = RedisNumbers.FormatDouble17(e.Score, buf);
                    Mix(ele, buf[..n]);
                    XorHash(digest, ele);
                }
                break;
            }
            case RedisHash hash:
                for (int i = 0; i < hash.Count; i++)
                {
                    var ele = new byte[20];
                    Mix(ele, hash.FieldAt(i));
                    Mix(ele, hash.ValueAt(i));
                    XorHash(digest, ele);
                }
                break;
            case RedisStream stream:
                foreach (var (id, fields) in stream.Entries.Ascending(RedisStreamId.Min, RedisStreamId.Max))
                {
                    Mix(digest, Encoding.ASCII.GetBytes($"{id.Ms}.{id.Seq}"));
                    foreach (var f in fields) Mix(digest, f);
                }
                break;
        }
        if (entry.ExpireAt != 0) XorHash(digest, "!!expire!!"u8);
    }

    private static uint TypeCode(RedisType type) => type switch
    {
        RedisType.String => 0,
        RedisType.List => 1,
        RedisType.Set => 2,
        RedisType.ZSet => 3,
        RedisType.Hash => 4,
        _ => 6, // stream
    };

    public static string Hex(byte[] digest) => Convert.ToHexStringLower(digest);

    /// <summary>xorDigest: digest ^= SHA1(data).</summary>
    private static void XorHash(byte[] digest, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(data, hash);
        for (int j = 0; j < 20; j++) digest[j] ^= hash[j];
    }

    /// <summary>mixDigest: digest = SHA1(digest ^ SHA1(data)).</summary>
    private static void Mix(byte[] digest, ReadOnlySpan<byte> data)
    {
        XorHash(digest, data);
        Span<byte> next = stackalloc byte[20];
        SHA1.HashData(digest, next);
        next.CopyTo(digest);
    }
}
