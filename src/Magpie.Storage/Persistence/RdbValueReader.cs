using System.Globalization;
using System.Text;
using Magpie.Protocol;
using Magpie.Storage.Values;

namespace Magpie.Storage.Persistence;

/// <summary>
/// Reads a value of any RDB type redis-server 7.0.15 writes or still loads into Magpie's own value
/// types: strings; lists as plain lists, ziplists, quicklists of ziplists or listpacks; sets as plain
/// sets, intsets or listpacks; zsets as plain (text or binary scores), ziplists or listpacks; hashes as
/// plain hashes, zipmaps, ziplists or listpacks; streams (types 15, 19, 21). Types Magpie lacks (modules) are refused with
/// an error that names the type and the key.
/// </summary>
public static class RdbValueReader
{
    /// <summary>
    /// Reads the value of RDB type <paramref name="type"/>. Returns null for an empty collection,
    /// which Redis skips too. <paramref name="key"/> only names the key in error messages.
    /// </summary>
    public static object? Read(RdbReader r, byte type, ReadOnlySpan<byte> key)
    {
        long start = r.Offset;
        try
        {
            switch (type)
            {
                case RdbType.String:
                    return r.ReadString();
                case RdbType.List:
                    return ReadPlainList(r);
                case RdbType.ListZiplist:
                    return ToList(LegacyEncodings.ReadZiplist(r.ReadString()));
                case RdbType.ListQuicklist:
                case RdbType.ListQuicklist2:
                    return ReadQuicklist(r, type == RdbType.ListQuicklist2);
                case RdbType.Set:
                    return ReadPlainSet(r);
                case RdbType.SetIntset:
                    return ReadIntset(r);
                case RdbType.SetListpack:
                    return ReadListpackSet(r);
                case RdbType.ZSet:
                case RdbType.ZSet2:
                    return ReadPlainZSet(r, binaryScores: type == RdbType.ZSet2);
                case RdbType.ZSetZiplist:
                    return ToZSet(LegacyEncodings.ReadZiplist(r.ReadString()), r, start);
                case RdbType.ZSetListpack:
                    return ToZSet(ReadListpackItems(r.ReadString()), r, start);
                case RdbType.Hash:
                    return ReadPlainHash(r);
                case RdbType.HashZipmap:
                {
                    var hash = new RedisHash();
                    foreach (var (f, v) in LegacyEncodings.ReadZipmap(r.ReadString()))
                        if (!hash.Set(f, v)) throw new RdbFormatException("duplicate hash field in zipmap", start);
                    return hash.Count == 0 ? null : hash;
                }
                case RdbType.HashZiplist:
                    return ToHash(LegacyEncodings.ReadZiplist(r.ReadString()), start);
                case RdbType.HashListpack:
                    return ToHash(ReadListpackItems(r.ReadString()), start);
                case RdbType.StreamListpacks:
                case RdbType.StreamListpacks2:
                case RdbType.StreamListpacks3:
                    return RdbStreamCodec.Read(r, type);
                case RdbType.ModulePreGa:
                case RdbType.Module2:
                {
                    ulong moduleId = r.ReadLength();
                    throw new RdbFormatException(
                        $"key '{KeyText(key)}' holds a value of module type '{ModuleTypeName(moduleId)}' (RDB type {type}); Magpie has no modules",
                        start);
                }
                default:
                    if (RdbValueCodecs.Find(type) is { } codec) return codec.Read(r, type);
                    throw new RdbFormatException($"key '{KeyText(key)}' has unknown RDB value type {type}", start);
            }
        }
        catch (FormatException ex)
        {
            throw new RdbFormatException($"bad {RdbType.Describe(type)} value for key '{KeyText(key)}': {ex.Message}", start);
        }
    }

    /// <summary>True for a byte that is an RDB value type (not an opcode).</summary>
    public static bool IsValueType(byte type) => type <= RdbType.StreamListpacks3 && type != 8;

