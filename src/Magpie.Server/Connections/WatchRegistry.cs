using Magpie.Storage;

namespace Magpie.Server.Connections;

/// <summary>
/// Which clients WATCH which keys. As the keyspace observer it marks those clients' transactions
/// as failed when a watched key changes by any means: a write, a delete, expiry or eviction.
/// </summary>
public sealed class WatchRegistry : IKeyspaceObserver
{
    private readonly Dictionary<(int Db, byte[] Key), List<ClientSession>> _watchers = new(KeyComparer.Instance);

    /// <summary>Extra observers (client tracking, blocked clients), told after watchers.</summary>
    public List<IKeyspaceObserver> Others { get; } = [];

    public void Watch(ClientSession client, Database db, byte[] key)
    {
        var id = (db.Index, key);
        if (!_watchers.TryGetValue(id, out var list)) _watchers[id] = list = [];
        if (!list.Contains(client))
        {
            list.Add(client);
            client.Transaction.Watched.Add((db, key));
        }
    }

    public void UnwatchAll(ClientSession client)
    {
        foreach (var (db, key) in client.Transaction.Watched)
        {
            var id = (db.Index, key);
            if (_watchers.TryGetValue(id, out var list))
            {
                list.Remove(client);
                if (list.Count == 0) _watchers.Remove(id);
            }
        }
        client.Transaction.Watched.Clear();
        client.Transaction.WatchedKeyChanged = false;
    }

    public void KeyModified(Database db, byte[] key)
    {
        if (_watchers.Count > 0 && _watchers.TryGetValue((db.Index, key), out var list))
            foreach (var client in list) client.Transaction.WatchedKeyChanged = true;
        foreach (var other in Others) other.KeyModified(db, key);
    }

    private sealed class KeyComparer : IEqualityComparer<(int Db, byte[] Key)>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals((int Db, byte[] Key) x, (int Db, byte[] Key) y) => x.Db == y.Db && x.Key.AsSpan().SequenceEqual(y.Key);

        public int GetHashCode((int Db, byte[] Key) obj) => KeyHashing.Hash(obj.Key) ^ obj.Db;
    }
}
