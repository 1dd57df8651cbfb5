using Magpie.Storage;

namespace Magpie.Server.Connections;

/// <summary>A client's MULTI queue and WATCHed keys.</summary>
public sealed class TransactionState
{
    public bool InMulti { get; set; }

    /// <summary>A queued command had an error: EXEC answers EXECABORT.</summary>
    public bool Dirty { get; set; }

    /// <summary>A watched key changed: EXEC answers a null array.</summary>
    public bool WatchedKeyChanged { get; set; }

    /// <summary>Queued commands, each as its argument list.</summary>
    public List<byte[][]> Queue { get; } = [];

    /// <summary>Watched keys as (database, key).</summary>
    public List<(Database Db, byte[] Key)> Watched { get; } = [];

    public void ResetMulti()
    {
        InMulti = false;
        Dirty = false;
        Queue.Clear();
    }
}
