namespace Magpie.Client.Tests.Connection;

/// <summary>Reconnect warnings for a dead server are rate-limited.</summary>
public class ReconnectLogPolicyTests
{
    [Fact]
    public void The_first_attempts_warn_then_ever_fewer()
    {
        Assert.All(new[] { 1, 2, 3, 4, 8, 16, 32, 64, 128, 192 }, a => Assert.True(ReconnectLogPolicy.ShouldWarn(a), $"attempt {a}"));
        Assert.All(new[] { 5, 6, 7, 9, 15, 33, 65, 100, 127, 129 }, a => Assert.False(ReconnectLogPolicy.ShouldWarn(a), $"attempt {a}"));
    }

    [Fact]
    public void A_peer_down_for_an_hour_writes_about_twenty_warnings()
    {
        // At the 5 s maximum delay, an hour is about 720 attempts.
        int warnings = Enumerable.Range(1, 720).Count(ReconnectLogPolicy.ShouldWarn);
        Assert.InRange(warnings, 10, 25);
    }
}
