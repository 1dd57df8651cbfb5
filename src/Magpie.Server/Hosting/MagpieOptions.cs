using Magpie.Groups;
using Magpie.Server.Peers;
using Magpie.Storage;

namespace Magpie.Server.Hosting;

/// <summary>
/// Node options. Bound from the command line, MAGPIE_* environment variables and magpie.json
/// (keys are these property names, case-insensitive: MAGPIE_PORT, MAGPIE_MAXMEMORYPOLICY, ...).
/// </summary>
public sealed class MagpieOptions
{
    public const string DefaultBind = "127.0.0.1";

    /// <summary>RESP port (Redis's "port"). 0 picks a free port.</summary>
    public int Port { get; set; } = 6379;

    /// <summary>Addresses to listen on, separated by spaces or commas (Redis's "bind").</summary>
    public string Bind { get; set; } = DefaultBind;

    /// <summary>HTTP API port; -1 disables the HTTP listener.</summary>
    public int HttpPort { get; set; } = 8080;

    public int Databases { get; set; } = 16;

    /// <summary>Memory limit with Redis units ("100mb", "1gb", bytes); 0 means no limit.</summary>
    public string MaxMemory { get; set; } = "0";

    public string MaxMemoryPolicy { get; set; } = "noeviction";

    public int MaxMemorySamples { get; set; } = 5;

    public int LfuLogFactor { get; set; } = 10;

    public int LfuDecayTime { get; set; } = 1;

    /// <summary>Redis's enable-debug-command: no (default, as 7.0), yes, or local (loopback clients only).</summary>
    public string EnableDebugCommand { get; set; } = "no";

    /// <summary>Largest bulk string a client may send (Redis's proto-max-bulk-len).</summary>
    public string ProtoMaxBulkLen { get; set; } = "512mb";

    /// <summary>Background task frequency per second (Redis's "hz"): active expiry runs this often.</summary>
    public int Hz { get; set; } = 10;

    /// <summary>Close clients idle for this many seconds; 0 never (Redis's "timeout").</summary>
    public int Timeout { get; set; }

    public int MaxClients { get; set; } = 10000;

    /// <summary>The default user's password (Redis's requirepass); empty: no password.</summary>
    public string RequirePass { get; set; } = "";

    /// <summary>ACL file loaded at start and by ACL LOAD, written by ACL SAVE (Redis's aclfile).</summary>
    public string AclFile { get; set; } = "";

    /// <summary>Refuse non-loopback clients while the default user has no password (Redis's protected-mode).</summary>
    public bool ProtectedMode { get; set; } = true;

    /// <summary>Largest unparsed input one client may hold (Redis's client-query-buffer-limit).</summary>
    public string ClientQueryBufferLimit { get; set; } = "1gb";

    /// <summary>User this node authenticates as on other nodes (peer group calls; like Redis's masteruser).</summary>
    public string PeerUser { get; set; } = "";

    /// <summary>Password for <see cref="PeerUser"/> (or the default user) on other nodes (like Redis's masterauth).</summary>
    public string PeerPassword { get; set; } = "";

    /// <summary>A bearer token the HTTP API accepts besides HTTP Basic with an ACL user.</summary>
    public string HttpToken { get; set; } = "";

    /// <summary>TLS RESP port (Redis's tls-port); 0: no TLS listener. With --port 0 the node serves TLS only.</summary>
    public int TlsPort { get; set; }

    /// <summary>PEM certificate (optionally followed by its intermediates) for TLS and HTTPS.</summary>
    public string TlsCertFile { get; set; } = "";

    /// <summary>PEM private key of <see cref="TlsCertFile"/>.</summary>
    public string TlsKeyFile { get; set; } = "";

    /// <summary>Password of an encrypted <see cref="TlsKeyFile"/>.</summary>
    public string TlsKeyFilePass { get; set; } = "";

    /// <summary>PEM CA certificates that client and peer certificates must chain to.</summary>
    public string TlsCaCertFile { get; set; } = "";

    /// <summary>yes: clients on the TLS port need a certificate; optional: checked if sent; no: not asked.</summary>
    public string TlsAuthClients { get; set; } = "yes";

    /// <summary>Allowed protocols, e.g. "TLSv1.2 TLSv1.3" (empty: both).</summary>
    public string TlsProtocols { get; set; } = "";

