namespace Magpie.Client.Caching;

/// <summary>How other processes learn that a key changed, so they drop their in-process copy.</summary>
public enum InvalidationMode
{
    /// <summary>Server-assisted tracking when the server offers it (RESP3 CLIENT TRACKING), else pub/sub.</summary>
    Auto,

    /// <summary>RESP3 CLIENT TRACKING in broadcast mode: the server pushes "invalidate" for every write under the prefix.</summary>
    Tracking,

    /// <summary>Writers publish the key on a channel that every process subscribes to. Works on any Redis.</summary>
    PubSub,

    /// <summary>No cross-process invalidation; in-process copies live until they expire.</summary>
    None,
}
