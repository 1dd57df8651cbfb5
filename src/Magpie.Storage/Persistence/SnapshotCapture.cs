using System.Buffers;
using Magpie.Protocol;

namespace Magpie.Storage.Persistence;

/// <summary>
/// A point-in-time snapshot of a keyspace taken without stopping it (BGSAVE, BGREWRITEAOF, a
/// replica's full sync). A walker serializes the databases slot by slot in small chunks, each under
/// <see cref="Keyspace.Sync"/>, releasing the lock between chunks. Writes in between are hooked by
/// <see cref="Database"/>: before a key in a slot the walker has not reached yet is changed or
/// deleted, its pre-image is serialized into the snapshot; a key created after the start is marked
/// so the walker skips it. A FLUSHDB or SWAPDB first serializes the rest of the databases it touches.
/// The result is what the keyspace held when <see cref="Start"/> ran, at the cost of copying only
/// the keys written during the snapshot.
/// </summary>
/// <remarks>All members are called under <see cref="Keyspace.Sync"/>.</remarks>
public sealed class SnapshotCapture
{
    private readonly Keyspace _keyspace;
    private readonly RdbSaveOptions _options;
    private readonly long[] _startKeys;
    private readonly long[] _startExpires;
    private readonly bool[] _complete;
    private readonly HashSet<byte[]>?[] _done;
    private readonly ArrayBufferWriter<byte>?[] _preimages;
    private readonly long _startedAt;
    private int _db;
    private int _slot;
    private bool _dbHeaderWritten;

    private SnapshotCapture(Keyspace keyspace, RdbSaveOptions options)
    {
        _keyspace = keyspace;
        _options = options;
        int n = keyspace.DatabaseCount;
        _startKeys = new long[n];
        _startExpires = new long[n];
        _complete = new bool[n];
        _done = new HashSet<byte[]>?[n];
        _preimages = new ArrayBufferWriter<byte>?[n];
        _startedAt = keyspace.Now;
        for (int d = 0; d < n; d++)
        {
            _startKeys[d] = keyspace[d].Count;
            _startExpires[d] = keyspace[d].VolatileCount;
        }
    }

    /// <summary>Starts a snapshot of the keyspace as it is now; the caller holds the lock.</summary>
    public static SnapshotCapture Start(Keyspace keyspace, RdbSaveOptions? options = null)
    {
        if (keyspace.Snapshot is not null) throw new InvalidOperationException("a snapshot is already in progress");
        var capture = new SnapshotCapture(keyspace, options ?? new RdbSaveOptions());
        keyspace.Snapshot = capture;
        return capture;
    }

    public bool IsFinished { get; private set; }

    /// <summary>Keys serialized so far (walked plus pre-images).</summary>
    public long KeysWritten { get; private set; }

    /// <summary>Pre-images copied because a write reached a key before the walker did.</summary>
    public long PreimagesCaptured { get; private set; }

    /// <summary>
    /// Serializes the next chunk (at least <paramref name="maxKeys"/> keys unless the snapshot ends)
    /// into <paramref name="output"/>: SELECTDB/RESIZEDB when a database starts, its keys, and its
    /// pre-images when it ends. Returns false once everything was written; the capture then detaches.
    /// </summary>
    public bool Step(IBufferWriter<byte> output, int maxKeys = 256)
    {
        if (IsFinished) return false;
        int written = 0;
        while (_db < _keyspace.DatabaseCount && written < maxKeys)
        {
            var db = _keyspace[_db];
            if (_startKeys[_db] == 0)
            {
                NextDatabase();
                continue;
            }
            if (!_dbHeaderWritten)
            {
                RdbValueWriter.WriteByte(output, RdbOpcode.SelectDb);
                RdbValueWriter.WriteLength(output, (ulong)_db);
                RdbValueWriter.WriteByte(output, RdbOpcode.ResizeDb);
                RdbValueWriter.WriteLength(output, (ulong)_startKeys[_db]);
                RdbValueWriter.WriteLength(output, (ulong)_startExpires[_db]);
                _dbHeaderWritten = true;
            }
            if (!_complete[_db])
            {
                var done = _done[_db];
                while (_slot < HashSlot.Count && written < maxKeys)
                {
                    if (db.CountInSlot(_slot) != 0)
                    {
                        foreach (var e in db.EntriesInSlot(_slot))
                        {
                            if (done is not null && done.Contains(e.Key)) continue;
                            if (Write(output, e)) written++;
                        }
                    }
                    _slot++;
                }
                if (_slot < HashSlot.Count) break;
            }
            if (_preimages[_db] is { } pre) output.Write(pre.WrittenSpan);
            NextDatabase();
        }
        if (_db >= _keyspace.DatabaseCount)
        {
            IsFinished = true;
            Detach();
            return written > 0;
        }
        return true;
    }

