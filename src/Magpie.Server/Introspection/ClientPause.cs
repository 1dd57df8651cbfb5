using Magpie.Server.Commands;
using Magpie.Server.Hosting;

namespace Magpie.Server.Introspection;

/// <summary>
/// CLIENT PAUSE / UNPAUSE: until the end time, affected commands (every command in ALL mode, the
/// ones that may write or replicate in WRITE mode) wait, then run in arrival order per connection.
/// </summary>
public sealed class ClientPause(ServerState server)
{
    private TaskCompletionSource _unpaused = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Unix ms when the pause ends; 0 when not paused (the dispatcher's only test).</summary>
    public long EndMs { get; private set; }

    public bool WriteOnly { get; private set; }

    public void Pause(long endMs, bool all)
    {
        // A second pause extends the time and can only widen WRITE to ALL, as in Redis.
        if (EndMs == 0) WriteOnly = !all;
        else if (all) WriteOnly = false;
        if (endMs > EndMs) EndMs = endMs;
    }

    public void Unpause()
    {
        EndMs = 0;
        var done = _unpaused;
        _unpaused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
    }

    /// <summary>
    /// True when the command must wait: then <see cref="CommandContext.BlockUntil"/> is set to a task
    /// that runs it once the pause is over.
    /// </summary>
    public bool Postpone(CommandContext ctx, CommandSpec spec)
    {
        long now = ctx.Keyspace.Clock();
        if (now >= EndMs)
        {
            Unpause();
            return false;
        }
        if (WriteOnly && !MayReplicate(spec)) return false;
        ctx.BlockUntil = RunAfterPauseAsync(ctx);
        return true;
    }

    private static bool MayReplicate(CommandSpec spec) =>
        spec.HasFlag(CommandFlags.Write) || spec.Name is "eval" or "evalsha" or "fcall" or "publish" or "spublish" or "pfcount" or "exec" or "script" or "function";

    private async Task RunAfterPauseAsync(CommandContext ctx)
    {
        while (true)
        {
            long wait;
            Task unpaused;
            lock (server.Keyspace.Sync)
            {
                wait = EndMs - server.Keyspace.Clock();
                unpaused = _unpaused.Task;
            }
            if (wait <= 0 || EndMs == 0) break;
            await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(Math.Min(wait, int.MaxValue))), unpaused);
        }
        Task? inner;
        lock (server.Keyspace.Sync)
        {
            // Re-run the request as if it arrived now (it may pause again, or block).
            server.Dispatcher.Execute(ctx);
            inner = ctx.BlockUntil;
            ctx.BlockUntil = null;
        }
        if (inner is not null) await inner;
    }
}
