using System.Text;
using Magpie.Groups;
using Microsoft.Extensions.Logging;

namespace QuickStart;

/// <summary>A pretend database that takes a while to answer: the origin the "scores" group caches.</summary>
public sealed partial class SlowDb(ILogger<SlowDb> logger)
{
    private static readonly Dictionary<string, string> Scores = new(StringComparer.Ordinal)
    {
        ["Tom"] = "630",
        ["Jack"] = "589",
        ["Sam"] = "567",
    };

    /// <summary>The group's loader: called once per key by the key's owner node.</summary>
    public async ValueTask<LoadResult> LoadAsync(string key, LoaderContext context, CancellationToken cancellationToken)
    {
        LogSearching(key);
        await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
        return Scores.TryGetValue(key, out var score) ? LoadResult.Found(Encoding.UTF8.GetBytes(score)) : LoadResult.NotFound;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "[SlowDB] Searching for key: {Key}")]
    private partial void LogSearching(string key);
}
