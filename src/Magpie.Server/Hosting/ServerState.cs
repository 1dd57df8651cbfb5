using System.Diagnostics;
using Magpie.Server.Blocking;
using Magpie.Server.Commands;
using Magpie.Server.Config;
using Magpie.Server.Connections;
using Magpie.Server.PubSub;
using Magpie.Server.Tracking;
using Magpie.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Magpie.Server.Hosting;

/// <summary>Everything one node shares across its connections.</summary>
public sealed class ServerState
{
    public ServerState(MagpieOptions options, ILogger? logger = null)
    {
        Options = options;
        Dispatcher = new CommandDispatcher(this, logger ?? NullLogger.Instance);
        OutputLimits = new OutputBufferLimits(this);
        PubSub = new PubSubHub(this);
        Tracking = new ClientTracking(this);
        Keyspace = new Keyspace(options.Databases);
        Commands = CommandTable.CreateDefault();
        Acl = new Security.AclStore(this);
        Tls = Security.TlsSettings.FromOptions(options);
        Notifications = new Notifications.KeyspaceNotifier(this);
        Introspection = new Introspection.IntrospectionState(this);
        Config = new ConfigRegistry(this);
        Config.ApplyStartupOptions();
        Scripting = new Scripting.ScriptRunner(this, logger);
        RunId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        // Client output buffers count into used_memory, sampled by the background tick: summing
        // them on every read would walk all clients once per command when maxmemory is set.
        Keyspace.OverheadBytes = () => ClientOutputBytesSample + QueryBufferBytes;
        Keyspace.Observer = Watches;
        Blocking = new BlockingRegistry(this);
        Watches.Others.Add(Tracking);
        PubSubCounts = () => (PubSub.ChannelCount, PubSub.PatternCount);
        TrackingClients = () => Tracking.ClientCount;
        ClientReset += ForgetSubscriptionsAndTracking;
        Persistence = new Persistence.PersistenceManager(this, logger);
        Propagators.Add(Persistence);
        CommandStream = new Propagation.CommandStream(this);
        Propagators.Add(CommandStream);
        Keyspace.RemovalListeners.Add(CommandStream);
        Watches.Others.Add(CommandStream);
        // The backlog joins CommandStream as a sink when the first replica attaches.
        Replication = new Replication.ReplicationManager(this, logger);
        ClientDisconnected += ForgetSubscriptionsAndTracking;
    }

    /// <summary>Snapshots: SAVE, BGSAVE, save points, the load at start.</summary>
    public Persistence.PersistenceManager Persistence { get; }

    /// <summary>The write stream (Redis's propagate()): the AOF and the replication backlog are its sinks.</summary>
    public Propagation.CommandStream CommandStream { get; }
    /// <summary>Primary/replica replication: role, ids and offsets, backlog, replicas, the link to the primary.</summary>
    public Replication.ReplicationManager Replication { get; }

    /// <summary>Told of every write command that succeeded (persistence, later the AOF and replication).</summary>
    public List<Persistence.ICommandPropagator> Propagators { get; } = [];

    /// <summary>Called by the dispatcher under the keyspace lock after a write command completed without an error.</summary>
    public void Propagate(CommandContext ctx)
    {
        foreach (var p in Propagators) p.Propagate(ctx);
    }

    /// <summary>Stops the node (SHUTDOWN); set by the host.</summary>
    public Action RequestShutdown { get; set; } = () => Environment.Exit(0);
    /// <summary>EVAL scripts, functions and the busy-script watchdog.</summary>
    public Scripting.ScriptRunner Scripting { get; }

    /// <summary>Keyspace and keyevent notifications (notify-keyspace-events).</summary>
    public Notifications.KeyspaceNotifier Notifications { get; }

    /// <summary>SLOWLOG, LATENCY, MONITOR.</summary>
    public Introspection.IntrospectionState Introspection { get; }

    /// <summary>Pub/sub channels and patterns (SUBSCRIBE, PUBLISH, ...).</summary>
    public PubSubHub PubSub { get; }

    /// <summary>client-output-buffer-limit, enforced when other clients push output into a session.</summary>
    public OutputBufferLimits OutputLimits { get; }

