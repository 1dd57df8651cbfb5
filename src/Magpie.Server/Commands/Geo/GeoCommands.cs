using System.Globalization;
using Magpie.Protocol;
using Magpie.Storage;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands.Geo;

/// <summary>The GEO commands (Redis's geo.c) on sorted sets whose scores are 52-bit geohashes.</summary>
public static class GeoCommands
{
    private const string G = "geo";
    private const string Unit = "ERR unsupported unit provided. please use M, KM, FT, MI";

    public static void Register(CommandTable t)
    {
        const string searchComplexity = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";
        t.Add(new() { Name = "geoadd", Arity = -5, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GeoAdd, Group = "geo", Summary = "Add one or more geospatial items in the geospatial index represented using a sorted set", Since = "3.2.0", Complexity = "O(log(N)) for each item added, where N is the number of elements in the sorted set.", Acl = "@write @geo @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Update) { Index = 1 }], History = [("6.2.0", "Added the `CH`, `NX` and `XX` options.")] });
        t.Add(new() { Name = "geodist", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GeoDist, Group = "geo", Summary = "Returns the distance between two members of a geospatial index", Since = "3.2.0", Complexity = "O(log(N))", Acl = "@read @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }] });
        t.Add(new() { Name = "geohash", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GeoHashCommand, Group = "geo", Summary = "Returns members of a geospatial index as standard geohash strings", Since = "3.2.0", Complexity = "O(log(N)) for each member requested, where N is the number of elements in the sorted set.", Acl = "@read @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }] });
        t.Add(new() { Name = "geopos", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GeoPos, Group = "geo", Summary = "Returns longitude and latitude of members of a geospatial index", Since = "3.2.0", Complexity = "O(N) where N is the number of members requested.", Acl = "@read @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }] });
        t.Add(new() { Name = "georadius", Arity = -6, Flags = Write | DenyOom | MovableKeys, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => GeoSearch.Run(ctx, 1, GeoSearch.Mode.RadiusCoords), Group = "geo", Summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", Since = "3.2.0", Complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", Acl = "@write @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }, new(KeySpecFlags.OW | KeySpecFlags.Update) { Keyword = "STORE", StartFrom = 6 }, new(KeySpecFlags.OW | KeySpecFlags.Update) { Keyword = "STOREDIST", StartFrom = 6 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument", History = [("6.2.0", "Added the `ANY` option for `COUNT`."), ("7.0.0", "Added support for uppercase unit names.")] });
        t.Add(new() { Name = "georadius_ro", Arity = -6, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => GeoSearch.Run(ctx, 1, GeoSearch.Mode.RadiusCoords | GeoSearch.Mode.NoStore), Group = "geo", Summary = "A read-only variant for GEORADIUS", Since = "3.2.10", Complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", Acl = "@read @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`GEOSEARCH` with the `BYRADIUS` argument", History = [("6.2.0", "Added the `ANY` option for `COUNT`.")] });
        t.Add(new() { Name = "georadiusbymember", Arity = -5, Flags = Write | DenyOom | MovableKeys, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => GeoSearch.Run(ctx, 1, GeoSearch.Mode.RadiusMember), Group = "geo", Summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", Since = "3.2.0", Complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", Acl = "@write @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }, new(KeySpecFlags.OW | KeySpecFlags.Update) { Keyword = "STORE", StartFrom = 5 }, new(KeySpecFlags.OW | KeySpecFlags.Update) { Keyword = "STOREDIST", StartFrom = 5 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments", History = [("7.0.0", "Added support for uppercase unit names.")] });
        t.Add(new() { Name = "georadiusbymember_ro", Arity = -5, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => GeoSearch.Run(ctx, 1, GeoSearch.Mode.RadiusMember | GeoSearch.Mode.NoStore), Group = "geo", Summary = "A read-only variant for GEORADIUSBYMEMBER", Since = "3.2.10", Complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", Acl = "@read @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments" });
        t.Add(new() { Name = "geosearch", Arity = -7, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => GeoSearch.Run(ctx, 1, GeoSearch.Mode.Search), Group = "geo", Summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", Since = "6.2.0", Complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape", Acl = "@read @geo @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], History = [("7.0.0", "Added support for uppercase unit names.")] });
        t.Add(new() { Name = "geosearchstore", Arity = -8, Flags = Write | DenyOom, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = ctx => GeoSearch.Run(ctx, 2, GeoSearch.Mode.Search | GeoSearch.Mode.SearchStore), Group = "geo", Summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", Since = "6.2.0", Complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape", Acl = "@write @geo @slow", Keys = [new(KeySpecFlags.OW | KeySpecFlags.Update) { Index = 1 }, new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 2 }], History = [("7.0.0", "Added support for uppercase unit names.")] });
    }

    /// <summary>extractUnitOrReply: meters per unit, or -1 with the error written.</summary>
    internal static double ExtractUnit(CommandContext ctx, int index)
    {
        if (ctx.ArgIs(index, "m"u8)) return 1;
        if (ctx.ArgIs(index, "km"u8)) return 1000;
        if (ctx.ArgIs(index, "ft"u8)) return 0.3048;
        if (ctx.ArgIs(index, "mi"u8)) return 1609.34;
        ctx.Error(Unit);
        return -1;
    }

    /// <summary>extractLongLatOrReply.</summary>
    internal static bool TryExtractLongLat(CommandContext ctx, int index, out double longitude, out double latitude)
    {
        latitude = 0;
        if (!ctx.TryGetDouble(index, out longitude) || !ctx.TryGetDouble(index + 1, out latitude)) return false;
        if (longitude < GeoHash.LongitudeMin || longitude > GeoHash.LongitudeMax || latitude < GeoHash.LatitudeMin || latitude > GeoHash.LatitudeMax)
        {
            ctx.Error(string.Create(CultureInfo.InvariantCulture, $"ERR invalid longitude,latitude pair {longitude:F6},{latitude:F6}"));
            return false;
        }
        return true;
    }

    /// <summary>The sorted set at a key for a read; false (WRONGTYPE written) for another type.</summary>
    internal static bool TryGetSet(CommandContext ctx, ReadOnlySpan<byte> key, out RedisSortedSet? set)
    {
        set = null;
        var entry = ctx.Db.GetForRead(key);
        if (entry is null) return true;
        if (entry.Value is RedisSortedSet s)
        {
            set = s;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>addReplyDoubleDistance: "%.4f" as a bulk string (also on RESP3).</summary>
    internal static void WriteDistance(RespWriter reply, double distance)
    {
        Span<byte> buf = stackalloc byte[64];
        if (distance.TryFormat(buf, out int n, "F4", CultureInfo.InvariantCulture)) reply.WriteBulk(buf[..n]);
        else reply.WriteBulk(distance.ToString("F4", CultureInfo.InvariantCulture));
    }

    /// <summary>addReplyHumanLongDouble: "%.17Lf" with trailing zeros removed; a bulk string on RESP2, a double on RESP3.</summary>
    internal static void WriteCoordinate(RespWriter reply, double value)
    {
        var text = value.ToString("F17", CultureInfo.InvariantCulture);
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        if (text == "-0") text = "0";
        if (reply.IsResp3)
        {
            reply.WriteRaw(","u8);
            reply.WriteRaw(System.Text.Encoding.ASCII.GetBytes(text));
            reply.WriteRaw("\r\n"u8);
        }
        else reply.WriteBulk(text);
    }

    private static void GeoAdd(CommandContext ctx)
    {
        bool nx = false, xx = false, ch = false;
        int longIndex = 2;
        for (; longIndex < ctx.ArgCount; longIndex++)
        {
            if (ctx.ArgIs(longIndex, "nx"u8)) nx = true;
            else if (ctx.ArgIs(longIndex, "xx"u8)) xx = true;
            else if (ctx.ArgIs(longIndex, "ch"u8)) ch = true;
            else break;
        }
        int rest = ctx.ArgCount - longIndex;
        if (rest % 3 != 0 || (xx && nx))
        {
            ctx.SyntaxError();
            return;
        }
        int elements = rest / 3;
        if (elements == 0)
        {
            // GEOADD rewrites itself as ZADD, which refuses an empty element list.
            ctx.SyntaxError();
            return;
        }
        var scores = new double[elements];
        for (int i = 0; i < elements; i++)
        {
            if (!TryExtractLongLat(ctx, longIndex + i * 3, out double lon, out double lat)) return;
            scores[i] = GeoHash.Score(lon, lat);
        }
        var key = ctx.Arg(1);
        if (!SortedSetCommands.TryGetZSet(ctx, key, forWrite: true, out var entry, out var set)) return;
        long added = 0, changed = 0;
        if (set is null && xx)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        set ??= new RedisSortedSet();
        for (int i = 0; i < elements; i++)
        {
            var member = ctx.Arg(longIndex + i * 3 + 2);
            if (set.TryGetScore(member, out double current))
            {
                if (nx || current == scores[i]) continue;
                set.Set(member, scores[i]);
                changed++;
            }
            else if (!xx)
            {
                set.Set(member, scores[i]);
                added++;
            }
        }
        if (entry is null)
        {
            if (set.Count > 0) ctx.Db.Add(key, set);
        }
        else if (added + changed > 0) ctx.Db.SignalModified(entry);
        ctx.Reply.WriteInteger(ch ? added + changed : added);
    }

    private static void GeoDist(CommandContext ctx)
    {
        double toMeter = 1;
        if (ctx.ArgCount == 5)
        {
            toMeter = ExtractUnit(ctx, 4);
            if (toMeter < 0) return;
        }
        else if (ctx.ArgCount > 5)
        {
            ctx.SyntaxError();
            return;
        }
        if (!TryGetSet(ctx, ctx.Arg(1), out var set)) return;
        if (set is null || !set.TryGetScore(ctx.Arg(2), out double s1) || !set.TryGetScore(ctx.Arg(3), out double s2)
            || !GeoHash.DecodeScore(s1, out double lon1, out double lat1) || !GeoHash.DecodeScore(s2, out double lon2, out double lat2))
        {
            ctx.Reply.WriteNull();
            return;
        }
        WriteDistance(ctx.Reply, GeoHash.Distance(lon1, lat1, lon2, lat2) / toMeter);
    }

    private static void GeoHashCommand(CommandContext ctx)
    {
        if (!TryGetSet(ctx, ctx.Arg(1), out var set)) return;
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            if (set is null || !set.TryGetScore(ctx.Arg(j), out double score) || !GeoHash.DecodeScore(score, out double lon, out double lat))
            {
                ctx.Reply.WriteNull();
                continue;
            }
            ctx.Reply.WriteBulk(GeoHash.ToBase32(lon, lat));
        }
    }

    private static void GeoPos(CommandContext ctx)
    {
        if (!TryGetSet(ctx, ctx.Arg(1), out var set)) return;
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            if (set is null || !set.TryGetScore(ctx.Arg(j), out double score) || !GeoHash.DecodeScore(score, out double lon, out double lat))
            {
                ctx.Reply.WriteNullArray();
                continue;
            }
            ctx.Reply.WriteArrayHeader(2);
            WriteCoordinate(ctx.Reply, lon);
            WriteCoordinate(ctx.Reply, lat);
        }
    }
}