    /// <summary>True when <see cref="Abort"/> ended the snapshot before it was complete.</summary>
    public bool Aborted { get; private set; }

    /// <summary>Stops capturing (a failed or abandoned save); the output so far is not a whole snapshot.</summary>
    public void Abort()
    {
        if (!IsFinished) Aborted = true;
        IsFinished = true;
        Detach();
    }

    private void Detach()
    {
        if (ReferenceEquals(_keyspace.Snapshot, this)) _keyspace.Snapshot = null;
        Array.Clear(_done);
        Array.Clear(_preimages);
    }

    private void NextDatabase()
    {
        _done[_db] = null;
        _preimages[_db] = null;
        _db++;
        _slot = 0;
        _dbHeaderWritten = false;
    }

    private bool Visited(int db, int slot) => db < _db || _complete[db] || (db == _db && slot < _slot);

    private bool Write(IBufferWriter<byte> output, Entry e)
    {
        if (e.ExpireAt != 0 && e.ExpireAt <= _startedAt) return false;
        var (hint, value) = RdbFileWriter.AccessHintOf(e, _keyspace, _options);
        RdbValueWriter.WriteEntry(output, e.Key, e.Value, e.ExpireAt, hint, value, _options.Compress);
        KeysWritten++;
        return true;
    }

    /// <summary>An existing entry is about to change or go: keep its pre-image if the walker hasn't passed it.</summary>
    internal void BeforeWrite(Database db, Entry entry)
    {
        int d = db.Index;
        if (_startKeys[d] == 0 || Visited(d, HashSlot.Of(entry.Key))) return;
        var done = _done[d] ??= new HashSet<byte[]>(ByteArrayComparer.Instance);
        if (!done.Add(entry.Key)) return;
        if (Write(_preimages[d] ??= new ArrayBufferWriter<byte>(4096), entry)) PreimagesCaptured++;
    }

    /// <summary>A key is being created: it did not exist at the start, so the walker must skip it.</summary>
    internal void BeforeAdd(Database db, ReadOnlySpan<byte> key)
    {
        int d = db.Index;
        if (_startKeys[d] == 0 || Visited(d, HashSlot.Of(key))) return;
        var done = _done[d] ??= new HashSet<byte[]>(ByteArrayComparer.Instance);
        done.Add(key.ToArray());
    }

    /// <summary>A whole database is about to be flushed or swapped: capture every key the walker hasn't reached.</summary>
    internal void BeforeWholeDatabase(Database db)
    {
        int d = db.Index;
        if (_startKeys[d] == 0 || _complete[d] || d < _db) return;
        var done = _done[d];
        var pre = _preimages[d] ??= new ArrayBufferWriter<byte>(4096);
        foreach (var e in db.AllEntries())
        {
            int slot = HashSlot.Of(e.Key);
            if (d == _db && slot < _slot) continue;
            if (done is not null && done.Contains(e.Key)) continue;
            if (Write(pre, e)) PreimagesCaptured++;
        }
        _complete[d] = true;
        _done[d] = null;
    }
}
