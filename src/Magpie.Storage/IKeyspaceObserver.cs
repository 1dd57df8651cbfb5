namespace Magpie.Storage;

/// <summary>
/// Told of every change to a key (write, delete, expiry, eviction, flush), under the keyspace
/// lock. The server uses it for WATCH, client-side-caching invalidation and blocked clients.
/// Implementations must be quick when nobody is interested.
/// </summary>
public interface IKeyspaceObserver
{
    void KeyModified(Database db, byte[] key);
}
