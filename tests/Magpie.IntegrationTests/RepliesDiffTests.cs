using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// The same command sequences against Magpie and redis-server 7.0.15, RESP2 and RESP3, every reply
/// compared exactly (scripts/replies_diff.py has the sequences).
/// </summary>
public class RepliesDiffTests(MagpieAndRedisFixture fixture) : IClassFixture<MagpieAndRedisFixture>
{
    private async Task AssertSameReplies(string suite)
    {
        var output = await Tools.PythonScriptAsync("replies_diff.py", fixture.Node.Port, fixture.Redis.Port.ToString(), suite);
        Assert.Contains("ALL OK", output);
    }

    /// <summary>%.17g doubles (ZSCORE of 0.1+0.2 is 0.30000000000000004) and long double INCRBYFLOAT/HINCRBYFLOAT, 1e400 included.</summary>
    [Fact]
    public Task Doubles_and_float_increments() => AssertSameReplies("doubles");

    /// <summary>OBJECT ENCODING (int, embstr, raw after APPEND/SETRANGE, listpack, hashtable, skiplist, intset, quicklist) under thresholds changed with CONFIG SET.</summary>
    [Fact]
    public Task Encodings_follow_the_configured_thresholds() => AssertSameReplies("encodings");
}
