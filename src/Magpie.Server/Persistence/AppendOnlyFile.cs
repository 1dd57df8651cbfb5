using System.Buffers;
using System.Diagnostics;
using System.Text;
using Magpie.Server.Hosting;
using Magpie.Server.Propagation;
using Magpie.Storage.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Magpie.Server.Persistence;

/// <summary>How often the AOF is fsynced (Redis's appendfsync).</summary>
public enum AofFsync
{
    Always,
    EverySec,
    No,
}

/// <summary>
/// The append-only file in Redis 7's multi-part layout (a manifest, an RDB base, incremental files of
/// RESP commands) under DIR/appenddirname. It is a sink of the <see cref="CommandStream"/>:
/// <c>always</c> writes and fsyncs before the command's reply can leave; <c>everysec</c> and <c>no</c>
/// hand bytes to a writer thread that writes them at once and fsyncs once a second (everysec) or
/// never (no, the OS decides). BGREWRITEAOF switches new writes to a new incremental file and writes
/// a new base from a point-in-time <see cref="SnapshotCapture"/> without stalling clients, then
/// rewrites the manifest and deletes the old files.
/// </summary>
/// <remarks>Public members are called under the keyspace lock unless they say otherwise.</remarks>
public sealed partial class AppendOnlyFile : ICommandStreamSink
{
    private readonly ServerState _server;
    private readonly ILogger _logger;
    private readonly object _fileLock = new();
    private readonly object _bufferLock = new();
    private ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private ArrayBufferWriter<byte> _spare = new(1 << 16);
    private readonly AutoResetEvent _wake = new(false);
    private SafeFileHandle? _handle;
    private long _fileSize;
    private long _lastFsyncTicks;
    private Thread? _writer;
    private volatile bool _stopWriter;
    private AofManifest _manifest = new();
    private Thread? _rewrite;
    private SnapshotCapture? _capture;
    private long _rewriteStartedTicks;

    public AppendOnlyFile(ServerState server, ILogger logger, string dataDir)
    {
        _server = server;
        _logger = logger;
        var o = server.Options;
        DataDir = dataDir;
        DirName = o.AppendDirName;
        FilePrefix = o.AppendFilename;
        Fsync = ParseFsync(o.AppendFsync) ?? AofFsync.EverySec;
        LoadTruncated = o.AofLoadTruncated;
    }

    public string DataDir { get; }

    public string DirName { get; }

    public string FilePrefix { get; }

    public string Dir => Path.Combine(DataDir, DirName);

    public string ManifestPath => Path.Combine(Dir, AofManifest.ManifestName(FilePrefix));

    public AofFsync Fsync { get; set; }

    public bool LoadTruncated { get; set; }

    /// <summary>appendonly yes: commands are being appended.</summary>
    public bool Enabled { get; private set; }

    public bool RewriteInProgress => _rewrite is not null;

    public bool RewriteScheduled { get; private set; }

    public long LastRewriteSeconds { get; private set; } = -1;

    public long CurrentRewriteSeconds => _rewrite is null ? -1 : (long)Stopwatch.GetElapsedTime(_rewriteStartedTicks).TotalSeconds;

    public bool LastRewriteOk { get; private set; } = true;

    public long Rewrites { get; private set; }

    public long ConsecutiveFailures { get; private set; }

    public bool LastWriteOk { get; private set; } = true;

    public long CurrentSize => _fileSize + BaseSize;

    public long BaseSize { get; private set; }

    public int BufferLength
    {
        get
        {
            lock (_bufferLock) return _buffer.WrittenCount;
        }
    }

    public static AofFsync? ParseFsync(string value) => value.ToLowerInvariant() switch
    {
        "always" => AofFsync.Always,
        "everysec" => AofFsync.EverySec,
        "no" => AofFsync.No,
        _ => null,
    };

    public static string FormatFsync(AofFsync f) => f switch { AofFsync.Always => "always", AofFsync.No => "no", _ => "everysec" };

    /// <summary>At start, when appendonly is yes: true if an AOF was loaded (it then wins over the RDB).</summary>
    public bool LoadAtStartup()
    {
        if (!File.Exists(ManifestPath)) return false;
        AofManifest manifest;
        try
        {
            manifest = AofManifest.Parse(File.ReadAllText(ManifestPath));
        }
        catch (InvalidDataException ex)
        {
            throw new AofFileException(ManifestPath, 0, ex.Message);
        }
        var started = Stopwatch.StartNew();
        var loader = new AofLoader(_server, _logger);
        loader.Load(Dir, manifest, LoadTruncated);
        _manifest = manifest;
        LogLoaded(_logger, ManifestPath, loader.Commands, started.ElapsedMilliseconds);
        return true;
    }

