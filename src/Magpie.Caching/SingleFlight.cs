using System.Collections.Concurrent;

namespace Magpie.Caching;

/// <summary>
/// Collapses concurrent calls for one key into one execution: the first caller starts the work, later
/// callers get the same task. The entry is removed as soon as the work ends, so errors are never
/// cached and the next call after completion starts afresh. Waiters cancel their own wait with
/// <c>task.WaitAsync(token)</c>; the shared work is bounded by its own timeout, not by any one caller.
/// </summary>
public sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Task<T>> _inFlight = new(StringComparer.Ordinal);

    public int InFlight => _inFlight.Count;

    public Task<T> RunAsync<TState>(string key, TState state, Func<TState, string, Task<T>> work)
    {
        if (_inFlight.TryGetValue(key, out var running)) return running;
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var winner = _inFlight.GetOrAdd(key, completion.Task);
        if (!ReferenceEquals(winner, completion.Task)) return winner;
        _ = ExecuteAsync(key, completion, state, work);
        return completion.Task;
    }

    private async Task ExecuteAsync<TState>(string key, TaskCompletionSource<T> completion, TState state, Func<TState, string, Task<T>> work)
    {
        T result;
        try
        {
            result = await work(state, key).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<T>>(key, completion.Task));
            completion.SetException(ex);
            return;
        }
        _inFlight.TryRemove(new KeyValuePair<string, Task<T>>(key, completion.Task));
        completion.SetResult(result);
    }
}
