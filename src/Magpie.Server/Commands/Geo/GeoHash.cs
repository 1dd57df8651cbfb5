namespace Magpie.Server.Commands.Geo;

/// <summary>A geohash cell: interleaved bits (latitude in even positions, longitude in odd) and the number of steps.</summary>
public readonly record struct GeoHashBits(ulong Bits, int Step)
{
    public bool IsZero => Bits == 0 && Step == 0;
}

/// <summary>A cell's extent in degrees.</summary>
public readonly record struct GeoArea(double LongitudeMin, double LongitudeMax, double LatitudeMin, double LatitudeMax);

/// <summary>The search shape: a radius, or a box of width × height, in meters after <see cref="Conversion"/>.</summary>
public struct GeoShape
{
    public bool IsBox;
    public double Longitude, Latitude;
    public double Radius, Width, Height;
    /// <summary>Meters per unit (m 1, km 1000, ft 0.3048, mi 1609.34).</summary>
    public double Conversion;
    public double BoundsLongitudeMin, BoundsLatitudeMin, BoundsLongitudeMax, BoundsLatitudeMax;
}

/// <summary>
/// Redis's 52-bit geohash (geohash.c, geohash_helper.c): the WGS84 encoding used as sorted set
/// scores, decoding to a cell's centre, the eight neighbours, the search areas for a radius or
/// box, and the haversine distance on Redis's earth radius.
/// </summary>
public static class GeoHash
{
    public const int StepMax = 26;
    public const double LatitudeMin = -85.05112878;
    public const double LatitudeMax = 85.05112878;
    public const double LongitudeMin = -180;
    public const double LongitudeMax = 180;
    private const double EarthRadiusInMeters = 6372797.560856;
    private const double MercatorMax = 20037726.37;
    private const double DR = Math.PI / 180.0;

    private static double DegRad(double angle) => angle * DR;

    private static double RadDeg(double angle) => angle / DR;

