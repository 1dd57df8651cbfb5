using System.Globalization;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Cluster.Sharding;

/// <summary>
/// What a cluster-enabled node believes about the cluster, as Redis Cluster keeps it: the known nodes,
/// the owner of each of the 16384 slots, the slots being migrated or imported, and the epochs. Changed
/// by CLUSTER commands and by merging other nodes' state (<see cref="Merge"/>); nodes exchange it over
/// RESP (<c>MAGPIE.CLUSTERSTATE</c>), never over Redis's cluster bus.
/// Not thread-safe: every call is made under the server's keyspace lock, so command routing reads it
/// without further locking.
/// </summary>
public sealed partial class ClusterState
{
    private readonly ClusterNode?[] _owners = new ClusterNode?[HashSlot.Count];
    private readonly ClusterNode?[] _migratingTo = new ClusterNode?[HashSlot.Count];
    private readonly ClusterNode?[] _importingFrom = new ClusterNode?[HashSlot.Count];
    private readonly Dictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    // Forgotten nodes are not re-added from gossip for a minute (Redis's FORGET blacklist).
    private readonly Dictionary<string, long> _forgotten = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public const long ForgetBlacklistMs = 60_000;

    public ClusterState(string myId, string host, int port, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Myself = new ClusterNode(myId, host, port, NowMs) { IsMyself = true, PongReceivedMs = NowMs };
        _nodes.Add(myId, Myself);
    }

    public ClusterNode Myself { get; private set; }

    /// <summary>The highest epoch this node has seen (cluster_current_epoch).</summary>
    public long CurrentEpoch { get; private set; }

    /// <summary>Incremented on every change worth saving or telling others (slots, epochs, nodes).</summary>
    public long Version { get; private set; }

    public IReadOnlyCollection<ClusterNode> Nodes => _nodes.Values;

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public ClusterNode? OwnerOf(int slot) => _owners[slot];

    public ClusterNode? MigratingTo(int slot) => _migratingTo[slot];

    public ClusterNode? ImportingFrom(int slot) => _importingFrom[slot];

    public ClusterNode? Find(string id) => _nodes.GetValueOrDefault(id);

    /// <summary>Slots owned by a node, in order.</summary>
    public IEnumerable<int> SlotsOf(ClusterNode node)
    {
        for (int slot = 0; slot < HashSlot.Count; slot++)
            if (ReferenceEquals(_owners[slot], node)) yield return slot;
    }

    /// <summary>A slot is served when it has an owner that has not failed.</summary>
    public bool IsServed(int slot) => _owners[slot] is { Failed: false };

    public int SlotsAssigned { get; private set; }

    /// <summary>Slots whose owner is marked failed.</summary>
    public int SlotsFailed
    {
        get
        {
            int failed = 0;
            foreach (var node in _nodes.Values) if (node.Failed) failed += node.SlotCount;
            return failed;
        }
    }

    /// <summary>cluster_state: ok when every slot is assigned to a node that has not failed.</summary>
    public bool IsOk => SlotsAssigned == HashSlot.Count && SlotsFailed == 0;

    /// <summary>Masters owning at least one slot (cluster_size).</summary>
    public int Size => _nodes.Values.Count(n => n.SlotCount > 0);

    // ---- Slot ownership -------------------------------------------------------------------------

    /// <summary>CLUSTER ADDSLOTS / ADDSLOTSRANGE: all or nothing. Returns an error text or null.</summary>
    public string? AddSlots(IReadOnlyList<int> slots)
    {
        var seen = new HashSet<int>();
        foreach (int slot in slots)
        {
            if (_owners[slot] is not null) return $"ERR Slot {slot} is already busy";
            if (!seen.Add(slot)) return $"ERR Slot {slot} specified multiple times";
        }
        foreach (int slot in slots)
        {
            _importingFrom[slot] = null; // Redis: adding a slot closes an import of it
            Assign(slot, Myself);
        }
        Changed();
        return null;
    }

    /// <summary>CLUSTER DELSLOTS / DELSLOTSRANGE: all or nothing. Returns an error text or null.</summary>
    public string? DelSlots(IReadOnlyList<int> slots)
    {
        var seen = new HashSet<int>();
        foreach (int slot in slots)
        {
            if (_owners[slot] is null) return $"ERR Slot {slot} is already unassigned";
            if (!seen.Add(slot)) return $"ERR Slot {slot} specified multiple times";
        }
        foreach (int slot in slots)
        {
            Assign(slot, null);
            _migratingTo[slot] = _importingFrom[slot] = null;
        }
        Changed();
        return null;
    }

