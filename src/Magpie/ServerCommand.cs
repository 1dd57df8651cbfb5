using System.CommandLine;
using Magpie.Server.Hosting;

namespace Magpie;

/// <summary>`magpie server`: maps command-line options onto node options and runs the node.</summary>
internal static class ServerCommand
{
    // Command-line name, option property, help text. Every option can also come from
    // MAGPIE_<PROPERTY> or magpie.json.
    private static readonly (string Cli, string Property, string Help)[] Options =
    [
        ("--port", nameof(MagpieOptions.Port), "RESP port (default 6379; 0 picks a free port)"),
        ("--bind", nameof(MagpieOptions.Bind), "addresses to listen on, comma or space separated (default 127.0.0.1)"),
        ("--http-port", nameof(MagpieOptions.HttpPort), "HTTP API port (default 8080; -1 disables it)"),
        ("--databases", nameof(MagpieOptions.Databases), "number of databases (default 16)"),
        ("--maxmemory", nameof(MagpieOptions.MaxMemory), "memory limit, e.g. 100mb or 1gb (default 0: no limit)"),
        ("--maxmemory-policy", nameof(MagpieOptions.MaxMemoryPolicy), "noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random or volatile-ttl"),
        ("--maxmemory-samples", nameof(MagpieOptions.MaxMemorySamples), "keys sampled per eviction (default 5)"),
        ("--lfu-log-factor", nameof(MagpieOptions.LfuLogFactor), "LFU counter logarithm factor (default 10)"),
        ("--lfu-decay-time", nameof(MagpieOptions.LfuDecayTime), "minutes per LFU counter decay (default 1)"),
        ("--enable-debug-command", nameof(MagpieOptions.EnableDebugCommand), "allow DEBUG: no (default, as Redis 7.0), yes, or local (loopback clients only)"),
        ("--proto-max-bulk-len", nameof(MagpieOptions.ProtoMaxBulkLen), "largest bulk string accepted (default 512mb)"),
        ("--hz", nameof(MagpieOptions.Hz), "background task frequency per second (default 10)"),
        ("--timeout", nameof(MagpieOptions.Timeout), "close idle clients after this many seconds (default 0: never)"),
        ("--maxclients", nameof(MagpieOptions.MaxClients), "maximum connected clients (default 10000)"),
        ("--requirepass", nameof(MagpieOptions.RequirePass), "password of the default user (default none)"),
        ("--aclfile", nameof(MagpieOptions.AclFile), "ACL file with 'user ...' lines, loaded at start and by ACL LOAD, written by ACL SAVE"),
        ("--protected-mode", nameof(MagpieOptions.ProtectedMode), "refuse non-loopback clients while the default user has no password: yes or no (default yes)"),
        ("--client-query-buffer-limit", nameof(MagpieOptions.ClientQueryBufferLimit), "largest unparsed input one client may hold (default 1gb)"),
        ("--peer-user", nameof(MagpieOptions.PeerUser), "ACL user this node authenticates as on its peers (default: the default user)"),
        ("--peer-password", nameof(MagpieOptions.PeerPassword), "password for --peer-user on peers (default: --requirepass)"),
        ("--http-token", nameof(MagpieOptions.HttpToken), "bearer token the HTTP API accepts besides HTTP Basic with an ACL user"),
        ("--tls-port", nameof(MagpieOptions.TlsPort), "TLS RESP port (default 0: none); with --port 0 the node serves TLS only"),
        ("--tls-cert-file", nameof(MagpieOptions.TlsCertFile), "PEM certificate (and intermediates) for TLS, HTTPS and outgoing TLS links; reloadable with CONFIG SET"),
        ("--tls-key-file", nameof(MagpieOptions.TlsKeyFile), "PEM private key of --tls-cert-file"),
        ("--tls-key-file-pass", nameof(MagpieOptions.TlsKeyFilePass), "password of an encrypted --tls-key-file"),
        ("--tls-ca-cert-file", nameof(MagpieOptions.TlsCaCertFile), "PEM CA certificates client and peer certificates must chain to"),
        ("--tls-auth-clients", nameof(MagpieOptions.TlsAuthClients), "yes (default): TLS clients need a certificate from the CA; optional: checked if sent; no: not asked"),
        ("--tls-protocols", nameof(MagpieOptions.TlsProtocols), "allowed protocols, e.g. \"TLSv1.2 TLSv1.3\" (default: both)"),
        ("--tls-ciphersuites", nameof(MagpieOptions.TlsCiphersuites), "allowed cipher suites, colon-separated IANA names, all protocol versions (default: the platform's)"),
        ("--tls-replication", nameof(MagpieOptions.TlsReplication), "replication links dial with TLS: yes or no (default no)"),
        ("--tls-cluster", nameof(MagpieOptions.TlsCluster), "cluster links (MIGRATE, peer group calls, probes) dial with TLS: yes or no (default no)"),
        ("--http-tls", nameof(MagpieOptions.HttpTls), "the HTTP API port serves HTTPS with --tls-cert-file: yes or no (default no)"),
        ("--inline-scheduling", nameof(MagpieOptions.InlineScheduling), "run commands on socket I/O threads: yes or no (default yes)"),
        ("--log-format", nameof(MagpieOptions.LogFormat), "text or json (default text)"),
        ("--log-level", nameof(MagpieOptions.LogLevel), "Trace, Debug, Information, Warning, Error (default Information)"),
        ("--data-dir", nameof(MagpieOptions.DataDir), "directory for snapshots; empty (default) keeps persistence off and writes nothing"),
        ("--dbfilename", nameof(MagpieOptions.DbFilename), "snapshot file name in --data-dir (default dump.rdb)"),
        ("--save", nameof(MagpieOptions.Save), "save points, Redis syntax: \"3600 1 300 100\" (default \"\": no automatic snapshots)"),
        ("--rdbcompression", nameof(MagpieOptions.RdbCompression), "LZF-compress snapshot strings: yes or no (default yes)"),
        ("--appendonly", nameof(MagpieOptions.AppendOnly), "keep an append-only file (Redis 7 multi-part) in --data-dir: yes or no (default no); it wins over the snapshot at start"),
        ("--appendfsync", nameof(MagpieOptions.AppendFsync), "AOF fsync policy: always, everysec or no (default everysec)"),
        ("--appenddirname", nameof(MagpieOptions.AppendDirName), "AOF directory inside --data-dir (default appendonlydir)"),
        ("--appendfilename", nameof(MagpieOptions.AppendFilename), "AOF file name prefix (default appendonly.aof)"),
        ("--aof-load-truncated", nameof(MagpieOptions.AofLoadTruncated), "drop a command cut short at the end of the AOF with a warning: yes or no (default yes)"),
        ("--peers", nameof(MagpieOptions.Peers), "RESP endpoints of every node, the same list on every node: host:port[@http_port][/gateway],..."),
        ("--self", nameof(MagpieOptions.Self), "this node's entry in --peers, host:port (default 127.0.0.1:<port>)"),
        ("--role", nameof(MagpieOptions.Role), "primary (owns slots) or gateway (owns none, forwards every group request)"),
        ("--peer-timeout", nameof(MagpieOptions.PeerTimeout), "ms any group request waits for a peer (default 3000; must exceed each group's LoaderTimeout)"),
        ("--peer-probe-interval", nameof(MagpieOptions.PeerProbeInterval), "ms between health probes (PING) of every peer (default 1000)"),
        ("--peer-probe-timeout", nameof(MagpieOptions.PeerProbeTimeout), "ms a health probe may take before the peer counts as failed (default 500)"),
        ("--cluster-enabled", nameof(MagpieOptions.ClusterEnabled), "yes: Redis Cluster mode (MOVED/ASK, CLUSTER commands, MIGRATE); with --peers the slots are spread over the list (default no)"),
        ("--cluster-config-file", nameof(MagpieOptions.ClusterConfigFile), "file keeping the node id and its cluster view across restarts (default nodes.conf in --data-dir; without a data dir none, and the id derives from --self)"),
        ("--cluster-node-timeout", nameof(MagpieOptions.ClusterNodeTimeout), "ms without an answer before a cluster node counts as failed (default 15000)"),
        ("--otlp-endpoint", nameof(MagpieOptions.OtlpEndpoint), "OTLP collector URL for metrics and group spans, e.g. http://127.0.0.1:4317 (default none)"),
        ("--otlp-protocol", nameof(MagpieOptions.OtlpProtocol), "grpc (default) or http/protobuf"),
        ("--replicaof", nameof(MagpieOptions.ReplicaOf), "replicate from a primary (redis-server or Magpie): \"host port\" or host:port (default none)"),
        ("--masterauth", nameof(MagpieOptions.MasterAuth), "password this replica sends its primary"),
        ("--masteruser", nameof(MagpieOptions.MasterUser), "ACL user this replica authenticates as on its primary"),
        ("--replica-read-only", nameof(MagpieOptions.ReplicaReadOnly), "a replica refuses client writes: yes or no (default yes)"),
        ("--replica-serve-stale-data", nameof(MagpieOptions.ReplicaServeStaleData), "a replica with its link down still serves its data: yes or no (default yes)"),
        ("--repl-backlog-size", nameof(MagpieOptions.ReplBacklogSize), "write stream kept for partial resyncs (default 1mb)"),
        ("--min-replicas-to-write", nameof(MagpieOptions.MinReplicasToWrite), "refuse writes unless this many replicas are online (default 0: off)"),
        ("--min-replicas-max-lag", nameof(MagpieOptions.MinReplicasMaxLag), "seconds since a replica's last ACK for it to count (default 10)"),
        ("--cluster-require-full-coverage", nameof(MagpieOptions.ClusterRequireFullCoverage), "yes: no keyed command is served while some slot has no live owner; no: only that slot's (default yes)"),
    ];

    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static Command Create()
    {
        var command = new Command("server", "Start a Magpie node. Options also come from MAGPIE_* environment variables and magpie.json.");
        var config = new Option<string?>("--config") { Description = "JSON config file (default: ./magpie.json if present)" };
        command.Options.Add(config);
        var options = Options.Select(o => (o.Property, Option: new Option<string?>(o.Cli) { Description = o.Help })).ToList();
        foreach (var (_, option) in options) command.Options.Add(option);

        command.SetAction(async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>();
            foreach (var (property, option) in options)
                if (parse.GetValue(option) is { } value) overrides[property] = value;
            MagpieOptions nodeOptions;
            try
            {
                var configuration = NodeHost.LoadConfiguration(parse.GetValue(config), overrides);
                foreach (var warning in ConfigurationCheck.UnknownKeys(configuration)) Console.Error.WriteLine(warning);
                nodeOptions = NodeHost.BindOptions(configuration);
            }
            catch (OptionsException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine($"Invalid configuration: config file: {ConfigurationCheck.DescribeLoadError(ex)}");
                return 1;
            }
            // Socket completions run on the epoll thread instead of being queued to the thread pool.
            // Read once, when the socket engine starts, so it must be set before the host is built.
            if (nodeOptions.InlineScheduling && Environment.GetEnvironmentVariable(InlineCompletions) is null)
                Environment.SetEnvironmentVariable(InlineCompletions, "1");
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = NodeHost.Build(nodeOptions);
            }
            catch (Magpie.Storage.Persistence.RdbFileException ex)
            {
                Console.Error.WriteLine($"Failed to start: {ex.Message}");
                return 1;
            }
            catch (Magpie.Server.Persistence.AofFileException ex)
            {
                Console.Error.WriteLine($"Failed to start: {ex.Message}");
                return 1;
            }
            try
            {
                await app.RunAsync();
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine(StartFailure(ex, nodeOptions));
                return 1;
            }
            return 0;
        });
        return command;
    }

    /// <summary>One line for a node that cannot listen, naming the option that chose the port.</summary>
    internal static string StartFailure(IOException ex, MagpieOptions options)
    {
        bool inUse = ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            || ex.InnerException?.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase) == true;
        if (!inUse) return $"Failed to start: {ex.Message}";
        bool http = options.HttpPort > 0 && ex.Message.Contains($":{options.HttpPort}", StringComparison.Ordinal);
        return http
            ? $"Failed to start: HTTP port {options.HttpPort} is already in use; pick another with --http-port (or -1 to turn HTTP off)."
            : $"Failed to start: port {options.Port} is already in use; pick another with --port.";
    }
}