    /// <summary>A key as printable text for messages (non-printable bytes as \xNN).</summary>
    public static string KeyText(ReadOnlySpan<byte> key)
    {
        var sb = new StringBuilder(Math.Min(key.Length, 128) + 8);
        foreach (var b in key[..Math.Min(key.Length, 128)])
        {
            if (b >= 0x20 && b < 0x7F && b != '\\' && b != '\'') sb.Append((char)b);
            else sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        if (key.Length > 128) sb.Append("...");
        return sb.ToString();
    }

    /// <summary>moduleTypeNameByID: the 9-character module type name packed in a module id.</summary>
    public static string ModuleTypeName(ulong moduleId)
    {
        const string Charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var name = new char[9];
        moduleId >>= 10;
        for (int j = 8; j >= 0; j--)
        {
            name[j] = Charset[(int)(moduleId & 63)];
            moduleId >>= 6;
        }
        return new string(name);
    }

    private static RedisList? ReadPlainList(RdbReader r)
    {
        int count = r.ReadCount();
        var list = new RedisList(Math.Min(count, 1024));
        for (int i = 0; i < count; i++) list.PushTail(r.ReadString());
        return list.Count == 0 ? null : list;
    }

    private static RedisList? ReadQuicklist(RdbReader r, bool version2)
    {
        int nodes = r.ReadCount();
        var list = new RedisList();
        for (int n = 0; n < nodes; n++)
        {
            ulong container = 2;
            if (version2)
            {
                container = r.ReadLength();
                if (container is not (1 or 2)) throw r.Error($"bad quicklist node container {container}");
            }
            var blob = r.ReadString();
            if (container == 1)
            {
                list.PushTail(blob);
                continue;
            }
            if (version2)
            {
                var lp = new ListpackReader(blob);
                while (lp.TryNext(out byte[] item)) list.PushTail(item);
            }
            else
            {
                foreach (var item in LegacyEncodings.ReadZiplist(blob)) list.PushTail(item);
            }
        }
        return list.Count == 0 ? null : list;
    }

    private static RedisList? ToList(List<byte[]> items)
    {
        if (items.Count == 0) return null;
        var list = new RedisList(items.Count);
        foreach (var item in items) list.PushTail(item);
        return list;
    }

    private static RedisSet? ReadPlainSet(RdbReader r)
    {
        int count = r.ReadCount();
        var set = new RedisSet();
        for (int i = 0; i < count; i++)
        {
            long at = r.Offset;
            if (!set.Add(r.ReadString())) throw new RdbFormatException("duplicate set member", at);
        }
        return set.Count == 0 ? null : set;
    }

    private static RedisSet? ReadIntset(RdbReader r)
    {
        var ints = LegacyEncodings.ReadIntset(r.ReadString());
        var set = new RedisSet();
        Span<byte> digits = stackalloc byte[20];
        foreach (var v in ints) set.Add(digits[..RedisNumbers.FormatInt64(v, digits)]);
        return set.Count == 0 ? null : set;
    }

    private static RedisSet? ReadListpackSet(RdbReader r)
    {
        long at = r.Offset;
        var set = new RedisSet();
        foreach (var item in ReadListpackItems(r.ReadString()))
            if (!set.Add(item)) throw new RdbFormatException("duplicate set member in listpack", at);
        return set.Count == 0 ? null : set;
    }

    private static RedisSortedSet? ReadPlainZSet(RdbReader r, bool binaryScores)
    {
        int count = r.ReadCount();
        var zset = new RedisSortedSet();
        for (int i = 0; i < count; i++)
        {
            long at = r.Offset;
            var member = r.ReadString();
            double score = binaryScores ? r.ReadBinaryDouble() : r.ReadStringDouble();
            if (double.IsNaN(score)) throw new RdbFormatException("zset score is NaN", at);
            if (!zset.Set(member, score)) throw new RdbFormatException("duplicate zset member", at);
        }
        return zset.Count == 0 ? null : zset;
    }

    private static RedisSortedSet? ToZSet(List<byte[]> items, RdbReader r, long at)
    {
        if (items.Count % 2 != 0) throw new RdbFormatException("zset blob has an odd number of entries", at);
        var zset = new RedisSortedSet();
        for (int i = 0; i < items.Count; i += 2)
        {
            if (!RedisNumbers.TryParseDouble(items[i + 1], out double score) || double.IsNaN(score))
                throw new RdbFormatException("zset blob has a score that is not a number", at);
            if (!zset.Set(items[i], score)) throw new RdbFormatException("duplicate zset member", at);
        }
        return zset.Count == 0 ? null : zset;
    }

    private static RedisHash? ReadPlainHash(RdbReader r)
    {
        int count = r.ReadCount();
        var hash = new RedisHash(Math.Min(count, 1024));
        for (int i = 0; i < count; i++)
        {
            long at = r.Offset;
            var field = r.ReadString();
            var value = r.ReadString();
            if (!hash.Set(field, value)) throw new RdbFormatException("duplicate hash field", at);
        }
        return hash.Count == 0 ? null : hash;
    }

    private static RedisHash? ToHash(List<byte[]> items, long at)
    {
        if (items.Count % 2 != 0) throw new RdbFormatException("hash blob has an odd number of entries", at);
        var hash = new RedisHash(Math.Max(items.Count / 2, 1));
        for (int i = 0; i < items.Count; i += 2)
            if (!hash.Set(items[i], items[i + 1])) throw new RdbFormatException("duplicate hash field", at);
        return hash.Count == 0 ? null : hash;
    }

    private static List<byte[]> ReadListpackItems(byte[] blob)
    {
        var items = new List<byte[]>();
        var lp = new ListpackReader(blob);
        while (lp.TryNext(out byte[] item)) items.Add(item);
        return items;
    }
}