    /// <summary>Allowed cipher suites, colon separated IANA names (empty: the platform's default).</summary>
    public string TlsCiphersuites { get; set; } = "";

    /// <summary>Replication links dial with TLS (Redis's tls-replication).</summary>
    public bool TlsReplication { get; set; }

    /// <summary>Cluster links (MIGRATE, peer group calls, health probes) dial with TLS (Redis's tls-cluster).</summary>
    public bool TlsCluster { get; set; }

    /// <summary>The HTTP API port serves HTTPS with tls-cert-file/tls-key-file.</summary>
    public bool HttpTls { get; set; }

    /// <summary>Run commands on the socket I/O threads (faster; a slow command delays other connections on that thread).</summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>"text" or "json" console logs.</summary>
    public string LogFormat { get; set; } = "text";

    public string LogLevel { get; set; } = "Information";

    /// <summary>
    /// RESP endpoints of every node, the same list on every node: <c>host:port[@http_port][/gateway]</c>,
    /// comma separated. Empty: a cluster of one.
    /// </summary>
    public string Peers { get; set; } = "";

    /// <summary>This node's RESP endpoint as it appears in <see cref="Peers"/>; default 127.0.0.1:&lt;port&gt;.</summary>
    public string Self { get; set; } = "";

    /// <summary>"primary" (owns slots) or "gateway" (owns none, forwards every group request).</summary>
    public string Role { get; set; } = "primary";

    /// <summary>Milliseconds any group request waits for a peer; must exceed every group's LoaderTimeout.</summary>
    public int PeerTimeout { get; set; } = 3000;

    /// <summary>Milliseconds between two health probes (RESP PING) of every peer.</summary>
    public int PeerProbeInterval { get; set; } = 1000;

    /// <summary>Milliseconds a health probe may take before the peer counts as failed.</summary>
    public int PeerProbeTimeout { get; set; } = 500;

    /// <summary>Directory for snapshots (and later the append-only file); empty: persistence off, nothing is written.</summary>
    public string DataDir { get; set; } = "";

    /// <summary>Snapshot file name inside <see cref="DataDir"/> (Redis's "dbfilename").</summary>
    public string DbFilename { get; set; } = "dump.rdb";

    /// <summary>Save points with Redis's syntax ("3600 1 300 100"); empty disables automatic snapshots.</summary>
    public string Save { get; set; } = "";

    /// <summary>LZF-compress strings longer than 20 bytes in snapshots (Redis's "rdbcompression").</summary>
    public bool RdbCompression { get; set; } = true;

    /// <summary>Keep an append-only file in DataDir/AppendDirName (Redis's "appendonly"); needs <see cref="DataDir"/>.</summary>
    public bool AppendOnly { get; set; }

    /// <summary>always, everysec (default) or no (Redis's "appendfsync").</summary>
    public string AppendFsync { get; set; } = "everysec";

    /// <summary>Directory of the multi-part AOF inside <see cref="DataDir"/> (Redis's "appenddirname").</summary>
    public string AppendDirName { get; set; } = "appendonlydir";

    /// <summary>Prefix of the AOF file names (Redis's "appendfilename").</summary>
    public string AppendFilename { get; set; } = "appendonly.aof";

    /// <summary>yes: a command cut short at the end of the AOF is dropped with a warning; no: the node refuses to start.</summary>
    public bool AofLoadTruncated { get; set; } = true;
    /// <summary>yes: Redis Cluster mode (MOVED/ASK redirects, CLUSTER commands, slot migration); no (default): as today.</summary>
    public bool ClusterEnabled { get; set; }

    /// <summary>File where a cluster-enabled node keeps its id and its view of the cluster; empty: not kept (the id derives from --self).</summary>
    public string ClusterConfigFile { get; set; } = "";

    /// <summary>Milliseconds without an answer after which a cluster node counts as failed and its slots as not served.</summary>
    public int ClusterNodeTimeout { get; set; } = 15000;

    /// <summary>yes (default, as Redis): keyed commands fail with CLUSTERDOWN while any slot has no live owner; no: only that slot's keys do.</summary>
    public bool ClusterRequireFullCoverage { get; set; } = true;

    /// <summary>OTLP collector URL for metrics and traces (e.g. http://127.0.0.1:4317); empty: no OTLP export.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>"grpc" (default) or "http/protobuf" for <see cref="OtlpEndpoint"/>.</summary>
    public string OtlpProtocol { get; set; } = "grpc";
    /// <summary>Replicate from this primary at start: "host port" or "host:port" (Redis's replicaof); empty: a primary.</summary>
    public string ReplicaOf { get; set; } = "";

