using System.Buffers;
using Magpie.Server.Connections;

namespace Magpie.Server.Replication;

/// <summary>Where an attached replica is, as INFO's slaveN:state= names it.</summary>
public enum ReplicaPeerState
{
    /// <summary>Full sync asked for; waiting for the snapshot to start.</summary>
    WaitBgsave,
    /// <summary>The snapshot is being sent.</summary>
    SendBulk,
    /// <summary>Receiving the write stream.</summary>
    Online,
}

/// <summary>The primary's view of one replica connection (a client that sent REPLCONF/PSYNC).</summary>
public sealed class ReplicaPeer(ClientSession session)
{
    public ClientSession Session { get; } = session;

    /// <summary>REPLCONF listening-port: the port the replica serves clients on.</summary>
    public int ListeningPort { get; set; }

    /// <summary>REPLCONF ip-address, else the connection's address.</summary>
    public string? AnnouncedIp { get; set; }

    public bool CapaEof { get; set; }

    public bool CapaPsync2 { get; set; }

    public ReplicaPeerState State { get; set; } = ReplicaPeerState.WaitBgsave;

    /// <summary>True once PSYNC or SYNC ran: the connection carries the stream now.</summary>
    public bool Attached { get; set; }

    /// <summary>Last REPLCONF ACK offset.</summary>
    public long AckOffset { get; set; }

    /// <summary>Unix ms of the last REPLCONF ACK (lag).</summary>
    public long LastAckMs { get; set; }

    /// <summary>The write stream since the snapshot started, sent once the snapshot is.</summary>
    internal ArrayBufferWriter<byte>? Pending { get; set; }

    /// <summary>
    /// The diskless RDB was sent: the stream follows on the replica's first ACK, as Redis does, so
    /// the replica can find the EOF mark at the end of what it read.
    /// </summary>
    internal bool OnlineOnAck { get; set; }

    /// <summary>Sends what was buffered during the snapshot and marks the replica online. Under the keyspace lock.</summary>
    internal void PutOnline(long nowMs)
    {
        if (Pending is { } pending && pending.WrittenCount > 0) Send(pending.WrittenSpan);
        Pending = null;
        OnlineOnAck = false;
        State = ReplicaPeerState.Online;
        LastAckMs = nowMs;
    }

    public string Ip
    {
        get
        {
            if (AnnouncedIp is { } ip) return ip;
            var remote = Session.RemoteEndPoint;
            int colon = remote.LastIndexOf(':');
            var host = colon > 0 ? remote[..colon] : remote;
            if (host.StartsWith("[::ffff:", StringComparison.Ordinal)) host = host[8..^1];
            return host.Trim('[', ']');
        }
    }

    public string StateName => State switch
    {
        ReplicaPeerState.WaitBgsave => "wait_bgsave",
        ReplicaPeerState.SendBulk => "send_bulk",
        _ => "online",
    };

    /// <summary>Writes stream bytes into the replica's output and wakes its connection to flush. Under the keyspace lock.</summary>
    internal void Send(ReadOnlySpan<byte> bytes)
    {
        lock (Session.OutputLock) Session.Writer.WriteRaw(bytes);
        Session.WakeForOutput?.Invoke();
    }
}
