using Magpie.Cluster;
using Magpie.Cluster.Sharding;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Hosting;
using Magpie.Server.Peers;

namespace Magpie.Server.Sharding;

/// <summary>
/// A node started with <c>--cluster-enabled yes</c>: its <see cref="ClusterState"/> plus what the
/// server needs around it (the node timeout, the config file, the specs routing treats specially).
/// Everything here is used under the keyspace lock.
/// </summary>
public sealed class ClusterMode
{
    private long _savedVersion = -1;

    public ClusterMode(ClusterState state, CommandTable commands, long nodeTimeoutMs, string? configFile, bool requireFullCoverage = true)
    {
        RequireFullCoverage = requireFullCoverage;
        State = state;
        NodeTimeoutMs = nodeTimeoutMs;
        ConfigFile = string.IsNullOrWhiteSpace(configFile) ? null : configFile;
        Exec = commands.Find("exec");
        Select = commands.Find("select");
        Migrate = commands.Find("migrate");
        RestoreAsking = commands.Find("restore-asking");
    }

    public ClusterState State { get; }

    /// <summary>cluster-require-full-coverage: no keyed command is served while some slot has no live owner.</summary>
    public bool RequireFullCoverage { get; }

    /// <summary>A node that has not answered for this long is marked failed (cluster-node-timeout).</summary>
    public long NodeTimeoutMs { get; }

    /// <summary>Where the node keeps its id and its view of the cluster (cluster-config-file); null: nowhere.</summary>
    public string? ConfigFile { get; }

    internal CommandSpec? Exec { get; }
    internal CommandSpec? Select { get; }
    internal CommandSpec? Migrate { get; }
    internal CommandSpec? RestoreAsking { get; }

    /// <summary>State exchanges answered and sent, for CLUSTER INFO's message counters.</summary>
    public long MessagesSent { get; set; }

    public long MessagesReceived { get; set; }

    /// <summary>
    /// The node at start: its saved view when the config file exists; otherwise a lone node (waiting for
    /// CLUSTER ADDSLOTS / MEET, as redis-cli --cluster create expects), or, with <c>--peers</c>, every
    /// primary of the list owning its consistent-hash share of the slots, computed the same on every node.
    /// </summary>
    public static ClusterMode Create(MagpieOptions options, ClusterConfig config, CommandTable commands)
    {
        string? file = ConfigFilePath(options);
        PeerList.TrySplitEndpoint(config.Self.Endpoint, out string host, out int port);
        if (port == 0) port = options.Port;
        ClusterState state;
        if (file is not null && File.Exists(file))
        {
            if (!ClusterState.TryParsePayload(File.ReadAllText(file), out var saved, out string error))
                throw new InvalidDataException($"cluster-config-file {file}: {error}");
            state = new ClusterState(saved.SenderId, host, port);
            state.Load(saved);
        }
        else
        {
            state = new ClusterState(NodeIds.ForEndpoint(config.Self.Endpoint), host, port);
            if (!config.IsSingleNode) SeedFromPeers(state, config);
        }
        var mode = new ClusterMode(state, commands, options.ClusterNodeTimeout, file, options.ClusterRequireFullCoverage);
        mode.SaveIfChanged();
        return mode;
    }

    /// <summary>
    /// Where the node keeps its id and view, as Redis does: cluster-config-file (default <c>nodes.conf</c>)
    /// inside the data dir; a relative name is taken inside <c>--data-dir</c> when there is one. Without a
    /// data dir and without the option: nowhere (the id then derives from the endpoint).
    /// </summary>
    public static string? ConfigFilePath(MagpieOptions options)
    {
        bool hasDir = !string.IsNullOrWhiteSpace(options.DataDir);
        if (string.IsNullOrWhiteSpace(options.ClusterConfigFile)) return hasDir ? Path.Combine(options.DataDir, "nodes.conf") : null;
        return hasDir && !Path.IsPathRooted(options.ClusterConfigFile) ? Path.Combine(options.DataDir, options.ClusterConfigFile) : options.ClusterConfigFile;
    }

    /// <summary>Static membership: every primary of <c>--peers</c> with its ring share, epochs 1..N in id order.</summary>
    private static void SeedFromPeers(ClusterState state, ClusterConfig config)
    {
        var primaries = config.Nodes.Where(n => n.OwnsSlots).Append(config.Self).Where(n => n.OwnsSlots)
            .DistinctBy(n => n.Id).OrderBy(n => n.Id, StringComparer.Ordinal).ToArray();
        var ring = new StaticRing(primaries);
        var byEndpoint = new Dictionary<string, ClusterNode>(StringComparer.Ordinal);
        long epoch = 0;
        foreach (var peer in primaries)
        {
            epoch++;
            if (!PeerList.TrySplitEndpoint(peer.Endpoint, out string host, out int port)) continue;
            var node = peer.Id == config.Self.Id ? state.Myself : state.AddNode(NodeIds.ForEndpoint(peer.Endpoint), host, port);
            if (node is null) continue;
            byEndpoint[peer.Endpoint] = node;
            state.SeedEpoch(node, epoch);
        }
        var owners = new ClusterNode?[HashSlot.Count];
        for (int slot = 0; slot < HashSlot.Count; slot++)
            owners[slot] = ring.OwnerOf(slot) is { } owner ? byEndpoint.GetValueOrDefault(owner.Endpoint) : null;
        state.SeedOwners(owners);
    }

    /// <summary>Writes the config file when the state changed since the last write (atomically: temp file, then rename).</summary>
    public void SaveIfChanged()
    {
        if (ConfigFile is null || State.Version == _savedVersion) return;
        Save();
    }

    public void Save()
    {
        if (ConfigFile is null) return;
        string temp = ConfigFile + ".tmp";
        string? dir = Path.GetDirectoryName(Path.GetFullPath(ConfigFile));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(temp, State.ToPayload());
        File.Move(temp, ConfigFile, overwrite: true);
        _savedVersion = State.Version;
    }
}