    /// <summary>Password this replica sends its primary (AUTH).</summary>
    public string MasterAuth { get; set; } = "";

    /// <summary>ACL user this replica authenticates as on its primary (with <see cref="MasterAuth"/>).</summary>
    public string MasterUser { get; set; } = "";

    /// <summary>A replica refuses writes from clients (-READONLY).</summary>
    public bool ReplicaReadOnly { get; set; } = true;

    /// <summary>A replica whose link is down still answers with the data it has; no: -MASTERDOWN.</summary>
    public bool ReplicaServeStaleData { get; set; } = true;

    /// <summary>Bytes of write stream kept for partial resyncs (repl-backlog-size).</summary>
    public string ReplBacklogSize { get; set; } = "1mb";

    /// <summary>A primary refuses writes unless this many replicas are online and lag at most <see cref="MinReplicasMaxLag"/> s; 0: off.</summary>
    public int MinReplicasToWrite { get; set; }

    /// <summary>Seconds since a replica's last ACK for it to count towards <see cref="MinReplicasToWrite"/>.</summary>
    public int MinReplicasMaxLag { get; set; } = 10;

    /// <summary>Read-through groups from magpie.json's "Groups" array (server mode: each with an HTTP Origin).</summary>
    public List<GroupOptions> Groups { get; set; } = [];

    /// <summary>The resolved cluster (set by <see cref="Validate"/>).</summary>
    public ClusterConfig? Cluster { get; private set; }

