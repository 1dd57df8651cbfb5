using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// MULTI/EXEC on the shared connection. WATCH state belongs to the socket, so transactions on one
/// connection take turns (other commands keep flowing), and MULTI…EXEC is pinned to the socket that
/// ran WATCH: if that socket is lost in between, the transaction fails rather than running unguarded.
/// </summary>
internal sealed class MagpieTransaction(MagpieConnection connection, int database) : MagpieCommands(database), IMagpieTransaction
{
    private readonly List<PendingCommand> _queued = new();
    private readonly List<Condition> _conditions = new();
    private readonly List<MagpieKey> _watched = new();

    /// <summary>Kept until ExecuteAsync: a copy goes inside MULTI (answered QUEUED), the original completes from EXEC's reply.</summary>
    protected override Task<T> Send<T>(PendingCommand<T> command)
    {
        _queued.Add(command);
        return command.Task;
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
            foreach (var command in _queued) command.TrySetException(ex);
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
            var watch = PendingCommand.Raw("WATCH", keys.Length, Database);
            foreach (var key in keys) watch.Add(key);
            var probes = _conditions.Select(c => c.CreateProbe(Database)).ToArray();
            connection.SendAll([watch, .. probes]);
            await watch.Task.ConfigureAwait(false);
            pinned = watch.WrittenOn;
            for (int i = 0; i < probes.Length; i++)
            {
                if (_conditions[i].IsSatisfiedBy(await probes[i].Task.ConfigureAwait(false))) continue;
                await connection.SendAsync(PendingCommand.Raw("UNWATCH", 0, Database)).ConfigureAwait(false);
                CancelAll();
                return false;
            }
        }

        var multi = PendingCommand.Raw("MULTI", 0, Database);
        var exec = PendingCommand.Raw("EXEC", 0, Database);
        var copies = new PendingCommand<RespValue>[_queued.Count];
        var block = new List<PendingCommand>(_queued.Count + 2) { multi };
        for (int i = 0; i < copies.Length; i++)
        {
            copies[i] = _queued[i].CopyAsRaw();
            _queued[i].ReleaseBuffer();
            block.Add(copies[i]);
        }
        block.Add(exec);
        foreach (var command in block) command.PinnedTo = pinned;
        connection.SendAll(block);

        await multi.Task.ConfigureAwait(false);
        // Each queued command answers QUEUED, or an error that makes EXEC answer EXECABORT.
        var queueErrors = new Exception?[_queued.Count];
        for (int i = 0; i < _queued.Count; i++)
        {
            try { await copies[i].Task.ConfigureAwait(false); }
            catch (MagpieServerException ex) { queueErrors[i] = ex; }
        }

        RespValue reply;
        try
        {
            reply = await exec.Task.ConfigureAwait(false);
        }
        catch (MagpieServerException ex)
        {
            for (int i = 0; i < _queued.Count; i++) _queued[i].TrySetException(queueErrors[i] ?? ex);
            throw;
        }
        if (reply.IsNull)
        {
            CancelAll(); // a watched key changed: EXEC ran nothing
            return false;
        }
        // Each original completes exactly as if it had run alone: converted, or failed by its error reply.
        for (int i = 0; i < _queued.Count; i++) _queued[i].Complete(i < reply.Count ? reply[i] : RespValue.Null);
        return true;
    }

    private void CancelAll()
    {
        foreach (var command in _queued) command.TrySetCanceled();
    }
}
