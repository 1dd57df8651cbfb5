using Magpie.Server.Commands;

namespace Magpie.Server.Blocking;

/// <summary>
/// Tries to serve a blocked client now from <paramref name="readyKey"/>, one of the keys it waits on
/// that was just written to (Redis 7.0 serves from the ready key, not from the first of the
/// client's keys). The client's request is intact while it waits, so the delegate can re-read its
/// arguments (COUNT, LEFT/RIGHT, destination). Called under the keyspace lock. Returns true when it
/// wrote the client's reply (data, or an error such as WRONGTYPE for a BLMOVE destination): the
/// client is then unblocked. Returns false, having written nothing, when there is still nothing to
/// serve (key gone, empty, or of another type): the client keeps waiting.
/// </summary>
public delegate bool BlockedServe(CommandContext ctx, byte[] readyKey);

/// <summary>One client waiting on one or more keys of one database (BLPOP, BLMOVE, BZPOPMIN, ...).</summary>
public sealed class BlockedClient
{
    internal BlockedClient(CommandContext context, int db, BlockedServe serve, long deadlineMs)
    {
        Context = context;
        Db = db;
        Serve = serve;
        DeadlineMs = deadlineMs;
    }

    public CommandContext Context { get; }

    /// <summary>The database the keys belong to (the client's SELECTed database when it blocked).</summary>
    public int Db { get; }

    /// <summary>Absolute Unix milliseconds at which it times out, 0 for never.</summary>
    public long DeadlineMs { get; }

    internal BlockedServe Serve { get; }

    internal List<byte[]> Keys { get; } = [];

    internal List<LinkedListNode<BlockedClient>> Nodes { get; } = [];

    internal TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Timer? Timer { get; set; }

    internal bool Active { get; set; } = true;

    /// <summary>
    /// Serve this waiter even when its key was deleted (XREADGROUP answers a deleted stream with an
    /// error); other waiters are passed over while the key is missing.
    /// </summary>
    public bool ServeWhenKeyMissing { get; set; }
}
