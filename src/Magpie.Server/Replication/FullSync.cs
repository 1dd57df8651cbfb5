using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Magpie.Storage.Persistence;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Replication;

/// <summary>
/// Sends one replica a full sync: <c>+FULLRESYNC replid offset</c>, then a point-in-time RDB of the
/// keyspace taken with <see cref="SnapshotCapture"/> (the walk BGSAVE uses, chunked under the lock,
/// so clients are not stalled), then the write stream buffered since the snapshot started. A replica
/// that announced <c>capa eof</c> gets the RDB streamed as Redis's diskless form
/// (<c>$EOF:&lt;40 bytes&gt;</c> ... mark); others get <c>$length</c> once the whole RDB is built.
/// </summary>
internal static partial class FullSync
{
    /// <summary>Unsent output above which the sender waits for the replica to read.</summary>
    private const long MaxUnsentBytes = 8L << 20;

    public static void Start(ReplicationManager manager, ReplicaPeer peer, bool legacySync) =>
        _ = Task.Run(() => RunAsync(manager, peer, legacySync));

    private static async Task RunAsync(ReplicationManager manager, ReplicaPeer peer, bool legacySync)
    {
        var server = manager.Server;
        var keyspace = server.Keyspace;
        SnapshotCapture? capture = null;
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var options = new RdbSaveOptions
            {
                Compress = server.Persistence.Compress,
                ExtraAux = [],
            };
            // One snapshot at a time (a BGSAVE may be running): wait for the keyspace to be free.
            bool eof = peer.CapaEof && !legacySync;
            string mark = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
            while (capture is null)
            {
                lock (keyspace.Sync)
                {
                    if (manager.FindPeer(peer.Session) is null) return;
                    if (keyspace.Snapshot is null)
                    {
                        options = options with
                        {
                            ExtraAux = [new("repl-stream-db", manager.Backlog.StreamDb.ToString(CultureInfo.InvariantCulture)), new("repl-id", manager.ReplId), new("repl-offset", manager.Backlog.Offset.ToString(CultureInfo.InvariantCulture))],
                            UsedMemory = keyspace.UsedMemory,
                        };
                        capture = SnapshotCapture.Start(keyspace, options);
                        peer.Pending = new ArrayBufferWriter<byte>(1 << 16);
                        peer.State = ReplicaPeerState.SendBulk;
                        var head = legacySync ? "" : $"+FULLRESYNC {manager.ReplId} {manager.Backlog.Offset}\r\n";
                        if (eof) head += $"$EOF:{mark}\r\n";
                        peer.Send(Encoding.ASCII.GetBytes(head));
                        break;
                    }
                }
                await Task.Delay(50);
            }

            var rdb = new MemoryStream(1 << 16);
            var writer = new RdbFileWriter(rdb, options);
            writer.WriteHeader();
            var chunk = new ArrayBufferWriter<byte>(1 << 16);
            bool more = true;
            long sent = 0;
            while (more)
            {
                lock (keyspace.Sync)
                {
                    if (manager.FindPeer(peer.Session) is null)
                    {
                        capture.Abort();
                        return;
                    }
                    more = capture.Step(chunk, 512);
                }
                writer.WriteSerialized(chunk.WrittenSpan);
                chunk.ResetWrittenCount();
                if (!more) writer.Finish();
                if (eof && (rdb.Length >= 1 << 16 || !more))
                {
                    lock (keyspace.Sync)
                    {
                        if (manager.FindPeer(peer.Session) is null) return;
                        peer.Send(rdb.GetBuffer().AsSpan(0, (int)rdb.Length));
                    }
                    sent += rdb.Length;
                    rdb.SetLength(0);
                    // Back-pressure: let the replica read before building more.
                    while (peer.Session.PendingOutputBytes > MaxUnsentBytes && !peer.Session.Closing) await Task.Delay(2);
                }
            }
            if (capture.Aborted) throw new InvalidOperationException("the snapshot was abandoned");
            lock (keyspace.Sync)
            {
                if (manager.FindPeer(peer.Session) is null) return;
                if (eof) peer.Send(Encoding.ASCII.GetBytes(mark));
                else
                {
                    sent = rdb.Length;
                    peer.Send(Encoding.ASCII.GetBytes($"${rdb.Length}\r\n"));
                    peer.Send(rdb.GetBuffer().AsSpan(0, (int)rdb.Length));
                }
                if (eof) peer.OnlineOnAck = true;
                else peer.PutOnline(keyspace.Clock());
            }
            LogSent(manager.Logger, peer.Ip, peer.ListeningPort, sent, started.ElapsedMilliseconds);
        }
        catch (Exception ex)
        {
            LogFailed(manager.Logger, ex, peer.Ip, peer.ListeningPort);
            lock (keyspace.Sync)
            {
                if (capture is { IsFinished: false }) capture.Abort();
                peer.Session.Kill();
            }
        }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Full sync of replica {Ip}:{Port} sent: {Bytes} bytes of RDB in {Ms} ms")]
    private static partial void LogSent(ILogger logger, string ip, int port, long bytes, long ms);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Full sync of replica {Ip}:{Port} failed; the connection is closed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string ip, int port);
}
