using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// MULTI/EXEC on the shared connection. WATCH state belongs to the socket, so transactions on one
/// connection take turns (other commands keep flowing), and MULTI…EXEC is pinned to the socket that
/// ran WATCH: if that socket is lost in between, the transaction fails rather than running unguarded.
/// </summary>
internal sealed class MagpieTransaction(MagpieConnection connection, int database) : MagpieCommands(database), IMagpieTransaction
{
    private readonly List<(PendingCommand Command, TaskCompletionSource<RespValue> Result)> _queued = new();
    private readonly List<Condition> _conditions = new();
    private readonly List<MagpieKey> _watched = new();

    protected override Task<RespValue> Send(PendingCommand command)
    {
        var result = new TaskCompletionSource<RespValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queued.Add((command, result));
        return result.Task;
    }

    public void AddCondition(Condition condition) => _conditions.Add(condition);

    public void Watch(MagpieKey key) => _watched.Add(key);

    public async Task<bool> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        await connection.TransactionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var (_, result) in _queued) result.TrySetException(ex);
            throw;
        }
        finally
        {
            connection.TransactionLock.Release();
        }
    }

    private async Task<bool> RunAsync()
    {
        PhysicalConnection? pinned = null;
        var keys = _watched.Concat(_conditions.Select(c => c.Key)).Distinct().ToArray();
        if (keys.Length > 0)
        {
            var watch = new PendingCommand("WATCH", keys.Length, Database);
            foreach (var key in keys) watch.Add(key);
            var probes = _conditions.Select(c => c.CreateProbe(Database)).ToArray();
            connection.SendAll([watch, .. probes]);
            await watch.Task.ConfigureAwait(false);
            pinned = watch.WrittenOn;
            for (int i = 0; i < probes.Length; i++)
            {
                if (_conditions[i].IsSatisfiedBy(await probes[i].Task.ConfigureAwait(false))) continue;
                await connection.SendAsync(new PendingCommand("UNWATCH", 0, Database)).ConfigureAwait(false);
                CancelAll();
                return false;
            }
        }

        var multi = new PendingCommand("MULTI", 0, Database) { PinnedTo = pinned };
        var exec = new PendingCommand("EXEC", 0, Database) { PinnedTo = pinned };
        var block = new List<PendingCommand>(_queued.Count + 2) { multi };
        foreach (var (command, _) in _queued)
        {
            command.PinnedTo = pinned;
            block.Add(command);
        }
        block.Add(exec);
        connection.SendAll(block);

        await multi.Task.ConfigureAwait(false);
        // Each queued command answers QUEUED, or an error that makes EXEC answer EXECABORT.
        var queueErrors = new Exception?[_queued.Count];
        for (int i = 0; i < _queued.Count; i++)
        {
            try { await _queued[i].Command.Task.ConfigureAwait(false); }
            catch (MagpieServerException ex) { queueErrors[i] = ex; }
        }

        RespValue reply;
        try
        {
            reply = await exec.Task.ConfigureAwait(false);
        }
        catch (MagpieServerException ex)
        {
            for (int i = 0; i < _queued.Count; i++) _queued[i].Result.TrySetException(queueErrors[i] ?? ex);
            throw;
        }
        if (reply.IsNull)
        {
            CancelAll(); // a watched key changed: EXEC ran nothing
            return false;
        }
        for (int i = 0; i < _queued.Count; i++)
        {
            var (command, result) = _queued[i];
            var item = i < reply.Count ? reply[i] : RespValue.Null;
            if (item.IsError) result.TrySetException(MagpieServerException.From(command.Name, System.Text.Encoding.UTF8.GetString(item.Span)));
            else result.TrySetResult(item);
        }
        return true;
    }

    private void CancelAll()
    {
        foreach (var (_, result) in _queued) result.TrySetCanceled();
    }
}