    public string? SetSlotMigrating(int slot, string nodeId)
    {
        if (!ReferenceEquals(_owners[slot], Myself)) return $"ERR I'm not the owner of hash slot {slot}";
        if (Find(nodeId) is not { } node) return $"ERR I don't know about node {nodeId}";
        if (node.IsMyself) return "ERR Can't MIGRATE a slot to myself"; // Redis 7.0 accepts it silently; refusing loses nothing
        _migratingTo[slot] = node;
        Changed();
        return null;
    }

    public string? SetSlotImporting(int slot, string nodeId)
    {
        if (ReferenceEquals(_owners[slot], Myself)) return $"ERR I'm already the owner of hash slot {slot}";
        if (Find(nodeId) is not { } node) return $"ERR I don't know about node {nodeId}";
        if (node.IsMyself) return $"ERR I'm already the owner of hash slot {slot}";
        _importingFrom[slot] = node;
        Changed();
        return null;
    }

    public void SetSlotStable(int slot)
    {
        _migratingTo[slot] = _importingFrom[slot] = null;
        Changed();
    }

    /// <summary>
    /// CLUSTER SETSLOT slot NODE id, as Redis: refused while this node still holds keys of a slot it
    /// gives away; closes the migration; an import finished here bumps this node's config epoch (without
    /// consensus, as Redis does) so its claim wins over the old owner's everywhere.
    /// </summary>
    public string? SetSlotNode(int slot, string nodeId, long keysInSlot)
    {
        if (Find(nodeId) is not { } node) return $"ERR Unknown node {nodeId}";
        if (ReferenceEquals(_owners[slot], Myself) && !node.IsMyself && keysInSlot != 0)
            return $"ERR Can't assign hashslot {slot} to a different node while I still hold keys for this hash slot.";
        if (keysInSlot == 0 && _migratingTo[slot] is not null) _migratingTo[slot] = null;
        if (!node.IsMyself) _migratingTo[slot] = null;
        if (node.IsMyself && _importingFrom[slot] is not null)
        {
            _importingFrom[slot] = null;
            BumpEpochWithoutConsensus();
        }
        Assign(slot, node);
        Changed();
        return null;
    }

    // ---- Epochs ---------------------------------------------------------------------------------

    /// <summary>CLUSTER SET-CONFIG-EPOCH, as redis-cli --cluster create sends it to each new node.</summary>
    public string? SetConfigEpoch(long epoch)
    {
        if (epoch < 0) return $"ERR Invalid config epoch specified: {epoch}";
        if (_nodes.Count > 1) return "ERR The user can assign a config epoch only when the node does not know any other node.";
        if (Myself.ConfigEpoch != 0) return "ERR Node config epoch is already non-zero";
        Myself.ConfigEpoch = epoch;
        if (CurrentEpoch < epoch) CurrentEpoch = epoch;
        Changed();
        return null;
    }

    /// <summary>CLUSTER BUMPEPOCH: true (BUMPED) when this node's epoch was not already the unique highest.</summary>
    public bool BumpEpochWithoutConsensus()
    {
        long maxEpoch = _nodes.Values.Max(n => n.ConfigEpoch);
        bool unique = _nodes.Values.Count(n => n.ConfigEpoch == maxEpoch) == 1;
        if (Myself.ConfigEpoch == 0 || Myself.ConfigEpoch != maxEpoch || !unique)
        {
            CurrentEpoch = Math.Max(CurrentEpoch, maxEpoch) + 1;
            Myself.ConfigEpoch = CurrentEpoch;
            Changed();
            return true;
        }
        return false;
    }

    // ---- Membership -----------------------------------------------------------------------------

    /// <summary>
    /// Adds a node known by its id (a static peer list, a loaded config file, another node's state).
    /// Returns the node, or null when the id is forgotten or invalid.
    /// </summary>
    public ClusterNode? AddNode(string id, string host, int port, long configEpoch = 0)
    {
        if (_nodes.TryGetValue(id, out var existing)) return existing;
        if (IsForgotten(id) || !NodeIds.IsValid(id)) return null;
        var node = new ClusterNode(id, host, port, NowMs) { ConfigEpoch = configEpoch, PongReceivedMs = NowMs };
        _nodes.Add(id, node);
        if (CurrentEpoch < configEpoch) CurrentEpoch = configEpoch;
        Changed();
        return node;
    }

