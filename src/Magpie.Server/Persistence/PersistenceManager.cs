using System.Buffers;
using System.Diagnostics;
using Magpie.Server.Commands;
using Magpie.Server.Hosting;
using Magpie.Storage;
using Magpie.Storage.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Server.Persistence;

/// <summary>
/// RDB snapshots of one node: SAVE, BGSAVE (point in time, chunked, see <see cref="SnapshotCapture"/>),
/// save points, the load at start and the figures INFO persistence reports. Every member is called
/// under the keyspace lock unless it says otherwise.
/// </summary>
public sealed partial class PersistenceManager : ICommandPropagator
{
    private readonly ServerState _server;
    private readonly ILogger _logger;
    private Thread? _bgsave;
    private SnapshotCapture? _capture;
    private long _dirtyAtBgsaveStart;

    public PersistenceManager(ServerState server, ILogger? logger = null)
    {
        _server = server;
        _logger = logger ?? NullLogger.Instance;
        var o = server.Options;
        DataDir = string.IsNullOrWhiteSpace(o.DataDir) ? null : Path.GetFullPath(o.DataDir);
        DbFilename = o.DbFilename;
        SavePoints.TryParse(o.Save, out var points, out _);
        Points = points;
        Compress = o.RdbCompression;
        LastSaveUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (DataDir is not null) Aof = new AppendOnlyFile(server, _logger, DataDir);
    }

    /// <summary>The append-only file (null without a data dir).</summary>
    public AppendOnlyFile? Aof { get; }

    public string? DataDir { get; }

    public string DbFilename { get; set; }

    public SavePoints Points { get; set; }

    public bool Compress { get; set; }

    public string? RdbPath => DataDir is null ? null : Path.Combine(DataDir, DbFilename);

    /// <summary>Writes since the last successful save (INFO rdb_changes_since_last_save).</summary>
    public long Dirty { get; private set; }

    public long LastSaveUnix { get; private set; }

    public bool LastBgsaveOk { get; private set; } = true;

    public long LastBgsaveSeconds { get; private set; } = -1;

    public bool BgsaveInProgress => _bgsave is not null;

    public long BgsaveStartedUnix { get; private set; }

    public bool BgsaveScheduled { get; private set; }

    public long SavesCompleted { get; private set; }

    public bool Loading { get; private set; }

    /// <summary>SHUTDOWN already decided whether to save; the host's stop must not save again.</summary>
    public bool ShutdownHandled { get; set; }

    public long LoadedKeys { get; private set; }

    public long LoadedExpired { get; private set; }

    /// <summary>Set by a failed save point BGSAVE, so the next try waits 5 s as Redis's CONFIG_BGSAVE_RETRY_DELAY.</summary>
    private long _lastBgsaveTryUnix;

    public void Propagate(CommandContext ctx) => Dirty++;

    /// <summary>Refuses to run when persistence has nowhere to write.</summary>
    private string? CheckDataDir() => DataDir is null ? "ERR persistence is off: start the node with --data-dir to save snapshots" : null;

