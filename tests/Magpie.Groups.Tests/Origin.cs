using System.Collections.Concurrent;
using System.Text;

namespace Magpie.Groups.Tests;

/// <summary>A fake origin database: values by key, counting loads per key and per node.</summary>
internal sealed class FakeOrigin
{
    private readonly ConcurrentDictionary<string, string> _values = new();
    private readonly ConcurrentDictionary<string, int> _loadsByKey = new();
    private readonly ConcurrentDictionary<string, int> _loadsByNode = new();
    private int _loads;

    public string this[string key] { set => _values[key] = value; }

    public int Loads => Volatile.Read(ref _loads);

    public int LoadsOf(string key) => _loadsByKey.GetValueOrDefault(key);

    public int LoadsOn(string nodeId) => _loadsByNode.GetValueOrDefault(nodeId);

    public Func<string, Exception?> FailWith { get; set; } = _ => null;

    /// <summary>TTL the origin gives with every value (null: the group's default).</summary>
    public TimeSpan? TimeToLive { get; set; }

    /// <summary>Loads wait for this before answering (a slow database).</summary>
    public Task Gate { get; set; } = Task.CompletedTask;

    public async ValueTask<LoadResult> LoadAsync(string key, LoaderContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        _loadsByKey.AddOrUpdate(key, 1, (_, n) => n + 1);
        _loadsByNode.AddOrUpdate(context.NodeId, 1, (_, n) => n + 1);
        await Gate.WaitAsync(cancellationToken);
        if (FailWith(key) is { } error) throw error;
        return _values.TryGetValue(key, out var v) ? LoadResult.Found(Encoding.UTF8.GetBytes(v), TimeToLive) : LoadResult.NotFound;
    }
}

internal static class Bytes
{
    public static string Text(byte[]? value) => value is null ? "<null>" : Encoding.UTF8.GetString(value);

    public static byte[] Of(string text) => Encoding.UTF8.GetBytes(text);
}
