using System.Collections.Concurrent;

namespace Magpie.Server.Connections;

/// <summary>The node's connected clients, for CLIENT LIST/KILL and INFO clients.</summary>
public sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<long, ClientSession> _clients = new();
    private long _nextId;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ClientSession session) => _clients[session.Id] = session;

    public void Remove(ClientSession session) => _clients.TryRemove(session.Id, out _);

    public int Count => _clients.Count;

    public IEnumerable<ClientSession> All => _clients.Values.OrderBy(c => c.Id);

    public ClientSession? Find(long id) => _clients.GetValueOrDefault(id);

    /// <summary>Bytes queued for clients but not yet flushed, counted into used_memory.</summary>
    public long OutputBufferBytes()
    {
        long total = 0;
        foreach (var (_, session) in _clients)
            if (session.HasConnection) total += session.PendingOutputBytes;
        return total;
    }
}
