namespace Magpie.Storage;

/// <summary>
/// Told when the server itself deletes a key, not a command: expiry (lazy or active) and eviction
/// under maxmemory. Called under the keyspace lock right after the key is gone. The append-only
/// file and replication propagate these as DEL, as Redis does, and keyspace notifications fire
/// their "expired" and "evicted" events from here. Implementations must be quick.
/// </summary>
public interface IKeyRemovalListener
{
    void KeyExpired(Database db, byte[] key);

    void KeyEvicted(Database db, byte[] key);
}