    /// <summary>
    /// Checks every option and returns one message per bad value, each naming the option.
    /// </summary>
    public List<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535) errors.Add($"port: must be between 0 and 65535 (got {Port})");
        if (HttpPort is < -1 or > 65535) errors.Add($"http-port: must be between 0 and 65535, or -1 to disable (got {HttpPort})");
        if (OtlpEndpoint.Length > 0 && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"))
            errors.Add($"otlp-endpoint: '{OtlpEndpoint}' is not an http:// or https:// URL");
        if (OtlpProtocol is not ("grpc" or "http/protobuf")) errors.Add($"otlp-protocol: must be grpc or http/protobuf (got '{OtlpProtocol}')");
        if (string.IsNullOrWhiteSpace(Bind)) errors.Add("bind: must name at least one address");
        else
        {
            foreach (var address in BindAddresses())
                if (!System.Net.IPAddress.TryParse(address, out _) && address != "localhost" && address != "*")
                    errors.Add($"bind: '{address}' is not an IP address");
        }
        if (Databases is < 1 or > 10000) errors.Add($"databases: must be between 1 and 10000 (got {Databases})");
        if (!MemoryUnits.TryParse(MaxMemory, out _)) errors.Add($"maxmemory: '{MaxMemory}' is not a memory size (use bytes or units like 100mb, 1gb)");
        if (!EvictionPolicyNames.TryParse(MaxMemoryPolicy, out _))
            errors.Add($"maxmemory-policy: '{MaxMemoryPolicy}' is not one of {string.Join(", ", EvictionPolicyNames.All)}");
        if (MaxMemorySamples is < 1 or > 64) errors.Add($"maxmemory-samples: must be between 1 and 64 (got {MaxMemorySamples})");
        if (LfuLogFactor < 0) errors.Add($"lfu-log-factor: must be 0 or more (got {LfuLogFactor})");
        if (LfuDecayTime < 0) errors.Add($"lfu-decay-time: must be 0 or more (got {LfuDecayTime})");
        if (EnableDebugCommand is not ("no" or "yes" or "local")) errors.Add($"enable-debug-command: must be no, yes or local (got {EnableDebugCommand})");
        if (!MemoryUnits.TryParse(ProtoMaxBulkLen, out long bulk) || bulk < 1024 * 1024)
            errors.Add($"proto-max-bulk-len: '{ProtoMaxBulkLen}' must be a memory size of at least 1mb");
        if (Hz is < 1 or > 500) errors.Add($"hz: must be between 1 and 500 (got {Hz})");
        if (Timeout < 0) errors.Add($"timeout: must be 0 or more seconds (got {Timeout})");
        if (MaxClients < 1) errors.Add($"maxclients: must be at least 1 (got {MaxClients})");
        if (!MemoryUnits.TryParse(ClientQueryBufferLimit, out long qbuf) || qbuf < 1024 * 1024)
            errors.Add($"client-query-buffer-limit: '{ClientQueryBufferLimit}' must be a memory size of at least 1mb");
        if (AclFile.Length > 0 && !File.Exists(AclFile)) errors.Add($"aclfile: '{AclFile}' does not exist");
        if (AclFile.Length > 0 && RequirePass.Length > 0) errors.Add("aclfile: can't be used together with requirepass; set the default user's password in the ACL file");
        Security.TlsSettings.Check(this, errors);
        if (LogFormat is not ("text" or "json")) errors.Add($"log-format: must be text or json (got '{LogFormat}')");
        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(LogLevel, true, out _))
            errors.Add($"log-level: '{LogLevel}' is not one of Trace, Debug, Information, Warning, Error, Critical, None");
        if (!Persistence.SavePoints.TryParse(Save, out _, out var saveError)) errors.Add($"save: {saveError}");
        if (string.IsNullOrWhiteSpace(DbFilename) || DbFilename.IndexOfAny(['/', '\\']) >= 0)
            errors.Add($"dbfilename: '{DbFilename}' must be a plain file name");
        if (!string.IsNullOrWhiteSpace(DataDir) && Persistence.PersistenceManager.CheckWritable(DataDir) is { } dirError)
            errors.Add($"data-dir: '{DataDir}' is not writable: {dirError}");
        if (AppendOnly && string.IsNullOrWhiteSpace(DataDir)) errors.Add("appendonly: needs --data-dir (the AOF lives in DIR/appenddirname)");
        if (Persistence.AppendOnlyFile.ParseFsync(AppendFsync) is null) errors.Add($"appendfsync: must be always, everysec or no (got '{AppendFsync}')");
        if (string.IsNullOrWhiteSpace(AppendDirName) || AppendDirName.IndexOfAny(['/', '\\']) >= 0)
            errors.Add($"appenddirname: '{AppendDirName}' must be a plain directory name");
        if (string.IsNullOrWhiteSpace(AppendFilename) || AppendFilename.IndexOfAny(['/', '\\']) >= 0)
            errors.Add($"appendfilename: '{AppendFilename}' must be a plain file name");
        if (ReplicaOf.Trim().Length > 0 && !Replication.ReplicaOfOption.TryParse(ReplicaOf, out _, out _))
            errors.Add($"replicaof: '{ReplicaOf}' must be \"host port\" or host:port");
        if (!MemoryUnits.TryParse(ReplBacklogSize, out long backlog) || backlog < 16 * 1024)
            errors.Add($"repl-backlog-size: '{ReplBacklogSize}' must be a memory size of at least 16kb");
        if (MinReplicasToWrite < 0) errors.Add($"min-replicas-to-write: must be 0 or more (got {MinReplicasToWrite})");
        if (MinReplicasMaxLag < 0) errors.Add($"min-replicas-max-lag: must be 0 or more (got {MinReplicasMaxLag})");
        if (ClusterNodeTimeout < 1) errors.Add($"cluster-node-timeout: must be at least 1 ms (got {ClusterNodeTimeout})");
        Cluster = ClusterConfig.Resolve(this, errors);
        ValidateGroups(errors);
        return errors;
    }

    private void ValidateGroups(List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in Groups)
        {
            group.PeerTimeout = TimeSpan.FromMilliseconds(Math.Max(1, PeerTimeout));
            foreach (var problem in group.Validate())
            {
                if (problem.Contains("PeerTimeout must be longer", StringComparison.Ordinal))
                    errors.Add($"peer-timeout: {PeerTimeout} ms must be longer than group '{group.Name}' LoaderTimeout ({group.LoaderTimeout.TotalMilliseconds} ms)");
                else errors.Add($"groups: {problem}");
            }
            if (group.Origin is null && !string.IsNullOrWhiteSpace(group.Name))
                errors.Add($"groups: Group '{group.Name}': Origin is required in the config file (groups with C# loaders are added in code)");
            if (!string.IsNullOrWhiteSpace(group.Name) && !names.Add(group.Name)) errors.Add($"groups: Group '{group.Name}' is declared twice");
        }
    }

    public IEnumerable<string> BindAddresses() =>
        Bind.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
