using Magpie.Server.Commands.Geo;

namespace Magpie.Server.Tests;

/// <summary>The pure geohash math, checked against values redis-server 7.0 gives for the documentation's Sicily example.</summary>
public sealed class GeoHashTests
{
    [Theory]
    [InlineData(13.361389, 38.115556, 3479099956230698UL)]
    [InlineData(15.087269, 37.502669, 3479447370796909UL)]
    public void Score_is_the_52_bit_interleaved_hash(double lon, double lat, ulong expected) =>
        Assert.Equal(expected, GeoHash.Score(lon, lat));

    [Fact]
    public void Decoding_gives_the_cell_centre()
    {
        Assert.True(GeoHash.DecodeScore(3479099956230698, out double lon, out double lat));
        Assert.Equal("13.36138933897018433", lon.ToString("F17", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("38.11555639549629859", lat.ToString("F17", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Base32_and_distance_match_redis()
    {
        GeoHash.DecodeScore(3479099956230698, out double lon1, out double lat1);
        GeoHash.DecodeScore(3479447370796909, out double lon2, out double lat2);
        Assert.Equal("sqc8b49rny0", GeoHash.ToBase32(lon1, lat1));
        Assert.Equal("sqdtr74hyu0", GeoHash.ToBase32(lon2, lat2));
        Assert.Equal("166274.1516", GeoHash.Distance(lon1, lat1, lon2, lat2).ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Out_of_range_coordinates_do_not_encode()
    {
        Assert.False(GeoHash.EncodeWgs84(181, 0, 26, out _));
        Assert.False(GeoHash.EncodeWgs84(0, 85.06, 26, out _));
        Assert.True(GeoHash.EncodeWgs84(-180, -85.05112878, 26, out var corner));
        Assert.Equal(0UL, corner.Bits);
    }

    [Fact]
    public void Steps_shrink_with_the_radius_and_towards_the_poles()
    {
        Assert.Equal(26, GeoHash.EstimateStepsByRadius(0, 0));
        Assert.True(GeoHash.EstimateStepsByRadius(100, 0) > GeoHash.EstimateStepsByRadius(100_000, 0));
        Assert.Equal(GeoHash.EstimateStepsByRadius(1000, 0) - 2, GeoHash.EstimateStepsByRadius(1000, 81));
        Assert.Equal(1, GeoHash.EstimateStepsByRadius(50_000_000, 0));
    }

    [Fact]
    public void Search_areas_cover_the_centre_cell_first()
    {
        var shape = new GeoShape { Longitude = 15, Latitude = 37, Radius = 200, Conversion = 1000 };
        var areas = GeoHash.AreasByShape(ref shape);
        Assert.Equal(9, areas.Length);
        Assert.False(areas[0].IsZero);
        GeoHash.Decode(areas[0], out var centre);
        Assert.InRange(15.0, centre.LongitudeMin, centre.LongitudeMax);
        Assert.InRange(37.0, centre.LatitudeMin, centre.LatitudeMax);
        Assert.True(shape.BoundsLatitudeMax > 37 && shape.BoundsLatitudeMin < 37);
    }
}
