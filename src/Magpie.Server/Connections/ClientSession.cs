using System.Text;
using Magpie.Protocol;
using Microsoft.AspNetCore.Connections;

namespace Magpie.Server.Connections;

/// <summary>One client connection's state: what CLIENT LIST shows and what commands change.</summary>
public sealed class ClientSession
{
    private readonly ConnectionContext? _connection;

    public ClientSession(long id, ConnectionContext? connection, RespWriter writer, long nowMs)
    {
        Id = id;
        _connection = connection;
        Writer = writer;
        CreatedAtMs = nowMs;
        LastCommandAtMs = nowMs;
        RemoteEndPoint = connection?.RemoteEndPoint?.ToString() ?? "";
        LocalEndPoint = connection?.LocalEndPoint?.ToString() ?? "";
    }

    public long Id { get; }

    /// <summary>False for in-process sessions (tests), which have no transport holding output.</summary>
    public bool HasConnection => _connection is not null;

    public string? Name { get; set; }

    public int Database { get; set; }

    public RespWriter Writer { get; }

    public RespVersion Protocol
    {
        get => Writer.Version;
        set => Writer.Version = value;
    }

    public string RemoteEndPoint { get; }

    public string LocalEndPoint { get; }

    public long CreatedAtMs { get; }

    public long LastCommandAtMs { get; set; }

    /// <summary>Lowercase name of the last command run, for CLIENT LIST's "cmd".</summary>
    public string LastCommand { get; set; } = "NULL";

    /// <summary>The ACL user this connection runs as; null for the default user.</summary>
    public Security.AclUser? User { get; set; }

    /// <summary>Set by a successful AUTH or HELLO AUTH.</summary>
    public bool Authenticated { get; set; }

    public string? LibName { get; set; }

    public string? LibVersion { get; set; }

    /// <summary>Set when CLIENT KILL or QUIT asked for the connection to close.</summary>
    public bool Closing { get; private set; }

    /// <summary>Guards <see cref="Writer"/> when another connection writes into it (pushes).</summary>
    public Lock OutputLock { get; } = new();

    /// <summary>State of MULTI/EXEC and WATCH.</summary>
    public TransactionState Transaction { get; } = new();

    /// <summary>Channels this client subscribed to (SUBSCRIBE).</summary>
    public int ChannelCount { get; set; }

    /// <summary>Patterns this client subscribed to (PSUBSCRIBE).</summary>
    public int PatternCount { get; set; }

    /// <summary>Shard channels this client subscribed to (SSUBSCRIBE).</summary>
    public int ShardChannelCount { get; set; }

    /// <summary>Channel + pattern subscriptions, the count SUBSCRIBE/PSUBSCRIBE replies carry.</summary>
    public int ChannelAndPatternCount => ChannelCount + PatternCount;

    /// <summary>Every subscription (channels, patterns, shard channels); RESP2 subscriber mode while above zero.</summary>
    public int SubscriptionCount => ChannelCount + PatternCount + ShardChannelCount;

    /// <summary>CLIENT TRACKING redirect target id as CLIENT LIST's redir shows it: -1 when tracking is off, 0 when not redirected.</summary>
    public long TrackingRedirect { get; set; } = -1;

    /// <summary>Waiting in a blocking command (BLPOP, ...); CLIENT LIST flag "b".</summary>
    public bool Blocked { get; set; }

    /// <summary>Cluster mode: ASKING was sent, so the next command may run on a slot being imported (CLIENT LIST flag "A").</summary>
    public bool Asking { get; set; }

    /// <summary>Cluster mode: READONLY was sent (CLIENT LIST flag "r").</summary>
    public bool ClusterReadOnly { get; set; }

    /// <summary>Flags for CLIENT LIST (N, x for MULTI, P for pubsub, b for blocked, ...).</summary>
    public string Flags
    {
        get
        {
            var sb = new StringBuilder();
            if (IsReplica) sb.Append('S');
            if (Transaction.InMulti) sb.Append('x');
            if (SubscriptionCount > 0) sb.Append('P');
            if (Blocked) sb.Append('b');
            if (Transaction.Dirty) sb.Append('d');
            if (Asking) sb.Append('A');
            if (ClusterReadOnly) sb.Append('r');
            return sb.Length == 0 ? "N" : sb.ToString();
        }
    }

    /// <summary>Input read but not yet run (CLIENT LIST qbuf); kept by the connection loop.</summary>
    public long QueryBufferBytes { get; internal set; }

    /// <summary>Output bytes already added to INFO's total_net_output_bytes.</summary>
    internal long CountedOutputBytes { get; set; }

    /// <summary>
    /// <see cref="RespWriter.BytesWritten"/> as of the last flush that completed (the peer consumed
    /// it); set by the connection loop. What was written since is output still held for this client.
    /// </summary>
    public long OutputConsumedMark
    {
        get => Volatile.Read(ref _outputConsumedMark);
        set => Volatile.Write(ref _outputConsumedMark, value);
    }

    private long _outputConsumedMark;

    /// <summary>Bytes written for this client that were not yet flushed and consumed (client-output-buffer-limit, omem).</summary>
    public long PendingOutputBytes => Math.Max(0, Writer.BytesWritten - OutputConsumedMark);

    /// <summary>When the output first went over its soft limit (Unix ms), 0 when under it.</summary>
    public long SoftLimitReachedAtMs { get; set; }

    /// <summary>Asks the connection loop to wake and flush output written by other connections.</summary>
    public Action? WakeForOutput { get; set; }

    /// <summary>Closes the connection (CLIENT KILL): its loop sees the input end.</summary>
    /// <summary>This connection is a replica receiving the write stream (PSYNC/SYNC ran): the replica output limit applies.</summary>
    public bool IsReplica { get; set; }

    public void Kill()
    {
        Closing = true;
        // Aborted from the thread pool: aborting here could run that connection's loop (and its
        // clean-up) inline, inside the command that asked for the kill.
        if (_connection is { } connection)
            ThreadPool.UnsafeQueueUserWorkItem(static c => c.Abort(new ConnectionAbortedException("killed by CLIENT KILL")), connection, preferLocal: false);
    }

    public void MarkClosing() => Closing = true;
}
