using System.Collections.Concurrent;

namespace Magpie.Client.Caching;

/// <summary>
/// Per-key deduplication: while a load for a key runs, every other caller for that key awaits the
/// same task instead of starting its own, so a factory runs once per key per process.
/// </summary>
internal sealed class Singleflight<TResult>
{
    private readonly ConcurrentDictionary<string, Task<TResult>> _inFlight = new(StringComparer.Ordinal);

    public int Count => _inFlight.Count;

    public Task<TResult> RunAsync<TState>(string key, TState state, Func<TState, Task<TResult>> work)
    {
        while (true)
        {
            if (_inFlight.TryGetValue(key, out var running)) return running;
            var source = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_inFlight.TryAdd(key, source.Task)) continue; // lost the race: join the winner
            _ = RunAsync(key, source, state, work);
            return source.Task;
        }
    }

    private async Task RunAsync<TState>(string key, TaskCompletionSource<TResult> source, TState state, Func<TState, Task<TResult>> work)
    {
        try
        {
            source.TrySetResult(await work(state).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            source.TrySetException(ex);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<TResult>>(key, source.Task));
        }
    }
}
