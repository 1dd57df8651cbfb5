namespace Magpie.Storage;

/// <summary>
/// All databases of a node, with the memory accounting, expiry and eviction that span them.
/// One lock (<see cref="Sync"/>) guards everything: a connection takes it once per batch of
/// pipelined commands, which on this workload beats finer locks (see docs/performance.md).
/// </summary>
public sealed class Keyspace
{
    private readonly Database[] _databases;
    private readonly Random _random = new();

    public Keyspace(int databases = 16, Func<long>? clock = null)
    {
        if (databases < 1) throw new ArgumentOutOfRangeException(nameof(databases), "databases must be at least 1");
        _databases = new Database[databases];
        for (int i = 0; i < databases; i++) _databases[i] = new Database(this, i);
        Clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    public Lock Sync { get; } = new();

    public Func<long> Clock { get; set; }

    private long _commandNow;

    /// <summary>Unix milliseconds now; fixed for the length of a command, as Redis caches mstime.</summary>
    public long Now => _commandNow != 0 ? _commandNow : Clock();

    /// <summary>Fixes <see cref="Now"/> for one command, so a command sees one consistent time.</summary>
    public void BeginCommand() => _commandNow = Clock();

    public void EndCommand() => _commandNow = 0;

    public int DatabaseCount => _databases.Length;

    public Database this[int index] => _databases[index];

    public KeyspaceStats Stats { get; } = new();

    public IKeyspaceObserver? Observer { get; set; }

    /// <summary>Told of keys the server deletes by itself (expiry, eviction); see <see cref="IKeyRemovalListener"/>.</summary>
    public List<IKeyRemovalListener> RemovalListeners { get; } = [];

    /// <summary>Told when a key is created (keyspace notifications' "new" event); null when nobody listens.</summary>
    public Action<Database, byte[]>? KeyAdded { get; set; }

    /// <summary>Told of a read lookup that missed (keyspace notifications' "keymiss"); null when nobody listens.</summary>
    public KeyMissHandler? KeyMissed { get; set; }

    /// <summary>The snapshot in progress (BGSAVE), told of writes so it can keep pre-images; null when none.</summary>
    public Persistence.SnapshotCapture? Snapshot { get; internal set; }

    /// <summary>Dataset bytes as accounted: entries, keys, values and table buckets.</summary>
    public long DatasetBytes { get; private set; }

    /// <summary>Extra bytes the host adds to used_memory (client buffers and the like).</summary>
    public Func<long> OverheadBytes { get; set; } = () => 0;

    /// <summary>INFO's used_memory: what maxmemory is enforced against.</summary>
    public long UsedMemory => DatasetBytes + OverheadBytes();

    public long MaxMemory { get; set; }

    public EvictionPolicy Policy { get; set; } = EvictionPolicy.NoEviction;

    public int MaxMemorySamples { get; set; } = 5;

    public int LfuLogFactor { get; set; } = 10;

    public int LfuDecayTime { get; set; } = 1;

    /// <summary>Sampled keys tested per active-expiry round (Redis: 20).</summary>
    public int ActiveExpireSamples { get; set; } = 20;

    public long TotalKeys()
    {
        long n = 0;
        foreach (var db in _databases) n += db.Count;
        return n;
    }

    public void FlushAll()
    {
        foreach (var db in _databases) db.Flush();
    }

    public void SwapDatabases(int a, int b)
    {
        if (a == b) return;
        // Every key of both databases changes meaning: tell watchers before and after.
        NotifyAll(_databases[a]);
        NotifyAll(_databases[b]);
        _databases[a].SwapContents(_databases[b]);
        NotifyAll(_databases[a]);
        NotifyAll(_databases[b]);
    }

    internal uint NewAccess() => Policy.IsLfu() ? AccessClock.LfuNew(Now) : AccessClock.LruNow(Now);

    internal void RecordAccess(Entry entry)
    {
        entry.Access = Policy.IsLfu()
            ? AccessClock.LfuTouch(entry.Access, Now, LfuLogFactor, LfuDecayTime, _random)
            : AccessClock.LruNow(Now);
    }

    internal void Reaccount(Entry entry)
    {
        int bytes = entry.MeasureBytes();
        DatasetBytes += bytes - entry.AccountedBytes;
        LargeValueReclaimer.Freed(entry.AccountedBytes - bytes);
        entry.AccountedBytes = bytes;
    }

    internal void Unaccount(Entry entry)
    {
        DatasetBytes -= entry.AccountedBytes;
        LargeValueReclaimer.Freed(entry.AccountedBytes);
        entry.AccountedBytes = 0;
    }

    internal void NotifyModified(Database db, byte[] key) => Observer?.KeyModified(db, key);

    private void NotifyAll(Database db)
    {
        if (Observer is null) return;
        foreach (var e in db.AllEntries()) Observer.KeyModified(db, e.Key);
    }

    /// <summary>
    /// Evicts keys by the policy until used memory is under maxmemory. Returns false when it is
    /// still over (noeviction, or nothing left that the policy may evict): the write must fail with OOM.
    /// </summary>
    public bool TryFreeMemory()
    {
        if (MaxMemory <= 0) return true;
        while (UsedMemory > MaxMemory)
        {
            if (Policy == EvictionPolicy.NoEviction) return false;
            var victim = Evictor.PickVictim(this, _random);
            if (victim is null) return false;
            victim.Value.Db.Remove(victim.Value.Entry);
            Stats.EvictedKeys++;
            foreach (var listener in RemovalListeners) listener.KeyEvicted(victim.Value.Db, victim.Value.Entry.Key);
        }
        return true;
    }

    /// <summary>
    /// One active-expiry round, like Redis's: sample keys with a TTL in each database, delete the
    /// expired ones, and repeat while more than a quarter of a sample had expired.
    /// </summary>
    /// <summary>DEBUG SET-ACTIVE-EXPIRE 0 turns the background expiry off; lazy expiry stays.</summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    public int ActiveExpireCycle(int maxRounds = 16)
    {
        if (!ActiveExpireEnabled) return 0;
        int expired = 0;
        long now = Now;
        Stats.ExpireCycles++;
        foreach (var db in _databases)
        {
            for (int round = 0; round < maxRounds && db.VolatileCount > 0; round++)
            {
                int sample = Math.Min(ActiveExpireSamples, db.VolatileCount);
                int hits = 0;
                for (int i = 0; i < sample; i++)
                {
                    var e = db.RandomVolatile(_random);
                    if (e is null) break;
                    if (e.ExpireAt != 0 && e.ExpireAt <= now)
                    {
                        db.ExpireNow(e);
                        hits++;
                    }
                }
                expired += hits;
                if (hits * 4 <= sample) break;
            }
        }
        return expired;
    }

    public Random Random => _random;
}

/// <summary>A read lookup that found no key.</summary>
public delegate void KeyMissHandler(Database db, ReadOnlySpan<byte> key);
