namespace Magpie.Groups.Tests;

/// <summary>Tests that measure timeouts run alone, so a CPU-heavy test on 2 cores cannot delay their timers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "Timing-sensitive";
}

internal static class Eventually
{
    /// <summary>Waits up to 5 s for a condition that another node makes true asynchronously.</summary>
    public static async Task True(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("Condition not met within 5 s.");
            await Task.Delay(10);
        }
    }
}
