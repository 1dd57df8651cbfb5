namespace Magpie.Client.Tests;

/// <summary>Every await in a test goes through these, so a hang fails the test instead of the run.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    public static Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);

    public static Task Within(this Task task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);

    /// <summary>Polls <paramref name="condition"/> until true or the timeout passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout, int pollMs = 2)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(pollMs);
        }
        return condition();
    }

    public static string UniqueKey(string prefix = "test") => $"{prefix}:{Guid.NewGuid():N}";
}
