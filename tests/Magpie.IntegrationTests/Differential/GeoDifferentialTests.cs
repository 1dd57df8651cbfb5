using System.Globalization;

namespace Magpie.IntegrationTests.Differential;

/// <summary>GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS*, GEOSEARCH(STORE) against redis-server 7.0, byte for byte.</summary>
public sealed class GeoDifferentialTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    private static string F(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public void Errors_and_fixed_cases_match()
    {
        pair.Same("FLUSHALL");
        pair.Same("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
        pair.Same("LPUSH", "list", "a");
        foreach (var cmd in new[]
        {
            new[] { "GEOADD", "g", "200", "10", "x" }, ["GEOADD", "g", "10", "86", "x"], ["GEOADD", "g", "abc", "10", "x"], ["GEOADD", "g", "10", "10"],
            ["GEOADD", "g", "nx", "xx", "10", "10", "x"], ["GEOADD", "list", "10", "10", "x"], ["GEOADD", "g", "nx", "ch", "ch"],
            ["GEOADD", "Sicily", "xx", "ch", "13.361389", "38.115556", "Palermo", "1", "1", "New"], ["GEOADD", "Sicily", "nx", "13.4", "38.1", "Palermo"],
            ["GEOADD", "Sicily", "ch", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
            ["GEODIST", "Sicily", "Palermo", "Catania"], ["GEODIST", "Sicily", "Palermo", "Catania", "km"], ["GEODIST", "Sicily", "Palermo", "Catania", "MI"],
            ["GEODIST", "Sicily", "Palermo", "Catania", "ft"], ["GEODIST", "Sicily", "Palermo", "Catania", "yd"], ["GEODIST", "Sicily", "Palermo", "x"],
            ["GEODIST", "missing", "a", "b"], ["GEODIST", "list", "a", "b"], ["GEODIST", "Sicily", "a", "b", "m", "x"],
            ["GEOHASH", "Sicily", "Palermo", "Catania", "nope"], ["GEOHASH", "missing", "a"], ["GEOHASH", "list", "a"], ["GEOHASH", "Sicily"],
            ["GEOPOS", "Sicily", "Palermo", "Catania", "nope"], ["GEOPOS", "missing", "a"], ["GEOPOS", "list", "a"],
            ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH"], ["GEORADIUS", "Sicily", "15", "37", "200", "km", "ASC"],
            ["GEORADIUS", "Sicily", "15", "37", "200", "km", "DESC", "COUNT", "1"], ["GEORADIUS", "Sicily", "15", "37", "-1", "km"],
            ["GEORADIUS", "Sicily", "15", "37", "x", "km"], ["GEORADIUS", "Sicily", "15", "37", "1", "yd"], ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"],
            ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "x"], ["GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"],
            ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY"], ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", "WITHDIST"],
            ["GEORADIUS", "Sicily", "15", "37", "200", "km", "BOGUS"], ["GEORADIUS", "missing", "15", "37", "200", "km"], ["GEORADIUS", "list", "15", "37", "200", "km"],
            ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
            ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst"], ["ZRANGE", "dst", "0", "-1"],
            ["GEORADIUS", "missing", "15", "37", "200", "km", "STORE", "dst"], ["EXISTS", "dst"],
            ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "dst"], ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST"],
            ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST"], ["GEORADIUSBYMEMBER", "Sicily", "nope", "200", "km"],
            ["GEORADIUSBYMEMBER", "missing", "nope", "200", "km"], ["GEORADIUSBYMEMBER", "missing", "nope", "200", "km", "STORE", "d"],
            ["GEORADIUSBYMEMBER_RO", "Sicily", "Catania", "100", "mi", "WITHCOORD"],
            ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "WITHDIST"], ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "DESC", "WITHCOORD"],
            ["GEOSEARCH", "Sicily", "BYRADIUS", "200", "km"], ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37"], ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"],
            ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"], ["GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
            ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"], ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "1", "km"],
            ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "x", "km"], ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "STORE", "x"],
            ["GEOSEARCH", "missing", "FROMMEMBER", "x", "BYRADIUS", "1", "km"], ["GEOSEARCH", "list", "FROMMEMBER", "x", "BYRADIUS", "1", "km"],
            ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "ANY"],
            ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
            ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST", "COUNT", "1"], ["ZRANGE", "dst", "0", "-1"],
            ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"],
            ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"], ["EXISTS", "dst"],
            ["GEOSEARCHSTORE", "dst", "missing", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
        })
        {
            pair.Same2(cmd);
            pair.Same(cmd);
        }
    }

    [Fact]
    public void Random_points_and_searches_match()
    {
        pair.Same("FLUSHALL");
        var rng = new Random(7);
        // Clusters of points at several latitudes (equator, mid, polar, southern, the antimeridian).
        (double lon, double lat)[] centres = [(0, 0), (13.4, 38.1), (-73.9, 40.7), (151.2, -33.9), (179.9, 10), (-179.9, -10), (25, 70), (-60, -82), (100, 84)];
        var args = new List<string> { "GEOADD", "pts" };
        int id = 0;
        foreach (var (lon, lat) in centres)
        {
            for (int i = 0; i < 60; i++)
            {
                double spread = rng.Next(3) switch { 0 => 0.01, 1 => 0.5, _ => 5 };
                double x = Math.Clamp(lon + (rng.NextDouble() - 0.5) * spread, -180, 180);
                double y = Math.Clamp(lat + (rng.NextDouble() - 0.5) * spread, -85, 85);
                args.AddRange([F(x), F(y), "p" + id++]);
            }
        }
        pair.Same(args.ToArray());
        string[] units = ["m", "km", "mi", "ft"];
        for (int q = 0; q < 400; q++)
        {
            var (lon, lat) = centres[rng.Next(centres.Length)];
            double x = Math.Clamp(lon + (rng.NextDouble() - 0.5) * 2, -180, 180), y = Math.Clamp(lat + (rng.NextDouble() - 0.5) * 2, -85, 85);
            string unit = units[rng.Next(units.Length)];
            double meters = rng.Next(3) switch { 0 => rng.Next(100, 5000), 1 => rng.Next(5000, 200_000), _ => rng.Next(200_000, 3_000_000) };
            double perUnit = unit switch { "km" => 1000, "mi" => 1609.34, "ft" => 0.3048, _ => 1 };
            string dist = F(Math.Round(meters / perUnit, 2));
            var opts = new List<string>();
            if (rng.Next(2) == 0) opts.Add("WITHDIST");
            if (rng.Next(3) == 0) opts.Add("WITHCOORD");
            if (rng.Next(4) == 0) opts.Add("WITHHASH");
            int sort = rng.Next(3);
            if (sort == 1) opts.Add("ASC");
            else if (sort == 2) opts.Add("DESC");
            if (rng.Next(3) == 0) opts.AddRange(["COUNT", rng.Next(1, 30).ToString()]);
            string member = "p" + rng.Next(id);
            switch (rng.Next(6))
            {
                case 0: pair.Same(["GEORADIUS", "pts", F(x), F(y), dist, unit, .. opts]); break;
                case 1: pair.Same(["GEORADIUSBYMEMBER_RO", "pts", member, dist, unit, .. opts]); break;
                case 2: pair.Same(["GEOSEARCH", "pts", "FROMLONLAT", F(x), F(y), "BYRADIUS", dist, unit, .. opts]); break;
                case 3:
                    string w = F(Math.Round(meters * (0.5 + rng.NextDouble()) / perUnit, 2));
                    pair.Same(["GEOSEARCH", "pts", "FROMMEMBER", member, "BYBOX", w, dist, unit, .. opts]); break;
                case 4:
                    var store = new List<string> { "GEOSEARCHSTORE", "dst", "pts", "FROMLONLAT", F(x), F(y), "BYBOX", dist, dist, unit };
                    bool storeDist = rng.Next(2) == 0;
                    if (storeDist) store.Add("STOREDIST");
                    if (rng.Next(2) == 0) store.AddRange(["COUNT", rng.Next(1, 20).ToString(), "DESC"]);
                    pair.Same(store.ToArray());
                    // Distances as scores print with %.17g, which is the reply-format work of another part of issue 14:
                    // their order is compared here, the integer geohash scores in full.
                    if (storeDist) pair.Same("ZRANGE", "dst", "0", "-1");
                    else pair.Same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
                    break;
                default:
                    pair.Both("GEODIST", "pts", member, "p" + rng.Next(id), unit);
                    pair.Both("GEOPOS", "pts", member, "p" + rng.Next(id), "nope");
                    pair.Same("GEOHASH", "pts", member, "p" + rng.Next(id));
                    break;
            }
        }
    }
}