    /// <summary>CLIENT TRACKING state and invalidation.</summary>
    public ClientTracking Tracking { get; }

    private void ForgetSubscriptionsAndTracking(ClientSession session)
    {
        PubSub.UnsubscribeAll(session);
        Tracking.Disable(session);
    }

    public MagpieOptions Options { get; }

    public Keyspace Keyspace { get; }

    public CommandTable Commands { get; }

    /// <summary>ACL users, AUTH and the per-command permission check.</summary>
    public Security.AclStore Acl { get; }

    /// <summary>TLS files and settings (CONFIG SET tls-* reloads them); NodeHost shares one with Kestrel and the peer links.</summary>
    public Security.TlsSettings Tls { get; init; }

    public CommandDispatcher Dispatcher { get; }

    public ConfigRegistry Config { get; }

    public ClientRegistry Clients { get; } = new();

    public WatchRegistry Watches { get; } = new();

    /// <summary>Clients blocked on keys (BLPOP, BLMOVE, ...), served after each command.</summary>
    public BlockingRegistry Blocking { get; }

    public ServerStats Stats { get; } = new();

    /// <summary>Random 40-hex id of this process, as INFO's run_id.</summary>
    public string RunId { get; }

    public long StartedAtMs { get; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public Stopwatch Uptime { get; } = Stopwatch.StartNew();

    /// <summary>The RESP port actually bound (differs from the option when it was 0).</summary>
    public int BoundPort { get; set; }

    public int BoundHttpPort { get; set; }

    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;

    /// <summary>Background ticks per second (CONFIG "hz").</summary>
    public int Hz { get; set; } = 10;

    /// <summary>Idle client timeout in seconds, 0 for never (CONFIG "timeout").</summary>
    public int IdleTimeoutSeconds { get; set; }

    /// <summary>Bytes all clients hold in query buffers (read but not yet run), counted into used_memory as Redis does.</summary>
    public long QueryBufferBytes { get; private set; }

    /// <summary>Longest a single KEYS may walk the keyspace under the lock, in ms; 0 for no limit.</summary>
    public long KeyspaceWalkBudgetMs { get; set; } = 5000;

    /// <summary>client-query-buffer-limit: a client holding more unparsed input is closed.</summary>
    public long ClientQueryBufferLimit { get; set; } = 1L << 30;

    /// <summary>Sets one client's query-buffer bytes (under the keyspace lock).</summary>
    public void AccountQueryBuffer(ClientSession session, long bytes)
    {
        QueryBufferBytes += bytes - session.QueryBufferBytes;
        session.QueryBufferBytes = bytes;
    }

    /// <summary>Clients' pending output bytes as of the last background tick.</summary>
    public long ClientOutputBytesSample { get; set; }

    /// <summary>Highest used_memory seen, for INFO's used_memory_peak.</summary>
    public long PeakMemory { get; set; }

    /// <summary>Figures other subsystems add to INFO (pub/sub, blocking, tracking).</summary>
    public Func<(long Channels, long Patterns)> PubSubCounts { get; set; } = () => (0, 0);

    /// <summary>Commands per second over the last second, sampled by the maintenance task.</summary>
    public long OpsPerSecond { get; set; }

    /// <summary>The node's read-through groups (MAGPIE.GROUP* commands, HTTP cache API); null when hosted without them.</summary>
    public Magpie.Groups.GroupRegistry? Groups { get; set; }

    /// <summary>Cluster mode (<c>--cluster-enabled yes</c>): slot ownership checked on every keyed command; null otherwise.</summary>
    public Sharding.ClusterMode? ClusterMode { get; set; }

    public Func<long> BlockedClients { get; set; } = () => 0;

    public Func<long> TrackingClients { get; set; } = () => 0;

    /// <summary>Raised under the keyspace lock when a client leaves, so pub/sub, tracking and blocking can clean up.</summary>
    public event Action<ClientSession>? ClientDisconnected;

    /// <summary>Raised under the keyspace lock by RESET, after MULTI and WATCH were cleared.</summary>
    public event Action<ClientSession>? ClientReset;

    internal void OnClientDisconnected(ClientSession session) => ClientDisconnected?.Invoke(session);

    internal void OnClientReset(ClientSession session) => ClientReset?.Invoke(session);
}