    private static ulong Interleave64(uint xlo, uint ylo)
    {
        ulong x = xlo, y = ylo;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFUL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFUL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x << 2)) & 0x3333333333333333UL;
        y = (y | (y << 2)) & 0x3333333333333333UL;
        x = (x | (x << 1)) & 0x5555555555555555UL;
        y = (y | (y << 1)) & 0x5555555555555555UL;
        return x | (y << 1);
    }

    private static ulong Deinterleave64(ulong interleaved)
    {
        ulong x = interleaved, y = interleaved >> 1;
        x = (x | (x >> 0)) & 0x5555555555555555UL;
        y = (y | (y >> 0)) & 0x5555555555555555UL;
        x = (x | (x >> 1)) & 0x3333333333333333UL;
        y = (y | (y >> 1)) & 0x3333333333333333UL;
        x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FUL;
        y = (y | (y >> 2)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x >> 4)) & 0x00FF00FF00FF00FFUL;
        y = (y | (y >> 4)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x >> 8)) & 0x0000FFFF0000FFFFUL;
        y = (y | (y >> 8)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x >> 16)) & 0x00000000FFFFFFFFUL;
        y = (y | (y >> 16)) & 0x00000000FFFFFFFFUL;
        return x | (y << 32);
    }

    /// <summary>geohashEncode over the given ranges; false outside Redis's limits.</summary>
    public static bool Encode(double longMin, double longMax, double latMin, double latMax, double longitude, double latitude, int step, out GeoHashBits hash)
    {
        hash = default;
        if (step > 32 || step == 0) return false;
        if (longitude > LongitudeMax || longitude < LongitudeMin || latitude > LatitudeMax || latitude < LatitudeMin) return false;
        if (latitude < latMin || latitude > latMax || longitude < longMin || longitude > longMax) return false;
        double latOffset = (latitude - latMin) / (latMax - latMin);
        double longOffset = (longitude - longMin) / (longMax - longMin);
        latOffset *= 1UL << step;
        longOffset *= 1UL << step;
        hash = new GeoHashBits(Interleave64((uint)latOffset, (uint)longOffset), step);
        return true;
    }

    public static bool EncodeWgs84(double longitude, double latitude, int step, out GeoHashBits hash) =>
        Encode(LongitudeMin, LongitudeMax, LatitudeMin, LatitudeMax, longitude, latitude, step, out hash);

    /// <summary>The sorted set score of a position (52 bits, geohashAlign52Bits of a 26-step hash).</summary>
    public static ulong Score(double longitude, double latitude)
    {
        EncodeWgs84(longitude, latitude, StepMax, out var hash);
        return Align52(hash);
    }

    public static ulong Align52(GeoHashBits hash) => hash.Bits << (52 - hash.Step * 2);

    public static bool Decode(GeoHashBits hash, out GeoArea area) =>
        Decode(LongitudeMin, LongitudeMax, LatitudeMin, LatitudeMax, hash, out area);

    public static bool Decode(double longMin, double longMax, double latMin, double latMax, GeoHashBits hash, out GeoArea area)
    {
        area = default;
        if (hash.IsZero) return false;
        ulong separated = Deinterleave64(hash.Bits);
        double latScale = latMax - latMin, longScale = longMax - longMin;
        uint ilato = (uint)separated, ilono = (uint)(separated >> 32);
        double cells = 1UL << hash.Step;
        area = new GeoArea(
            longMin + (ilono * 1.0 / cells) * longScale,
            longMin + ((ilono + 1UL) * 1.0 / cells) * longScale,
            latMin + (ilato * 1.0 / cells) * latScale,
            latMin + ((ilato + 1UL) * 1.0 / cells) * latScale);
        return true;
    }

    /// <summary>decodeGeohash: a score back to the centre of its 26-step cell, clamped to the limits.</summary>
    public static bool DecodeScore(double score, out double longitude, out double latitude)
    {
        longitude = latitude = 0;
        if (!Decode(new GeoHashBits((ulong)score, StepMax), out var area)) return false;
        longitude = (area.LongitudeMin + area.LongitudeMax) / 2;
        if (longitude > LongitudeMax) longitude = LongitudeMax;
        if (longitude < LongitudeMin) longitude = LongitudeMin;
        latitude = (area.LatitudeMin + area.LatitudeMax) / 2;
        if (latitude > LatitudeMax) latitude = LatitudeMax;
        if (latitude < LatitudeMin) latitude = LatitudeMin;
        return true;
    }

    private static GeoHashBits MoveX(GeoHashBits hash, int d)
    {
        if (d == 0) return hash;
        ulong x = hash.Bits & 0xaaaaaaaaaaaaaaaaUL;
        ulong y = hash.Bits & 0x5555555555555555UL;
        ulong zz = 0x5555555555555555UL >> (64 - hash.Step * 2);
        if (d > 0) x += zz + 1;
        else
        {
            x |= zz;
            x -= zz + 1;
        }
        x &= 0xaaaaaaaaaaaaaaaaUL >> (64 - hash.Step * 2);
        return hash with { Bits = x | y };
    }

    private static GeoHashBits MoveY(GeoHashBits hash, int d)
    {
        if (d == 0) return hash;
        ulong x = hash.Bits & 0xaaaaaaaaaaaaaaaaUL;
        ulong y = hash.Bits & 0x5555555555555555UL;
        ulong zz = 0xaaaaaaaaaaaaaaaaUL >> (64 - hash.Step * 2);
        if (d > 0) y += zz + 1;
        else
        {
            y |= zz;
            y -= zz + 1;
        }
        y &= 0x5555555555555555UL >> (64 - hash.Step * 2);
        return hash with { Bits = x | y };
    }

    /// <summary>
    /// The nine cells to scan, in Redis's order: the centre, north, south, east, west, north-east,
    /// north-west, south-east, south-west. Cells the search can't reach are zero.
    /// </summary>
    public static GeoHashBits[] AreasByShape(ref GeoShape shape)
    {
        BoundingBox(ref shape);
        double minLon = shape.BoundsLongitudeMin, minLat = shape.BoundsLatitudeMin, maxLon = shape.BoundsLongitudeMax, maxLat = shape.BoundsLatitudeMax;
        double longitude = shape.Longitude, latitude = shape.Latitude;
        double radiusMeters = !shape.IsBox ? shape.Radius : Math.Sqrt((shape.Width / 2) * (shape.Width / 2) + (shape.Height / 2) * (shape.Height / 2));
        radiusMeters *= shape.Conversion;

        int steps = EstimateStepsByRadius(radiusMeters, latitude);
        EncodeWgs84(longitude, latitude, steps, out var hash);
        var n = Neighbors(hash);
        Decode(hash, out var area);

        bool decrease = false;
        Decode(n[1], out var north);
        Decode(n[2], out var south);
        Decode(n[3], out var east);
        Decode(n[4], out var west);
        if (north.LatitudeMax < maxLat) decrease = true;
        if (south.LatitudeMin > minLat) decrease = true;
        if (east.LongitudeMax < maxLon) decrease = true;
        if (west.LongitudeMin > minLon) decrease = true;
        if (steps > 1 && decrease)
        {
            steps--;
            EncodeWgs84(longitude, latitude, steps, out hash);
            n = Neighbors(hash);
            Decode(hash, out area);
        }
        if (steps >= 2)
        {
            if (area.LatitudeMin < minLat) n[2] = n[8] = n[7] = default;
            if (area.LatitudeMax > maxLat) n[1] = n[5] = n[6] = default;
            if (area.LongitudeMin < minLon) n[4] = n[8] = n[6] = default;
            if (area.LongitudeMax > maxLon) n[3] = n[7] = n[5] = default;
        }
        return n;
    }

    // Centre, N, S, E, W, NE, NW, SE, SW (membersOfAllNeighbors's order).
    private static GeoHashBits[] Neighbors(GeoHashBits hash) =>
    [
        hash,
        MoveY(hash, 1),
        MoveY(hash, -1),
        MoveX(hash, 1),
        MoveX(hash, -1),
        MoveY(MoveX(hash, 1), 1),
        MoveY(MoveX(hash, -1), 1),
        MoveY(MoveX(hash, 1), -1),
        MoveY(MoveX(hash, -1), -1),
    ];

    public static int EstimateStepsByRadius(double rangeMeters, double latitude)
    {
        if (rangeMeters == 0) return 26;
        int step = 1;
        while (rangeMeters < MercatorMax)
        {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (latitude > 66 || latitude < -66)
        {
            step--;
            if (latitude > 80 || latitude < -80) step--;
        }
        if (step < 1) step = 1;
        if (step > 26) step = 26;
        return step;
    }

    private static void BoundingBox(ref GeoShape shape)
    {
        double longitude = shape.Longitude, latitude = shape.Latitude;
        double height = shape.Conversion * (!shape.IsBox ? shape.Radius : shape.Height / 2);
        double width = shape.Conversion * (!shape.IsBox ? shape.Radius : shape.Width / 2);
        double latDelta = RadDeg(height / EarthRadiusInMeters);
        double longDeltaTop = RadDeg(width / EarthRadiusInMeters / Math.Cos(DegRad(latitude + latDelta)));
        double longDeltaBottom = RadDeg(width / EarthRadiusInMeters / Math.Cos(DegRad(latitude - latDelta)));
        bool southern = latitude < 0;
        shape.BoundsLongitudeMin = southern ? longitude - longDeltaBottom : longitude - longDeltaTop;
        shape.BoundsLongitudeMax = southern ? longitude + longDeltaBottom : longitude + longDeltaTop;
        shape.BoundsLatitudeMin = latitude - latDelta;
        shape.BoundsLatitudeMax = latitude + latDelta;
    }

    /// <summary>Haversine distance in meters.</summary>
    public static double Distance(double lon1d, double lat1d, double lon2d, double lat2d)
    {
        double lat1r = DegRad(lat1d), lon1r = DegRad(lon1d), lat2r = DegRad(lat2d), lon2r = DegRad(lon2d);
        double u = Math.Sin((lat2r - lat1r) / 2);
        double v = Math.Sin((lon2r - lon1r) / 2);
        return 2.0 * EarthRadiusInMeters * Math.Asin(Math.Sqrt(u * u + Math.Cos(lat1r) * Math.Cos(lat2r) * v * v));
    }

    /// <summary>geoWithinShape: whether the point is inside, and its distance from the centre in meters.</summary>
    public static bool Within(in GeoShape shape, double longitude, double latitude, out double distance)
    {
        if (!shape.IsBox)
        {
            distance = Distance(shape.Longitude, shape.Latitude, longitude, latitude);
            return distance <= shape.Radius * shape.Conversion;
        }
        distance = 0;
        double lonDistance = Distance(longitude, latitude, shape.Longitude, latitude);
        double latDistance = Distance(longitude, latitude, longitude, shape.Latitude);
        if (lonDistance > shape.Width * shape.Conversion / 2 || latDistance > shape.Height * shape.Conversion / 2) return false;
        distance = Distance(shape.Longitude, shape.Latitude, longitude, latitude);
        return true;
    }

    /// <summary>GEOHASH's 11-character base32 string: re-encoded on the standard ±90 latitude range.</summary>
    public static string ToBase32(double longitude, double latitude)
    {
        const string alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
        Encode(-180, 180, -90, 90, longitude, latitude, 26, out var hash);
        Span<char> buf = stackalloc char[11];
        for (int i = 0; i < 11; i++)
        {
            int idx = i == 10 ? 0 : (int)((hash.Bits >> (52 - (i + 1) * 5)) & 0x1f);
            buf[i] = alphabet[idx];
        }
        return new string(buf);
    }
}
