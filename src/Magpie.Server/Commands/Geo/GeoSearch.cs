using Magpie.Storage.Values;

namespace Magpie.Server.Commands.Geo;

/// <summary>
/// GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH and GEOSEARCHSTORE: Redis's
/// georadiusGeneric, scanning the nine geohash cells around the centre in Redis's order.
/// </summary>
internal static class GeoSearch
{
    [Flags]
    public enum Mode
    {
        RadiusCoords = 1,
        RadiusMember = 2,
        Search = 4,
        SearchStore = 8,
        NoStore = 16,
    }

    private enum Sort { None, Asc, Desc }

    private struct Point
    {
        public double Longitude, Latitude, Distance, Score;
        public byte[] Member;
    }

    public static void Run(CommandContext ctx, int srcKeyIndex, Mode flags)
    {
        byte[]? storeKey = null;
        bool storeDist = false;
        if (!GeoCommands.TryGetSet(ctx, ctx.Arg(srcKeyIndex), out var set)) return;

        int baseArgs;
        var shape = new GeoShape();
        if ((flags & Mode.RadiusCoords) != 0)
        {
            baseArgs = 6;
            if (!GeoCommands.TryExtractLongLat(ctx, 2, out shape.Longitude, out shape.Latitude)) return;
            if (!TryExtractDistance(ctx, baseArgs - 2, ref shape)) return;
        }
        else if ((flags & Mode.RadiusMember) != 0 && set is null)
        {
            baseArgs = 5;
        }
        else if ((flags & Mode.RadiusMember) != 0)
        {
            baseArgs = 5;
            if (!FromMember(set!, ctx.Arg(2), ref shape))
            {
                ctx.Error("ERR could not decode requested zset member");
                return;
            }
            if (!TryExtractDistance(ctx, baseArgs - 2, ref shape)) return;
        }
        else
        {
            baseArgs = 2;
            if ((flags & Mode.SearchStore) != 0)
            {
                baseArgs = 3;
                storeKey = ctx.ArgBytes(1);
            }
        }

        bool withDist = false, withHash = false, withCoords = false, fromMember = false, fromLoc = false, byRadius = false, byBox = false, any = false;
        var sort = Sort.None;
        long count = 0;
        bool search = (flags & Mode.Search) != 0;
        int remaining = ctx.ArgCount - baseArgs;
        for (int i = 0; i < remaining; i++)
        {
            int a = baseArgs + i;
            if (ctx.ArgIs(a, "withdist"u8)) withDist = true;
            else if (ctx.ArgIs(a, "withhash"u8)) withHash = true;
            else if (ctx.ArgIs(a, "withcoord"u8)) withCoords = true;
            else if (ctx.ArgIs(a, "any"u8)) any = true;
            else if (ctx.ArgIs(a, "asc"u8)) sort = Sort.Asc;
            else if (ctx.ArgIs(a, "desc"u8)) sort = Sort.Desc;
            else if (ctx.ArgIs(a, "count"u8) && i + 1 < remaining)
            {
                if (!ctx.TryGetInt64(a + 1, out count)) return;
                if (count <= 0)
                {
                    ctx.Error("ERR COUNT must be > 0");
                    return;
                }
                i++;
            }
            else if (ctx.ArgIs(a, "store"u8) && i + 1 < remaining && (flags & Mode.NoStore) == 0 && !search)
            {
                storeKey = ctx.ArgBytes(a + 1);
                storeDist = false;
                i++;
            }
            else if (ctx.ArgIs(a, "storedist"u8) && i + 1 < remaining && (flags & Mode.NoStore) == 0 && !search)
            {
                storeKey = ctx.ArgBytes(a + 1);
                storeDist = true;
                i++;
            }
            else if (ctx.ArgIs(a, "storedist"u8) && search && (flags & Mode.SearchStore) != 0)
            {
                storeDist = true;
            }
            else if (ctx.ArgIs(a, "frommember"u8) && i + 1 < remaining && search && !fromLoc)
            {
                if (set is not null && !FromMember(set, ctx.Arg(a + 1), ref shape))
                {
                    ctx.Error("ERR could not decode requested zset member");
                    return;
                }
                fromMember = true;
                i++;
            }
            else if (ctx.ArgIs(a, "fromlonlat"u8) && i + 2 < remaining && search && !fromMember)
            {
                if (!GeoCommands.TryExtractLongLat(ctx, a + 1, out shape.Longitude, out shape.Latitude)) return;
                fromLoc = true;
                i += 2;
            }
            else if (ctx.ArgIs(a, "byradius"u8) && i + 2 < remaining && search && !byBox)
            {
                if (!TryExtractDistance(ctx, a + 1, ref shape)) return;
                shape.IsBox = false;
                byRadius = true;
                i += 2;
            }
            else if (ctx.ArgIs(a, "bybox"u8) && i + 3 < remaining && search && !byRadius)
            {
                if (!TryExtractBox(ctx, a + 1, ref shape)) return;
                shape.IsBox = true;
                byBox = true;
                i += 3;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }

        if (storeKey is not null && (withDist || withHash || withCoords))
        {
            ctx.Error((flags & Mode.SearchStore) != 0
                ? "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
                : "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
            return;
        }
        if (search && !(fromMember || fromLoc))
        {
            ctx.Error($"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {ctx.ArgString(0)}");
            return;
        }
        if (search && !(byRadius || byBox))
        {
            ctx.Error($"ERR exactly one of BYRADIUS and BYBOX can be specified for {ctx.ArgString(0)}");
            return;
        }
        if (any && count == 0)
        {
            ctx.Error("ERR the ANY argument requires COUNT argument");
            return;
        }
        if (set is null)
        {
            if (storeKey is not null)
            {
                ctx.Reply.WriteInteger(0);
                ctx.Db.Remove(storeKey);
            }
            else ctx.Reply.WriteArrayHeader(0);
            return;
        }
        if (count != 0 && sort == Sort.None && !any) sort = Sort.Asc;

        var areas = GeoHash.AreasByShape(ref shape);
        var found = new List<Point>();
        long limit = any ? count : 0;
        int lastProcessed = 0;
        for (int i = 0; i < areas.Length; i++)
        {
            if (areas[i].IsZero) continue;
            if (lastProcessed != 0 && areas[i] == areas[lastProcessed]) continue;
            if (found.Count > 0 && limit > 0 && found.Count >= limit) break;
            PointsInBox(set, areas[i], in shape, found, limit);
            lastProcessed = i;
        }

        if (found.Count == 0 && storeKey is null)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        int resultLength = found.Count;
        int returned = count == 0 || resultLength < count ? resultLength : (int)count;
        var points = found.ToArray();
        // Redis's qsort on glibc is a merge sort: equal distances keep the scan order.
        if (sort != Sort.None) SortStable(points, found, sort);

        if (storeKey is null)
        {
            int options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
            ctx.Reply.WriteArrayHeader(returned);
            for (int i = 0; i < returned; i++)
            {
                ref var p = ref points[i];
                p.Distance /= shape.Conversion;
                if (options > 0) ctx.Reply.WriteArrayHeader(options + 1);
                ctx.Reply.WriteBulk(p.Member);
                if (withDist) GeoCommands.WriteDistance(ctx.Reply, p.Distance);
                if (withHash) ctx.Reply.WriteInteger((long)p.Score);
                if (withCoords)
                {
                    ctx.Reply.WriteArrayHeader(2);
                    GeoCommands.WriteCoordinate(ctx.Reply, p.Longitude);
                    GeoCommands.WriteCoordinate(ctx.Reply, p.Latitude);
                }
            }
            return;
        }

        var existing = ctx.Db.GetForWrite(storeKey);
        if (existing is not null) ctx.Db.Remove(existing);
        if (returned > 0)
        {
            var result = new RedisSortedSet();
            for (int i = 0; i < returned; i++)
            {
                ref var p = ref points[i];
                p.Distance /= shape.Conversion;
                result.Set(p.Member, storeDist ? p.Distance : p.Score);
            }
            ctx.Db.Add(storeKey, result);
        }
        ctx.Reply.WriteInteger(returned);
    }

    // By distance; equal distances in the order they were found.
    private static void SortStable(Point[] points, List<Point> found, Sort sort)
    {
        var order = new Dictionary<byte[], int>(found.Count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < found.Count; i++) order[found[i].Member] = i;
        Comparison<Point> cmp = sort == Sort.Asc
            ? (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : order[a.Member].CompareTo(order[b.Member])
            : (a, b) => a.Distance != b.Distance ? b.Distance.CompareTo(a.Distance) : order[a.Member].CompareTo(order[b.Member]);
        Array.Sort(points, cmp);
    }

    private static bool FromMember(RedisSortedSet set, ReadOnlySpan<byte> member, ref GeoShape shape) =>
        set.TryGetScore(member, out double score) && GeoHash.DecodeScore(score, out shape.Longitude, out shape.Latitude);

    private static bool TryExtractDistance(CommandContext ctx, int index, ref GeoShape shape)
    {
        if (!Magpie.Protocol.RedisNumbers.TryParseDouble(ctx.Arg(index), out double distance))
        {
            ctx.Error("ERR need numeric radius");
            return false;
        }
        if (distance < 0)
        {
            ctx.Error("ERR radius cannot be negative");
            return false;
        }
        shape.Radius = distance;
        double toMeters = GeoCommands.ExtractUnit(ctx, index + 1);
        if (toMeters < 0) return false;
        shape.Conversion = toMeters;
        return true;
    }

    private static bool TryExtractBox(CommandContext ctx, int index, ref GeoShape shape)
    {
        if (!Magpie.Protocol.RedisNumbers.TryParseDouble(ctx.Arg(index), out double w))
        {
            ctx.Error("ERR need numeric width");
            return false;
        }
        if (!Magpie.Protocol.RedisNumbers.TryParseDouble(ctx.Arg(index + 1), out double h))
        {
            ctx.Error("ERR need numeric height");
            return false;
        }
        if (h < 0 || w < 0)
        {
            ctx.Error("ERR height or width cannot be negative");
            return false;
        }
        shape.Width = w;
        shape.Height = h;
        double toMeters = GeoCommands.ExtractUnit(ctx, index + 2);
        if (toMeters < 0) return false;
        shape.Conversion = toMeters;
        return true;
    }

    // geoGetPointsInRange: members with min <= score < max, in score order.
    private static void PointsInBox(RedisSortedSet set, GeoHashBits hash, in GeoShape shape, List<Point> found, long limit)
    {
        double min = GeoHash.Align52(hash);
        double max = GeoHash.Align52(hash with { Bits = hash.Bits + 1 });
        long start = set.CountBelow(min, inclusive: false);
        long end = set.CountBelow(max, inclusive: false);
        if (end <= start) return;
        var range = set.Range(start, end - start, reverse: false);
        while (range.MoveNext())
        {
            var e = range.Current;
            if (GeoHash.DecodeScore(e.Score, out double lon, out double lat) && GeoHash.Within(in shape, lon, lat, out double distance))
                found.Add(new Point { Longitude = lon, Latitude = lat, Distance = distance, Score = e.Score, Member = e.Member });
            if (found.Count > 0 && limit > 0 && found.Count >= limit) break;
        }
    }
}
