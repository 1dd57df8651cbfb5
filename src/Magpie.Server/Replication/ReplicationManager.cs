using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Magpie.Server.Commands;
using Magpie.Server.Config;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Server.Replication;

/// <summary>
/// One node's replication state (DESIGN.md decision 8), Redis's PSYNC2: the role, the replication
/// ids and offsets, the backlog, the replicas attached here (primary side) and the link to this
/// node's primary (replica side). Everything but the link's socket I/O runs under the keyspace lock.
/// </summary>
public sealed partial class ReplicationManager
{
    public const string ReadOnlyError = "READONLY You can't write against a read only replica.";
    public const string StaleError = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    public const string NoReplicasError = "NOREPLICAS Not enough good replicas to write.";
    public const string NoReplId = "0000000000000000000000000000000000000000";

    private readonly ServerState _server;
    private readonly List<ReplicaPeer> _replicas = [];
    private readonly List<WaitRequest> _waiters = [];

    public ReplicationManager(ServerState server, ILogger? logger = null)
    {
        _server = server;
        Logger = logger ?? NullLogger.Instance;
        var o = server.Options;
        MemoryUnits.TryParse(o.ReplBacklogSize, out long backlog);
        Backlog = new ReplicationBacklog(this, backlog > 0 ? backlog : 1 << 20);
        ReadOnly = o.ReplicaReadOnly;
        ServeStaleData = o.ReplicaServeStaleData;
        MinReplicasToWrite = o.MinReplicasToWrite;
        MinReplicasMaxLag = o.MinReplicasMaxLag;
        MasterAuth = o.MasterAuth;
        MasterUser = o.MasterUser;
        server.ClientDisconnected += Detach;
        RegisterConfig(server.Config);
    }

    internal ILogger Logger { get; }

    internal ServerState Server => _server;

    public ReplicationBacklog Backlog { get; }

    /// <summary>master_replid: the history this node's data belongs to.</summary>
    public string ReplId { get; private set; } = NewReplId();

    /// <summary>master_replid2: the previous primary's id, valid up to <see cref="SecondReplOffset"/> (after a promotion).</summary>
    public string ReplId2 { get; private set; } = NoReplId;

    public long SecondReplOffset { get; private set; } = -1;

    public bool IsReplica => Link is not null;

    /// <summary>The link to this node's primary; null on a primary.</summary>
    public ReplicaLink? Link { get; private set; }

    public bool ReadOnly { get; set; }

    public bool ServeStaleData { get; set; }

    public int MinReplicasToWrite { get; set; }

    public int MinReplicasMaxLag { get; set; }

    public string MasterAuth { get; set; }

    public string MasterUser { get; set; }

    public long SyncFull { get; internal set; }

    public long SyncPartialOk { get; internal set; }

    public long SyncPartialErr { get; internal set; }

    public IReadOnlyList<ReplicaPeer> Replicas => _replicas;