    /// <summary>CLUSTER MEET: a handshake node, known by its address until it answers with its id.</summary>
    public void Meet(string host, int port)
    {
        string endpoint = ClusterNode.FormatEndpoint(host, port);
        if (_nodes.Values.Any(n => n.Endpoint == endpoint)) return;
        var node = new ClusterNode(NodeIds.Random(), host, port, NowMs) { InHandshake = true };
        _nodes.Add(node.Id, node);
        Changed();
    }

    /// <summary>CLUSTER FORGET: removes the node and ignores it in gossip for a minute.</summary>
    public string? Forget(string id)
    {
        if (Find(id) is not { } node) return $"ERR Unknown node {id}";
        if (node.IsMyself) return "ERR I tried hard but I can't forget myself...";
        Remove(node);
        _forgotten[id] = NowMs + ForgetBlacklistMs;
        return null;
    }

    /// <summary>Drops a handshake node that never answered.</summary>
    public void Remove(ClusterNode node)
    {
        if (node.IsMyself) return;
        for (int slot = 0; slot < HashSlot.Count; slot++)
        {
            if (ReferenceEquals(_owners[slot], node)) Assign(slot, null);
            if (ReferenceEquals(_migratingTo[slot], node)) _migratingTo[slot] = null;
            if (ReferenceEquals(_importingFrom[slot], node)) _importingFrom[slot] = null;
        }
        _nodes.Remove(node.Id);
        Changed();
    }

    /// <summary>CLUSTER RESET: forget every other node and every slot; HARD also takes a new id and zeroes the epochs.</summary>
    public void Reset(bool hard)
    {
        foreach (var node in _nodes.Values.Where(n => !n.IsMyself).ToArray()) Remove(node);
        for (int slot = 0; slot < HashSlot.Count; slot++)
        {
            Assign(slot, null);
            _migratingTo[slot] = _importingFrom[slot] = null;
        }
        _forgotten.Clear();
        if (hard)
        {
            _nodes.Remove(Myself.Id);
            Myself.Id = NodeIds.Random();
            _nodes.Add(Myself.Id, Myself);
            Myself.ConfigEpoch = 0;
            CurrentEpoch = 0;
        }
        Changed();
    }

    /// <summary>A state exchange was sent to the node (CLUSTER NODES' ping-sent; the timeout counts from its last answer).</summary>
    public void MarkPinged(ClusterNode node)
    {
        if (node.PingSentMs == 0) node.PingSentMs = NowMs;
    }

    /// <summary>A state exchange with the node succeeded (it answered).</summary>
    public void MarkReached(ClusterNode node)
    {
        node.PongReceivedMs = NowMs;
        node.PingSentMs = 0;
        if (node.Failed)
        {
            node.Failed = false;
            Changed();
        }
    }

    /// <summary>Marks nodes failed that have not answered within <paramref name="nodeTimeoutMs"/>; drops stale handshakes.</summary>
    public void CheckTimeouts(long nodeTimeoutMs)
    {
        long now = NowMs;
        foreach (var node in _nodes.Values.ToArray())
        {
            if (node.IsMyself) continue;
            if (node.InHandshake)
            {
                if (now - node.CreatedAtMs > Math.Max(nodeTimeoutMs, 1000)) Remove(node);
                continue;
            }
            if (!node.Failed && node.PingSentMs != 0 && now - node.PongReceivedMs > nodeTimeoutMs)
            {
                node.Failed = true;
                Changed();
            }
        }
        foreach (var (id, until) in _forgotten.ToArray())
            if (until <= now) _forgotten.Remove(id);
    }

    /// <summary>Start-up seeding from a static peer list: a node's epoch.</summary>
    public void SeedEpoch(ClusterNode node, long epoch)
    {
        node.ConfigEpoch = epoch;
        if (CurrentEpoch < epoch) CurrentEpoch = epoch;
        Changed();
    }

    /// <summary>Start-up seeding from a static peer list: the owner of every slot.</summary>
    public void SeedOwners(IReadOnlyList<ClusterNode?> owners)
    {
        for (int slot = 0; slot < HashSlot.Count; slot++) Assign(slot, owners[slot]);
        Changed();
    }

    private bool IsForgotten(string id) => _forgotten.TryGetValue(id, out long until) && until > NowMs;

    private void Assign(int slot, ClusterNode? node)
    {
        var old = _owners[slot];
        if (ReferenceEquals(old, node)) return;
        if (old is not null) { old.SlotCount--; SlotsAssigned--; }
        if (node is not null) { node.SlotCount++; SlotsAssigned++; }
        _owners[slot] = node;
    }

    private void Changed() => Version++;
}
