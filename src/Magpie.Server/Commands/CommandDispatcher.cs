using System.Diagnostics;
using System.Text;
using Magpie.Protocol;
using Magpie.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Commands;

/// <summary>
/// Runs one parsed command: lookup, arity, MULTI queueing, subscriber-mode rules, memory limit,
/// then the handler, with per-command stats. Called under the keyspace lock.
/// </summary>
public sealed partial class CommandDispatcher(ServerState server, ILogger logger)
{
    private const string SubscribeContextError =
        "ERR Can't execute '{0}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";

    public void Execute(CommandContext ctx)
    {
        ExecuteOne(ctx);
        // CLIENT REPLY SKIP lasts one command.
        if (ctx.Client.Writer.Output is Introspection.ClientReplyOutput suppressed) suppressed.AfterCommand(ctx);
        if (server.ClusterMode is not null) Sharding.SlotRouting.AfterCommand(ctx);
    }

    private void ExecuteOne(CommandContext ctx)
    {
        var request = ctx.Request;
        var client = ctx.Client;
        var spec = Resolve(ctx, request);
        if (spec is null)
        {
            if (client.Transaction.InMulti) client.Transaction.Dirty = true;
            return;
        }

        // Authentication and ACL permissions: checked once, here, before anything else looks at the command.
        if (!server.Acl.Permit(ctx, spec))
        {
            spec.Stats.RejectedCalls++;
            if (client.Transaction.InMulti) client.Transaction.Dirty = true;
            return;
        }
        // Cluster mode: a keyed command whose slot is not served here is redirected (-MOVED, -ASK, ...).
        if (server.ClusterMode is { } cluster && !Sharding.SlotRouting.Admit(ctx, spec, cluster)) return;
        // Replication: a read-only replica, a replica without its primary, too few good replicas.
        if (server.Replication.Refusal(client, spec) is { } refusal)
        {
            Reject(ctx, spec, refusal);
            if (client.Transaction.InMulti) client.Transaction.Dirty = true;
            return;
        }

        // CLIENT PAUSE: the command waits and runs when the pause ends.
        if (server.Introspection.Pause.EndMs != 0 && server.Blocking.CommandDepth == 0 && server.Introspection.Pause.Postpone(ctx, spec)) return;

        if (client.SubscriptionCount > 0 && client.Protocol == RespVersion.Resp2 && !spec.HasFlag(CommandFlags.AllowedInSubscribe))
        {
            Reject(ctx, spec, string.Format(SubscribeContextError, spec.FullName));
            return;
        }

        if (client.Transaction.InMulti && !spec.HasFlag(CommandFlags.NoMulti))
        {
            if (spec.HasFlag(CommandFlags.DenyOom) && !server.Keyspace.TryFreeMemory())
            {
                Reject(ctx, spec, Errors.Oom);
                client.Transaction.Dirty = true;
                return;
            }
            var args = new byte[request.Count][];
            for (int i = 0; i < args.Length; i++) args[i] = request.ToArray(i);
            client.Transaction.Queue.Add(args);
            ctx.Reply.WriteSimpleString("QUEUED"u8);
            return;
        }

        Run(ctx, spec);
    }

    /// <summary>Runs a resolved command (also used by EXEC for queued commands).</summary>
    public void Run(CommandContext ctx, CommandSpec spec)
    {
        var keyspace = server.Keyspace;
        keyspace.BeginCommand();
        server.Blocking.CommandDepth++;
        try
        {
            if (keyspace.MaxMemory > 0 && !keyspace.TryFreeMemory() && spec.HasFlag(CommandFlags.DenyOom))
            {
                Reject(ctx, spec, Errors.Oom);
                return;
            }
            ctx.Command = spec;
            ctx.Client.LastCommand = spec.FullName;
            ctx.Now = keyspace.Now;
            ctx.ResetForCommand();
            server.Tracking.BeforeCommand(ctx);
            bool notify = server.Notifications.Enabled;
            if (notify) server.Notifications.BeginCommand(ctx, spec);
            long start = Stopwatch.GetTimestamp();
            try
            {
                spec.Handler!(ctx);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug in one command must not take the connection or the node down.
                LogHandlerFailed(logger, ex, spec.FullName);
                ctx.Error($"ERR internal error running '{spec.FullName}': {ex.Message}");
            }
            if (notify) server.Notifications.EndCommand();
            long micros = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            spec.Stats.Microseconds += micros;
            spec.Stats.Calls++;
            server.Introspection.AfterCommand(ctx, spec, micros);
            if (server.Introspection.Monitors.Count > 0 && (spec.Flags & (CommandFlags.SkipMonitor | CommandFlags.Admin)) == 0) server.Introspection.Monitors.Feed(ctx);
            if (ctx.Failed) spec.Stats.FailedCalls++;
            else if (spec.HasFlag(CommandFlags.Write)) server.Propagate(ctx);
            server.Stats.TotalCommandsProcessed++;
            ctx.Client.LastCommandAtMs = ctx.Now;
            // Client tracking remembers the keys a read command read (and handles FLUSHDB/FLUSHALL).
            server.Tracking.AfterCommand(ctx);
        }
        finally
        {
            // After a top-level command (a whole EXEC included): serve clients blocked on keys it changed.
            if (--server.Blocking.CommandDepth == 0)
            {
                // What the command propagated goes out (wrapped in MULTI/EXEC if several) before the pops it unblocks.
                server.CommandStream.EndCommand();
                server.Blocking.ServeReadyKeys();
            }
            keyspace.EndCommand();
        }
    }

    /// <summary>Finds the command (or subcommand) and checks arity; writes the error and returns null if it can't run.</summary>
    public CommandSpec? Resolve(CommandContext ctx, RespRequest request)
    {
        var spec = server.Commands.Find(request[0]);
        if (spec is null)
        {
            var args = Enumerable.Range(1, Math.Min(request.Count - 1, 16)).Select(request.GetString);
            ctx.Error(Errors.UnknownCommand(request.GetString(0), args));
            return null;
        }
        // A container with its own handler (COMMAND) runs it when no subcommand is given.
        if (spec.Subcommands is not null && !(request.Count == 1 && spec.Handler is not null))
        {
            if (request.Count < 2)
            {
                Reject(ctx, spec, Errors.WrongArity(spec.Name));
                return null;
            }
            var subName = Encoding.UTF8.GetString(request[1]);
            if (!spec.Subcommands.TryGetValue(subName, out var sub))
            {
                Reject(ctx, spec, Errors.UnknownSubcommand(subName, spec.Name));
                return null;
            }
            spec = sub;
        }
        if (!spec.ArityMatches(request.Count))
        {
            Reject(ctx, spec, Errors.WrongArity(spec.FullName));
            return null;
        }
        return spec;
    }

    private void Reject(CommandContext ctx, CommandSpec spec, string error)
    {
        spec.Stats.RejectedCalls++;
        ctx.Error(error);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Command {Command} failed with an unexpected exception")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string command);
}
