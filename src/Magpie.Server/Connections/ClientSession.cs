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

    /// <summary>Channel + pattern subscriptions; RESP2 subscriber mode while above zero.</summary>
    public int SubscriptionCount => ChannelCount + PatternCount;

    /// <summary>CLIENT TRACKING redirect target id; -1 when tracking is off or not redirected.</summary>
    public long TrackingRedirect { get; set; } = -1;

    /// <summary>Waiting in a blocking command (BLPOP, ...); CLIENT LIST flag "b".</summary>
    public bool Blocked { get; set; }

    /// <summary>Flags for CLIENT LIST (N, x for MULTI, P for pubsub, b for blocked, ...).</summary>
    public string Flags
    {
        get
        {
            var sb = new StringBuilder();
            if (Transaction.InMulti) sb.Append('x');
            if (SubscriptionCount > 0) sb.Append('P');
            if (Blocked) sb.Append('b');
            if (Transaction.Dirty) sb.Append('d');
            return sb.Length == 0 ? "N" : sb.ToString();
        }
    }

    /// <summary>Asks the connection loop to wake and flush output written by other connections.</summary>
    public Action? WakeForOutput { get; set; }

    /// <summary>Closes the connection (CLIENT KILL): its loop sees the input end.</summary>
    public void Kill()
    {
        Closing = true;
        _connection?.Abort(new ConnectionAbortedException("killed by CLIENT KILL"));
    }

    public void MarkClosing() => Closing = true;
}
