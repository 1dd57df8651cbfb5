using System.Buffers;
using System.IO.Pipelines;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Connections;

/// <summary>
/// The RESP connection loop (DESIGN.md decision 3): read what arrived, run every complete command
/// inline under the keyspace lock, write replies into the output pipe, flush once per batch.
/// </summary>
public sealed partial class RespConnectionHandler(ServerState server, ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var session = new ClientSession(server.Clients.NextId(), connection, new RespWriter(output), server.Keyspace.Clock());
        // Wakes are queued, never run here: with inline scheduling, cancelling the read would run this
        // connection's loop on the caller's thread, inside the caller's command (re-entering the
        // keyspace lock), so a PUBLISH could see its subscriber list change under it.
        int wakePending = 0;
        session.WakeForOutput = () =>
        {
            if (Interlocked.Exchange(ref wakePending, 1) != 0) return;
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                Volatile.Write(ref wakePending, 0);
                input.CancelPendingRead();
            }, null);
        };
        Interlocked.Increment(ref server.Stats.TotalConnectionsReceived);

        if (server.Clients.Count >= server.Options.MaxClients)
        {
            Interlocked.Increment(ref server.Stats.RejectedConnections);
            session.Writer.WriteError("ERR max number of clients reached");
            await output.FlushAsync();
            return;
        }

        if (ProtectedMode.Refuses(server, connection.RemoteEndPoint))
        {
            session.Writer.WriteError(ProtectedMode.DeniedText);
            await output.FlushAsync();
            return;
        }

        server.Clients.Add(session);
        var ctx = new CommandContext(server, session, new RespRequest());
        try
        {
            await RunLoopAsync(ctx, input, output, connection.ConnectionClosed);
        }
        catch (ConnectionResetException)
        {
            // The client went away; nothing to answer.
        }
        catch (ConnectionAbortedException)
        {
            // CLIENT KILL or shutdown.
        }
        catch (Exception ex)
        {
            LogConnectionFailed(logger, ex, session.Id);
        }
        finally
        {
            await server.Scripting.Watchdog.WaitWhileBusyAsync();
            lock (server.Keyspace.Sync)
            {
                server.AccountQueryBuffer(session, 0);
                server.Watches.UnwatchAll(session);
                server.Clients.Remove(session);
                server.OnClientDisconnected(session);
            }
        }
    }

    private async Task RunLoopAsync(CommandContext ctx, PipeReader input, PipeWriter output, CancellationToken closed)
    {
        var session = ctx.Client;
        var request = ctx.Request;
        while (!session.Closing)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            long received = buffer.Length;
            bool moreBuffered = false;
            ValueTask<FlushResult> flush;
            long flushedMark;
            // Normally this takes the keyspace lock. While a script runs past busy-reply-threshold
            // it holds the lock, and this connection answers without it (-BUSY, SCRIPT KILL).
            bool locked = EnterKeyspace();
            try
            {
                while (true)
                {
                    var status = RespRequestParser.TryParse(ref buffer, request, server.MaxBulkLength, out var error);
                    if (status == RespParseStatus.Incomplete) break;
                    if (status == RespParseStatus.ProtocolError)
                    {
                        // Redis answers and then closes this connection; every other one is unaffected.
                        server.Stats.ProtocolErrors++;
                        session.Writer.WriteError("ERR " + error);
                        session.MarkClosing();
                        break;
                    }
                    if (RequestGuards.LooksLikeHttp(request))
                    {
                        // Cross-protocol scripting: a browser POSTing to the RESP port. Redis drops
                        // the connection without a reply, before anything runs.
                        RequestGuards.LogHttpAttack(logger);
                        session.MarkClosing();
                        break;
                    }
                    if (!locked)
                    {
                        server.Scripting.Watchdog.AnswerWhileBusy(ctx);
                        // The script ended: leave the rest for the next pass, under the lock.
                        if (!server.Scripting.Watchdog.IsBusy)
                        {
                            moreBuffered = !buffer.IsEmpty;
                            break;
                        }
                        continue;
                    }
                    server.AccountQueryBuffer(session, request.ArgumentBytes + buffer.Length);
                    server.Dispatcher.Execute(ctx);
                    if (ctx.CloseAfterReply) session.MarkClosing();
                    if (session.Closing) break;
                    if (ctx.BlockUntil is not null)
                    {
                        moreBuffered = !buffer.IsEmpty;
                        break;
                    }
                }
                // A blocked client's request is re-run when it is served: keep it intact.
                if (ctx.BlockUntil is null) request.TrimIfLarge();
                // What this client holds unparsed or half-parsed counts into used_memory (maxmemory),
                // and past client-query-buffer-limit the client is closed, as Redis does.
                long queryBytes = request.PendingArguments > 0 ? request.ArgumentBytes + Math.Max(request.PendingBulkLength, buffer.Length) : buffer.Length;
                if (locked) server.AccountQueryBuffer(session, queryBytes);
                if (queryBytes > server.ClientQueryBufferLimit && !session.Closing)
                {
                    RequestGuards.LogQueryBufferLimit(logger, session.Id, queryBytes);
                    session.MarkClosing();
                }
                if (locked) CountTraffic(session, received - buffer.Length);
                flushedMark = session.Writer.BytesWritten;
                flush = output.FlushAsync();
            }
            finally
            {
                if (locked) server.Keyspace.Sync.Exit();
            }

            // When we stopped early, mark only what we consumed as examined, so the next read
            // returns the rest at once instead of waiting for new bytes.
            if (moreBuffered) input.AdvanceTo(buffer.Start);
            else input.AdvanceTo(buffer.Start, buffer.End);
            await flush;
            // The flush completed: the peer took what was written up to it (output-buffer limits).
            session.OutputConsumedMark = flushedMark;

            if (ctx.BlockUntil is { } blocked)
            {
                ctx.BlockUntil = null;
                // A blocked client that disconnects (or is killed) stops waiting; the finally block cleans up.
                await blocked.WaitAsync(closed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (closed.IsCancellationRequested) break;
                await server.Scripting.Watchdog.WaitWhileBusyAsync();
                lock (server.Keyspace.Sync)
                {
                    flushedMark = session.Writer.BytesWritten;
                    flush = output.FlushAsync();
                }
                await flush;
                session.OutputConsumedMark = flushedMark;
            }
            if (result.IsCompleted && !result.IsCanceled) break;
        }
    }

    /// <summary>
    /// Takes the keyspace lock, or returns false (without it) when a script is running past
    /// busy-reply-threshold: waiting in short slices lets this connection notice that and answer
    /// -BUSY instead of hanging until the script ends.
    /// </summary>
    private bool EnterKeyspace()
    {
        var sync = server.Keyspace.Sync;
        var watchdog = server.Scripting.Watchdog;
        while (true)
        {
            if (watchdog.IsBusy) return false;
            if (sync.TryEnter(10))
            {
                // A busy script handed off to its worker leaves the lock free for a moment: not ours.
                if (!watchdog.IsBusy) return true;
                sync.Exit();
                return false;
            }
        }
    }

    /// <summary>INFO's total_net_input_bytes / total_net_output_bytes. Called under the keyspace lock.</summary>
    private void CountTraffic(ClientSession session, long consumed)
    {
        server.Stats.TotalNetInputBytes += consumed;
        long written = session.Writer.BytesWritten;
        server.Stats.TotalNetOutputBytes += written - session.CountedOutputBytes;
        session.CountedOutputBytes = written;
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Connection {ClientId} failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, long clientId);
}