    /// <summary>Starts appending (at start after the load, or CONFIG SET appendonly yes). Returns an error or null.</summary>
    public string? Enable()
    {
        if (Enabled) return null;
        try
        {
            Directory.CreateDirectory(Dir);
            if (_manifest.Base is null && _manifest.Incr.Count == 0)
            {
                // No AOF yet: new writes go to a first incr file while a rewrite writes the base.
                OpenIncr(_manifest.NextSeq, addToManifest: true, persistManifest: false);
                Attach();
                if (StartRewrite() is { } err && err.StartsWith("ERR", StringComparison.Ordinal)) return err;
                return null;
            }
            var last = _manifest.Incr.Count > 0 ? _manifest.Incr[^1] : null;
            if (last is null) OpenIncr(_manifest.NextSeq, addToManifest: true, persistManifest: true);
            else OpenFile(Path.Combine(Dir, last.Name));
            BaseSize = _manifest.Base is { } b && File.Exists(Path.Combine(Dir, b.Name)) ? new FileInfo(Path.Combine(Dir, b.Name)).Length : 0;
            Attach();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LastWriteOk = false;
            return "ERR " + ex.Message;
        }
    }

    /// <summary>CONFIG SET appendonly no, and the host's stop: writes and fsyncs what is pending, then closes.</summary>
    public void Disable()
    {
        if (!Enabled) return;
        _server.CommandStream.RemoveSink(this);
        Enabled = false;
        if (_capture is not null)
        {
            _capture.Abort();
            _capture = null;
            _rewrite = null;
        }
        StopWriter();
        lock (_fileLock)
        {
            Drain(fsync: true);
            _handle?.Dispose();
            _handle = null;
        }
    }

    private void Attach()
    {
        Enabled = true;
        _lastFsyncTicks = Stopwatch.GetTimestamp();
        if (Fsync != AofFsync.Always) StartWriter();
        _server.CommandStream.AddSink(this);
    }

    /// <summary>From the command stream, under the keyspace lock.</summary>
    public void Append(ReadOnlySpan<byte> respCommands)
    {
        if (Fsync == AofFsync.Always)
        {
            lock (_fileLock)
            {
                Drain(fsync: false);
                WriteToFile(respCommands);
                FsyncNow();
            }
            return;
        }
        lock (_bufferLock) _buffer.Write(respCommands);
        _wake.Set();
    }

