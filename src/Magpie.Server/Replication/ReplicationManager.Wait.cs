using Magpie.Server.Commands;

namespace Magpie.Server.Replication;

/// <summary>A client blocked in WAIT: served when enough replicas acknowledged the offset, or at its deadline.</summary>
internal sealed class WaitRequest(CommandContext context, long offset, int needed, long deadlineMs)
{
    public CommandContext Context { get; } = context;
    public long Offset { get; } = offset;
    public int Needed { get; } = needed;
    /// <summary>Unix ms; 0 waits for ever (WAIT n 0).</summary>
    public long DeadlineMs { get; } = deadlineMs;
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed partial class ReplicationManager
{
    private static readonly byte[] GetAck = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"u8.ToArray();

    /// <summary>Replicas whose acknowledged offset reached <paramref name="offset"/>.</summary>
    public int AcknowledgedBy(long offset)
    {
        int n = 0;
        foreach (var r in _replicas) if (r.Attached && r.State == ReplicaPeerState.Online && r.AckOffset >= offset) n++;
        return n;
    }

    /// <summary>
    /// WAIT numreplicas timeout: how many replicas acknowledged every write made so far. Blocks the
    /// client (not the node) until enough did or the timeout passed; asks the replicas with GETACK.
    /// </summary>
    internal void Wait(CommandContext ctx, int needed, long timeoutMs)
    {
        long target = Backlog.Offset;
        int acked = AcknowledgedBy(target);
        if (acked >= needed || ctx.Client.Transaction.InMulti || _server.Scripting.Watchdog.IsBusy || !ctx.Client.HasConnection)
        {
            ctx.Reply.WriteInteger(acked);
            return;
        }
        long deadline = timeoutMs == 0 ? 0 : _server.Keyspace.Clock() + timeoutMs;
        var request = new WaitRequest(ctx, target, needed, deadline);
        _waiters.Add(request);
        Backlog.AppendControl(GetAck);
        ctx.BlockUntil = request.Done.Task;
    }

    /// <summary>Answers the waiters that are satisfied or past their deadline. Under the keyspace lock.</summary>
    private void ServeWaiters(bool all)
    {
        long now = _server.Keyspace.Clock();
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            var w = _waiters[i];
            int acked = AcknowledgedBy(w.Offset);
            if (!all && acked < w.Needed && (w.DeadlineMs == 0 || now < w.DeadlineMs)) continue;
            _waiters.RemoveAt(i);
            lock (w.Context.Client.OutputLock) w.Context.Reply.WriteInteger(acked);
            w.Done.TrySetResult();
        }
    }

    /// <summary>A role change answers every WAIT at once with what was acknowledged.</summary>
    private void FailWaiters() => ServeWaiters(true);
}
