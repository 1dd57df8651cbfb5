using System.Buffers;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;
using Magpie.Storage.Persistence;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Persistence;

/// <summary>A bad append-only file: the start-up error names the file and the byte offset.</summary>
public sealed class AofFileException(string path, long offset, string reason)
    : Exception($"Bad AOF file '{path}' at offset {offset}: {reason}. Make a backup of it, then check it with redis-check-aof (--fix truncates a broken tail).")
{
    public string Path { get; } = path;
    public long Offset { get; } = offset;
}

/// <summary>
/// Loads a multi-part AOF as Redis 7 does: the base file (an RDB, or RESP commands when it does not
/// start with "REDIS"), then each incremental file's commands in order, run through the dispatcher
/// by an internal client. A command cut short at the end of the last file (or a MULTI never closed)
/// is dropped and the file truncated there when aof-load-truncated is yes; any other damage stops
/// the load with the file and offset.
/// </summary>
public sealed partial class AofLoader(ServerState server, ILogger logger)
{
    public long Commands { get; private set; }

    public void Load(string dir, AofManifest manifest, bool loadTruncated)
    {
        if (manifest.Base is { } b)
        {
            var path = Path.Combine(dir, b.Name);
            if (!File.Exists(path)) throw new AofFileException(path, 0, "the manifest lists it but it does not exist");
            bool rdb;
            using (var f = File.OpenRead(path))
            {
                Span<byte> magic = stackalloc byte[5];
                rdb = f.ReadAtLeast(magic, 5, throwOnEndOfStream: false) == 5 && magic.SequenceEqual("REDIS"u8);
            }
            if (rdb)
            {
                try
                {
                    RdbFileLoader.LoadFile(path, server.Keyspace);
                }
                catch (RdbFileException ex)
                {
                    throw new AofFileException(path, ex.Offset, ex.Reason);
                }
            }
            else Replay(path, last: manifest.Incr.Count == 0, loadTruncated);
        }
        for (int i = 0; i < manifest.Incr.Count; i++)
        {
            var path = Path.Combine(dir, manifest.Incr[i].Name);
            if (!File.Exists(path)) throw new AofFileException(path, 0, "the manifest lists it but it does not exist");
            Replay(path, last: i == manifest.Incr.Count - 1, loadTruncated);
        }
    }

    private void Replay(string path, bool last, bool loadTruncated)
    {
        var bytes = File.ReadAllBytes(path);
        var output = new ArrayBufferWriter<byte>(256);
        var session = new ClientSession(server.Clients.NextId(), null, new RespWriter(output), server.Keyspace.Clock()) { Authenticated = true };
        var ctx = new CommandContext(server, session, new RespRequest());
        var sequence = new ReadOnlySequence<byte>(bytes);
        long multiAt = -1;
        var queued = new List<(byte[][] Args, long Offset)>();
        while (sequence.Length > 0)
        {
            long at = bytes.Length - sequence.Length;
            if (sequence.FirstSpan[0] != '*') throw new AofFileException(path, at, "expected '*' (a RESP array)");
            var status = RespRequestParser.TryParse(ref sequence, ctx.Request, long.MaxValue, out var error);
            if (status == RespParseStatus.Incomplete)
            {
                Truncated(path, multiAt >= 0 ? multiAt : at, last, loadTruncated);
                return;
            }
            if (status != RespParseStatus.Complete) throw new AofFileException(path, at, error ?? "bad RESP");
            var request = ctx.Request;
            if (request.Count == 0) throw new AofFileException(path, at, "empty command");
            // A transaction runs when its EXEC is read: one cut short by the end of the file is dropped whole.
            if (RedisNumbers.EqualsIgnoreCase(request[0], "multi"u8))
            {
                multiAt = at;
                queued.Clear();
                continue;
            }
            if (RedisNumbers.EqualsIgnoreCase(request[0], "exec"u8))
            {
                multiAt = -1;
                var replay = new RespRequest();
                foreach (var (args, offset) in queued)
                {
                    replay.Load(args);
                    Run(ctx, replay, path, offset);
                }
                ctx.Request = request;
                queued.Clear();
                output.ResetWrittenCount();
                continue;
            }
            if (multiAt >= 0)
            {
                var args = new byte[request.Count][];
                for (int i = 0; i < args.Length; i++) args[i] = request.ToArray(i);
                queued.Add((args, at));
                continue;
            }
            Run(ctx, request, path, at);
            output.ResetWrittenCount();
        }
        if (multiAt >= 0) Truncated(path, multiAt, last, loadTruncated);
    }

    private void Run(CommandContext ctx, RespRequest request, string path, long at)
    {
        lock (server.Keyspace.Sync)
        {
            ctx.Request = request;
            var spec = server.Dispatcher.Resolve(ctx, request);
            if (spec is null) throw new AofFileException(path, at, $"unknown command '{request.GetString(0)}'");
            server.Dispatcher.Run(ctx, spec);
        }
        Commands++;
    }

    private void Truncated(string path, long validUpTo, bool last, bool loadTruncated)
    {
        if (!last || !loadTruncated)
            throw new AofFileException(path, validUpTo, last ? "unexpected end of file (aof-load-truncated is no)" : "unexpected end of a file that is not the last one");
        LogTruncated(logger, path, validUpTo);
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.SetLength(validUpTo);
        f.Flush(flushToDisk: true);
    }

    [LoggerMessage(EventId = 820, Level = LogLevel.Warning, Message = "!!! Warning: short read while loading the AOF file {Path}: the last command is incomplete. AOF loaded anyway because aof-load-truncated is enabled; the file was truncated to {Offset} bytes")]
    private static partial void LogTruncated(ILogger logger, string path, long offset);
}