    private static string NewReplId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    private void RegisterConfig(ConfigRegistry config)
    {
        config.Add("replica-read-only", () => ReadOnly ? "yes" : "no", v => YesNo(v, b => ReadOnly = b));
        config.Add("slave-read-only", () => ReadOnly ? "yes" : "no", v => YesNo(v, b => ReadOnly = b));
        config.Add("replica-serve-stale-data", () => ServeStaleData ? "yes" : "no", v => YesNo(v, b => ServeStaleData = b));
        config.Add("slave-serve-stale-data", () => ServeStaleData ? "yes" : "no", v => YesNo(v, b => ServeStaleData = b));
        config.Add("repl-backlog-size", () => Backlog.Size.ToString(CultureInfo.InvariantCulture), v =>
        {
            if (!MemoryUnits.TryParse(v, out long bytes) || bytes < 1) return "argument must be a memory value";
            Backlog.Resize(Math.Max(bytes, 16 * 1024));
            return null;
        });
        config.Add("min-replicas-to-write", () => MinReplicasToWrite.ToString(CultureInfo.InvariantCulture), v => Int(v, n => MinReplicasToWrite = n));
        config.Add("min-slaves-to-write", () => MinReplicasToWrite.ToString(CultureInfo.InvariantCulture), v => Int(v, n => MinReplicasToWrite = n));
        config.Add("min-replicas-max-lag", () => MinReplicasMaxLag.ToString(CultureInfo.InvariantCulture), v => Int(v, n => MinReplicasMaxLag = n));
        config.Add("min-slaves-max-lag", () => MinReplicasMaxLag.ToString(CultureInfo.InvariantCulture), v => Int(v, n => MinReplicasMaxLag = n));
        config.Add("masterauth", () => MasterAuth, v => { MasterAuth = v; return null; });
        config.Add("masteruser", () => MasterUser, v => { MasterUser = v; return null; });
        config.Add("replicaof", () => Link is { } l ? $"{l.Host} {l.Port}" : "");
        config.Add("slaveof", () => Link is { } l ? $"{l.Host} {l.Port}" : "");

        static string? YesNo(string v, Action<bool> set)
        {
            if (v.Equals("yes", StringComparison.OrdinalIgnoreCase)) set(true);
            else if (v.Equals("no", StringComparison.OrdinalIgnoreCase)) set(false);
            else return "argument must be 'yes' or 'no'";
            return null;
        }

        static string? Int(string v, Action<int> set)
        {
            if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 0) return "argument must be between 0 and 2147483647 inclusive";
            set(n);
            return null;
        }
    }

    /// <summary>
    /// Why this client may not run this command now (a read-only replica, a replica without its
    /// primary, too few good replicas), or null. Checked by the dispatcher before a command runs.
    /// </summary>
    public string? Refusal(ClientSession client, CommandSpec spec)
    {
        if (Link is { } link)
        {
            if (ReferenceEquals(client, link.MasterSession)) return null;
            if (!ServeStaleData && !link.Connected && !spec.HasFlag(CommandFlags.Stale)) return StaleError;
            if (ReadOnly && spec.HasFlag(CommandFlags.Write)) return ReadOnlyError;
            return null;
        }
        if (MinReplicasToWrite > 0 && spec.HasFlag(CommandFlags.Write) && GoodReplicas() < MinReplicasToWrite) return NoReplicasError;
        return null;
    }

    /// <summary>Online replicas whose last ACK is at most min-replicas-max-lag seconds old.</summary>
    public int GoodReplicas()
    {
        long now = _server.Keyspace.Clock();
        int good = 0;
        foreach (var r in _replicas)
            if (r.State == ReplicaPeerState.Online && now - r.LastAckMs <= MinReplicasMaxLag * 1000L) good++;
        return good;
    }

    /// <summary>Hands stream bytes to every attached replica (online: now; syncing: after the snapshot).</summary>
    internal void FeedReplicas(ReadOnlySpan<byte> bytes)
    {
        foreach (var r in _replicas)
        {
            if (r.State == ReplicaPeerState.Online)
            {
                r.Send(bytes);
                // client-output-buffer-limit replica: a replica that stopped reading is dropped (it
                // resyncs when it comes back), as Redis does, instead of growing the primary's memory.
                _server.OutputLimits.AfterPush(r.Session, _server.Keyspace.Clock(), wake: false);
            }
            else r.Pending?.Write(bytes);
        }
    }

    /// <summary>The primary-side record of a connection (REPLCONF before PSYNC creates it).</summary>
    internal ReplicaPeer PeerOf(ClientSession session)
    {
        foreach (var r in _replicas) if (ReferenceEquals(r.Session, session)) return r;
        var peer = new ReplicaPeer(session);
        _replicas.Add(peer);
        return peer;
    }

    internal ReplicaPeer? FindPeer(ClientSession session)
    {
        foreach (var r in _replicas) if (ReferenceEquals(r.Session, session)) return r;
        return null;
    }

    /// <summary>Replicas that sent PSYNC/SYNC (connected_slaves); REPLCONF alone does not count.</summary>
    public IEnumerable<ReplicaPeer> AttachedReplicas()
    {
        foreach (var r in _replicas) if (r.Attached) yield return r;
    }

    private void Detach(ClientSession session)
    {
        for (int i = _replicas.Count - 1; i >= 0; i--)
            if (ReferenceEquals(_replicas[i].Session, session))
            {
                _replicas[i].Pending = null;
                _replicas.RemoveAt(i);
            }
        for (int i = _waiters.Count - 1; i >= 0; i--)
            if (ReferenceEquals(_waiters[i].Context.Client, session)) _waiters.RemoveAt(i);
    }

    /// <summary>
    /// PSYNC replid offset: +CONTINUE with the backlog from offset when this node holds that history,
    /// else +FULLRESYNC and a snapshot. Runs on the replica's connection, under the keyspace lock.
    /// </summary>
    internal void PSync(CommandContext ctx, string replid, long psyncOffset, bool legacySync)
    {
        var peer = PeerOf(ctx.Client);
        if (peer.Attached) return; // Redis ignores a second PSYNC on a replica connection.
        peer.Attached = true;
        peer.Session.IsReplica = true;
        peer.LastAckMs = _server.Keyspace.Clock();
        if (!legacySync && TryPartial(ctx, peer, replid, psyncOffset)) return;
        if (!legacySync && replid != "?") SyncPartialErr++;
        SyncFull++;
        LogFullResync(Logger, peer.Ip, peer.ListeningPort, replid, psyncOffset);
        peer.State = ReplicaPeerState.WaitBgsave;
        Backlog.Activate();
        FullSync.Start(this, peer, legacySync);
    }

    private bool TryPartial(CommandContext ctx, ReplicaPeer peer, string replid, long psyncOffset)
    {
        bool sameHistory = replid == ReplId || (replid == ReplId2 && psyncOffset <= SecondReplOffset);
        if (!sameHistory || !Backlog.CanServe(psyncOffset)) return false;
        SyncPartialOk++;
        peer.State = ReplicaPeerState.Online;
        peer.AckOffset = psyncOffset - 1;
        ctx.Reply.WriteRaw(Encoding.ASCII.GetBytes(peer.CapaPsync2 ? $"+CONTINUE {ReplId}\r\n" : "+CONTINUE\r\n"));
        Backlog.CopyFrom(psyncOffset, ctx.Reply);
        LogPartialResync(Logger, peer.Ip, peer.ListeningPort, Backlog.Offset - psyncOffset + 1);
        return true;
    }

    /// <summary>REPLCONF ACK: the replica applied the stream up to offset.</summary>
    internal void Ack(ClientSession session, long offset)
    {
        var peer = FindPeer(session);
        if (peer is null || !peer.Attached) return;
        if (peer.OnlineOnAck) peer.PutOnline(_server.Keyspace.Clock());
        if (peer.State != ReplicaPeerState.Online) return;
        if (offset > peer.AckOffset) peer.AckOffset = offset;
        peer.LastAckMs = _server.Keyspace.Clock();
        if (_waiters.Count > 0) ServeWaiters(false);
    }

    /// <summary>
    /// REPLICAOF host port: drop attached replicas (they resync against the new history) and start
    /// a link. The data stays and is served until the first sync replaces it.
    /// </summary>
    public void StartReplicaOf(string host, int port)
    {
        Link?.Stop();
        DropReplicas();
        FailWaiters();
        Link = new ReplicaLink(this, host, port);
        LogReplicaOf(Logger, host, port);
        Link.Start();
    }

    /// <summary>REPLICAOF NO ONE: the node becomes a primary of a new history that continues this one (replid2).</summary>
    public void PromoteToPrimary()
    {
        if (Link is not { } link) return;
        link.Stop();
        Link = null;
        ReplId2 = ReplId;
        SecondReplOffset = Backlog.Offset + 1;
        ReplId = NewReplId();
        DropReplicas();
        LogPromoted(Logger, ReplId, ReplId2, SecondReplOffset);
    }

    /// <summary>After a full sync from the primary: its history is ours now.</summary>
    internal void AdoptPrimaryHistory(string replid, long offset)
    {
        ReplId = replid;
        ReplId2 = NoReplId;
        SecondReplOffset = -1;
        Backlog.Activate();
        Backlog.Reset(offset);
        DropReplicas();
    }

    /// <summary>+CONTINUE with a new id: the primary was promoted; the old id stays valid up to here.</summary>
    internal void SwitchPrimaryId(string replid)
    {
        if (replid == ReplId) return;
        ReplId2 = ReplId;
        SecondReplOffset = Backlog.Offset + 1;
        ReplId = replid;
        DropReplicas();
    }

    private void DropReplicas()
    {
        foreach (var r in _replicas) r.Session.Kill();
        _replicas.Clear();
    }

    /// <summary>True when host:port names this node's own RESP port.</summary>
    public bool IsSelf(string host, int port)
    {
        int own = _server.BoundPort != 0 ? _server.BoundPort : _server.Options.Port;
        if (port != own) return false;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (!IPAddress.TryParse(host, out var ip)) return false;
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) return true;
        foreach (var bind in _server.Options.BindAddresses())
            if (IPAddress.TryParse(bind, out var b) && b.Equals(ip)) return true;
        return false;
    }

    /// <summary>Every 100 ms from <see cref="ReplicationService"/>, under the keyspace lock: WAIT timeouts.</summary>
    internal void Tick()
    {
        if (_waiters.Count > 0) ServeWaiters(false);
    }

    /// <summary>Every repl-ping-replica-period (10 s): a PING into the stream, so replicas see their primary is alive.</summary>
    internal void PingReplicas()
    {
        if (IsReplica || _replicas.Count == 0) return;
        Backlog.AppendControl("*1\r\n$4\r\nPING\r\n"u8);
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Replica {Ip}:{Port} asked for a full resync (PSYNC {ReplId} {Offset})")]
    private static partial void LogFullResync(ILogger logger, string ip, int port, string replid, long offset);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Replica {Ip}:{Port} resumed with a partial resync: {Bytes} bytes of backlog sent")]
    private static partial void LogPartialResync(ILogger logger, string ip, int port, long bytes);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "REPLICAOF {Host}:{Port}: connecting to the primary")]
    private static partial void LogReplicaOf(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Promoted to primary: new replication id {ReplId}, previous {ReplId2} valid up to offset {Offset}")]
    private static partial void LogPromoted(ILogger logger, string replid, string replid2, long offset);
}