    /// <summary>SAVE: the whole keyspace, in the foreground. Returns an error reply or null.</summary>
    public string? Save()
    {
        if (CheckDataDir() is { } off) return off;
        if (BgsaveInProgress) return "ERR Background save already in progress";
        var started = Stopwatch.StartNew();
        try
        {
            WriteAtomically(RdbPath!, stream => RdbFileWriter.WriteKeyspace(stream, _server.Keyspace, SaveOptions()));
        }
        // NotSupportedException: a value type the RDB writer can't encode yet (streams).
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            LogSaveFailed(_logger, ex, RdbPath!);
            LastBgsaveOk = false;
            return "ERR " + ex.Message;
        }
        Dirty = 0;
        LastSaveUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        SavesCompleted++;
        LogSaved(_logger, RdbPath!, started.ElapsedMilliseconds);
        return null;
    }

    /// <summary>BGSAVE [SCHEDULE]: the reply text, or an error starting with "ERR".</summary>
    public string StartBackgroundSave(bool schedule = false)
    {
        if (CheckDataDir() is { } off) return off;
        if (BgsaveInProgress) return "ERR Background save already in progress";
        if (_server.Keyspace.Snapshot is not null)
        {
            if (!schedule) return "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
            BgsaveScheduled = true;
            return "Background saving scheduled";
        }
        StartBgsaveThread();
        return "Background saving started";
    }

    private void StartBgsaveThread()
    {
        var path = RdbPath!;
        var options = SaveOptions();
        var capture = SnapshotCapture.Start(_server.Keyspace, options);
        _dirtyAtBgsaveStart = Dirty;
        BgsaveStartedUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _lastBgsaveTryUnix = BgsaveStartedUnix;
        var thread = new Thread(() => RunBackgroundSave(capture, path, options)) { IsBackground = true, Name = "magpie-bgsave" };
        _bgsave = thread;
        _capture = capture;
        LogBgsaveStarted(_logger, path);
        thread.Start();
    }

    /// <summary>
    /// Writes <paramref name="capture"/> as an RDB file: the snapshot is taken in chunks under the
    /// keyspace lock, the bytes are written outside it (BGSAVE and the AOF rewrite's base file).
    /// </summary>
    internal void WriteSnapshot(Stream stream, SnapshotCapture capture, RdbSaveOptions options, string what)
    {
        var writer = new RdbFileWriter(stream, options);
        writer.WriteHeader();
        var chunk = new ArrayBufferWriter<byte>(1 << 16);
        bool more = true;
        while (more)
        {
            lock (_server.Keyspace.Sync) more = capture.Step(chunk, 512);
            writer.WriteSerialized(chunk.WrittenSpan);
            chunk.ResetWrittenCount();
        }
        if (capture.Aborted) throw new OperationCanceledException($"{what} was abandoned");
        writer.Finish();
    }

    /// <summary>On the save thread: chunks under the lock, file writes outside it.</summary>
    private void RunBackgroundSave(SnapshotCapture capture, string path, RdbSaveOptions options)
    {
        var started = Stopwatch.StartNew();
        Exception? failure = null;
        try
        {
            WriteAtomically(path, stream => WriteSnapshot(stream, capture, options, "the background save"));
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        lock (_server.Keyspace.Sync)
        {
            if (!capture.IsFinished) capture.Abort();
            if (!ReferenceEquals(_capture, capture)) return; // abandoned by AbandonBackgroundSave
            _bgsave = null;
            _capture = null;
            LastBgsaveSeconds = (long)started.Elapsed.TotalSeconds;
            if (failure is null)
            {
                LastBgsaveOk = true;
                Dirty -= _dirtyAtBgsaveStart;
                LastSaveUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                SavesCompleted++;
                LogSaved(_logger, path, started.ElapsedMilliseconds);
            }
            else
            {
                LastBgsaveOk = false;
                LogSaveFailed(_logger, failure, path);
            }
        }
    }

    /// <summary>Stops a running BGSAVE at once (SHUTDOWN): its temp file is deleted and dump.rdb is left as it was.</summary>
    public void AbandonBackgroundSave()
    {
        if (_capture is null) return;
        _capture.Abort();
        _capture = null;
        _bgsave = null;
    }

    /// <summary>Waits (without the lock) for a running BGSAVE to end; for the host's stop and tests.</summary>
    public void WaitForBackgroundSave()
    {
        var t = _bgsave;
        t?.Join();
    }

    /// <summary>The once-a-second check: save points, a scheduled BGSAVE.</summary>
    public void Tick()
    {
        if (DataDir is null || BgsaveInProgress || _server.Keyspace.Snapshot is not null) return;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (BgsaveScheduled)
        {
            BgsaveScheduled = false;
            StartBgsaveThread();
            return;
        }
        if (!LastBgsaveOk && now - _lastBgsaveTryUnix < 5) return;
        foreach (var (seconds, changes) in Points.Points)
        {
            if (Dirty >= changes && now - LastSaveUnix >= seconds)
            {
                LogSavePoint(_logger, changes, seconds);
                StartBgsaveThread();
                return;
            }
        }
    }

    /// <summary>At start: load the snapshot if the data dir has one. Throws <see cref="RdbFileException"/> on a bad file.</summary>
    public void LoadAtStartup()
    {
        if (Aof is not null && _server.Options.AppendOnly)
        {
            // As Redis: with appendonly yes the AOF is the only source, the snapshot is not read.
            lock (_server.Keyspace.Sync)
            {
                Loading = true;
                try
                {
                    Aof.LoadAtStartup();
                }
                finally
                {
                    Loading = false;
                }
                Dirty = 0;
                if (Aof.Enable() is { } error) throw new AofFileException(Aof.ManifestPath, 0, error);
            }
            return;
        }
        if (RdbPath is not { } path || !File.Exists(path)) return;
        var started = Stopwatch.StartNew();
        lock (_server.Keyspace.Sync)
        {
            Loading = true;
            try
            {
                var result = RdbFileLoader.LoadFile(path, _server.Keyspace, new RdbLoadOptions { OnFunction = LoadFunctionLibrary });
                LoadedKeys = result.KeysLoaded;
                LoadedExpired = result.ExpiredSkipped;
                LogLoaded(_logger, path, result.KeysLoaded, result.ExpiredSkipped, started.ElapsedMilliseconds);
            }
            finally
            {
                Loading = false;
            }
        }
    }

    private RdbSaveOptions SaveOptions() => new()
    {
        Compress = Compress,
        UsedMemory = _server.Keyspace.UsedMemory,
        AccessHint = RdbFileWriter.HintFor(_server.Keyspace.Policy),
        Functions = _server.Scripting.Functions.Codes(),
    };

    /// <summary>A function library from the snapshot; one that no longer loads is logged and left out.</summary>
    private void LoadFunctionLibrary(byte[] code)
    {
        var error = _server.Scripting.Functions.LoadFromRdb(code);
        if (error is not null) LogFunctionNotLoaded(_logger, error);
    }

    /// <summary>Writes into "temp-PID.rdb" in the same directory, fsyncs it, renames it over the target and fsyncs the directory.</summary>
    internal static void WriteAtomically(string path, Action<Stream> write)
    {
        var dir = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(dir, $"temp-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.rdb");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            FsyncDirectory(dir);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    private static void FsyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            using var handle = File.OpenHandle(dir, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse to fsync a directory; the rename itself is still atomic.
        }
    }

    /// <summary>Checks at start that the data dir exists (or can be made) and is writable; null when fine.</summary>
    public static string? CheckWritable(string dataDir)
    {
        try
        {
            Directory.CreateDirectory(dataDir);
            var probe = Path.Combine(dataDir, $".magpie-write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "DB saved on disk: {Path} in {Milliseconds} ms")]
    private static partial void LogSaved(ILogger logger, string path, long milliseconds);

    [LoggerMessage(EventId = 801, Level = LogLevel.Error, Message = "Saving {Path} failed")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Background saving started: {Path}")]
    private static partial void LogBgsaveStarted(ILogger logger, string path);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "{Changes} changes in {Seconds} seconds. Saving...")]
    private static partial void LogSavePoint(ILogger logger, int changes, int seconds);

    [LoggerMessage(EventId = 804, Level = LogLevel.Information, Message = "DB loaded from disk: {Path}, {Keys} keys ({Expired} expired keys skipped) in {Milliseconds} ms")]
    private static partial void LogLoaded(ILogger logger, string path, long keys, long expired, long milliseconds);

    [LoggerMessage(EventId = 880, Level = LogLevel.Warning, Message = "A function library in the snapshot was not loaded: {Error}")]
    private static partial void LogFunctionNotLoaded(ILogger logger, string error);
}