    private void StartWriter()
    {
        if (_writer is not null) return;
        _stopWriter = false;
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "magpie-aof-writer" };
        _writer.Start();
    }

    private void StopWriter()
    {
        var t = _writer;
        if (t is null) return;
        _stopWriter = true;
        _wake.Set();
        t.Join();
        _writer = null;
    }

    private void WriterLoop()
    {
        while (!_stopWriter)
        {
            _wake.WaitOne(100);
            lock (_fileLock)
            {
                Drain(fsync: false);
                if (Fsync == AofFsync.EverySec && Stopwatch.GetElapsedTime(_lastFsyncTicks).TotalMilliseconds >= 1000) FsyncNow();
            }
        }
    }

    /// <summary>Writes the buffered bytes to the file (under _fileLock).</summary>
    private void Drain(bool fsync)
    {
        ArrayBufferWriter<byte> full;
        lock (_bufferLock)
        {
            if (_buffer.WrittenCount == 0)
            {
                if (fsync) FsyncNow();
                return;
            }
            full = _buffer;
            _buffer = _spare;
            _spare = full;
        }
        WriteToFile(full.WrittenSpan);
        full.ResetWrittenCount();
        if (fsync) FsyncNow();
    }

    private void WriteToFile(ReadOnlySpan<byte> bytes)
    {
        if (_handle is null) return;
        try
        {
            RandomAccess.Write(_handle, bytes, _fileSize);
            _fileSize += bytes.Length;
            LastWriteOk = true;
        }
        catch (IOException ex)
        {
            if (LastWriteOk) LogWriteFailed(_logger, ex);
            LastWriteOk = false;
        }
    }

    private void FsyncNow()
    {
        if (_handle is null) return;
        try
        {
            RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException ex)
        {
            LogWriteFailed(_logger, ex);
            LastWriteOk = false;
        }
        _lastFsyncTicks = Stopwatch.GetTimestamp();
    }

    private void OpenFile(string path)
    {
        lock (_fileLock)
        {
            Drain(fsync: true);
            _handle?.Dispose();
            _handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
            _fileSize = RandomAccess.GetLength(_handle);
        }
    }

    private void OpenIncr(long seq, bool addToManifest, bool persistManifest)
    {
        var name = AofManifest.IncrName(FilePrefix, seq);
        OpenFile(Path.Combine(Dir, name));
        if (addToManifest) _manifest.Incr.Add(new AofManifest.Item(name, seq, 'i'));
        if (persistManifest) WriteManifest(_manifest);
        _server.CommandStream.ForceSelect();
    }

    private void WriteManifest(AofManifest manifest)
    {
        var temp = Path.Combine(Dir, $"temp-{FilePrefix}.manifest");
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            f.Write(Encoding.ASCII.GetBytes(manifest.Format()));
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, ManifestPath, overwrite: true);
    }

    /// <summary>BGREWRITEAOF: the reply, or an error starting with "ERR".</summary>
    public string StartRewrite()
    {
        if (_rewrite is not null) return "ERR Background append only file rewriting already in progress";
        if (_server.Keyspace.Snapshot is not null)
        {
            RewriteScheduled = true;
            return "Background append only file rewriting scheduled";
        }
        try
        {
            Directory.CreateDirectory(Dir);
            var capture = SnapshotCapture.Start(_server.Keyspace, new RdbSaveOptions
            {
                Compress = _server.Persistence.Compress,
                UsedMemory = _server.Keyspace.UsedMemory,
                AofBase = true,
                AccessHint = RdbFileWriter.HintFor(_server.Keyspace.Policy),
            });
            // From this point new writes go to a new incr file: the base covers everything before it.
            long baseSeq = (_manifest.Base?.Seq ?? 0) + 1;
            var kept = new List<AofManifest.Item>();
            if (Enabled)
            {
                long incrSeq = (_manifest.Incr.Count > 0 ? _manifest.Incr[^1].Seq : 0) + 1;
                bool hadFiles = _manifest.Base is not null;
                // A first enable has already opened its incr file: it is the one the new base precedes.
                if (hadFiles || _manifest.Incr.Count == 0) OpenIncr(incrSeq, addToManifest: true, persistManifest: hadFiles);
                kept.Add(_manifest.Incr[^1]);
            }
            _capture = capture;
            _rewriteStartedTicks = Stopwatch.GetTimestamp();
            var thread = new Thread(() => RunRewrite(capture, baseSeq, kept)) { IsBackground = true, Name = "magpie-aof-rewrite" };
            _rewrite = thread;
            RewriteScheduled = false;
            thread.Start();
            return "Background append only file rewriting started";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LastRewriteOk = false;
            return "ERR " + ex.Message;
        }
    }

    private void RunRewrite(SnapshotCapture capture, long baseSeq, List<AofManifest.Item> kept)
    {
        var started = Stopwatch.StartNew();
        var baseName = AofManifest.BaseName(FilePrefix, baseSeq);
        var basePath = Path.Combine(Dir, baseName);
        Exception? failure = null;
        try
        {
            PersistenceManager.WriteAtomically(basePath, stream => _server.Persistence.WriteSnapshot(
                stream, capture, new RdbSaveOptions { Compress = _server.Persistence.Compress, AofBase = true }, "the rewrite"));
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        lock (_server.Keyspace.Sync)
        {
            if (!capture.IsFinished) capture.Abort();
            if (!ReferenceEquals(_capture, capture)) return;
            _capture = null;
            _rewrite = null;
            LastRewriteSeconds = (long)started.Elapsed.TotalSeconds;
            if (failure is null)
            {
                try
                {
                    var old = _manifest;
                    var next = new AofManifest { Base = new AofManifest.Item(baseName, baseSeq, 'b') };
                    next.Incr.AddRange(kept);
                    WriteManifest(next);
                    _manifest = next;
                    BaseSize = new FileInfo(basePath).Length;
                    if (old.Base is not null && old.Base.Name != baseName) TryDelete(old.Base.Name);
                    foreach (var i in old.Incr)
                        if (!kept.Contains(i)) TryDelete(i.Name);
                    LastRewriteOk = true;
                    ConsecutiveFailures = 0;
                    Rewrites++;
                    LogRewritten(_logger, basePath, started.ElapsedMilliseconds);
                    return;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failure = ex;
                }
            }
            LastRewriteOk = false;
            ConsecutiveFailures++;
            LogRewriteFailed(_logger, failure, basePath);
        }
    }

    private void TryDelete(string name)
    {
        try { File.Delete(Path.Combine(Dir, name)); }
        catch (IOException) { }
    }

    /// <summary>Without the lock: waits for a running rewrite (tests, the host's stop).</summary>
    public void WaitForRewrite() => _rewrite?.Join();

    /// <summary>Once a second: a scheduled rewrite starts when no BGSAVE is running.</summary>
    public void Tick()
    {
        if (RewriteScheduled && _rewrite is null && _server.Keyspace.Snapshot is null) StartRewrite();
    }

    [LoggerMessage(EventId = 821, Level = LogLevel.Information, Message = "DB loaded from append only file {Path}: {Commands} commands in {Milliseconds} ms")]
    private static partial void LogLoaded(ILogger logger, string path, long commands, long milliseconds);

    [LoggerMessage(EventId = 822, Level = LogLevel.Information, Message = "Background AOF rewrite finished successfully: {Path} in {Milliseconds} ms")]
    private static partial void LogRewritten(ILogger logger, string path, long milliseconds);

    [LoggerMessage(EventId = 823, Level = LogLevel.Error, Message = "Background AOF rewrite failed: {Path}")]
    private static partial void LogRewriteFailed(ILogger logger, Exception? exception, string path);

    [LoggerMessage(EventId = 824, Level = LogLevel.Error, Message = "Error writing to the AOF file")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);
}
