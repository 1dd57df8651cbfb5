using System.Globalization;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Cluster.Sharding;

/// <summary>
/// The state as text, exchanged between nodes as the argument and reply of <c>MAGPIE.CLUSTERSTATE</c>
/// and kept in the cluster config file:
/// <code>
/// magpie-cluster 1 &lt;sender-id&gt; &lt;current-epoch&gt;
/// node &lt;id&gt; &lt;host&gt; &lt;port&gt; &lt;config-epoch&gt; &lt;slots: 0-5460,6000 or -&gt;
/// ...
/// </code>
/// Like Redis Cluster's gossip, a receiver trusts only the sender's claims about the sender's own
/// slots (a claim with a higher config epoch wins, slots being imported excepted) and learns other
/// nodes' addresses from the rest; every node talks to every other, so claims reach everyone directly.
/// </summary>
public sealed partial class ClusterState
{
    private const string Header = "magpie-cluster 1";

    /// <summary>This node's whole view, every node's slots included (the config file uses all of it).</summary>
    public string ToPayload()
    {
        var sb = new StringBuilder();
        sb.Append(Header).Append(' ').Append(Myself.Id).Append(' ').Append(CurrentEpoch.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var slotsByNode = new Dictionary<ClusterNode, List<int>>();
        for (int slot = 0; slot < HashSlot.Count; slot++)
        {
            if (_owners[slot] is not { } owner) continue;
            if (!slotsByNode.TryGetValue(owner, out var list)) slotsByNode[owner] = list = [];
            list.Add(slot);
        }
        foreach (var node in _nodes.Values)
        {
            if (node.InHandshake) continue;
            sb.Append("node ").Append(node.Id).Append(' ').Append(node.Host).Append(' ')
                .Append(node.Port.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(node.ConfigEpoch.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(slotsByNode.TryGetValue(node, out var slots) ? SlotSet.Format(slots) : "-").Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A parsed payload: the sender and every node it described.</summary>
    public sealed record Payload(string SenderId, long CurrentEpoch, IReadOnlyList<PayloadNode> Nodes)
    {
        public PayloadNode? Sender => Nodes.FirstOrDefault(n => n.Id == SenderId);
    }

    public sealed record PayloadNode(string Id, string Host, int Port, long ConfigEpoch, IReadOnlyList<int> Slots);

    public static bool TryParsePayload(string text, out Payload payload, out string error)
    {
        payload = null!;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines[0].StartsWith(Header + " ", StringComparison.Ordinal))
        {
            error = "not a magpie-cluster state";
            return false;
        }
        var head = lines[0].Split(' ');
        if (head.Length != 4 || !NodeIds.IsValid(head[2]) || !long.TryParse(head[3], NumberStyles.None, CultureInfo.InvariantCulture, out long currentEpoch))
        {
            error = "bad header line";
            return false;
        }
        var nodes = new List<PayloadNode>();
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(' ');
            var slots = new List<int>();
            if (f.Length != 6 || f[0] != "node" || !NodeIds.IsValid(f[1])
                || !int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535
                || !long.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)
                || !SlotSet.TryParse(f[5], slots))
            {
                error = $"bad node line {i}";
                return false;
            }
            nodes.Add(new PayloadNode(f[1], f[2], port, epoch, slots));
        }
        payload = new Payload(head[2], currentEpoch, nodes);
        error = "";
        return true;
    }

    /// <summary>
    /// Merges another node's state. <paramref name="from"/> is the node the payload came back from (a
    /// reply), or null when it arrived as a request. Returns the sender as now known, or null when
    /// it is forgotten or the payload has no sender line.
    /// </summary>
    public ClusterNode? Merge(Payload payload, ClusterNode? from = null)
    {
        if (payload.Sender is not { } claim || claim.Id == Myself.Id) return null;
        var sender = Find(claim.Id);
        if (sender is null)
        {
            // A handshake node answering at the address we met it at takes its real id.
            if (from is { InHandshake: true } && !IsForgotten(claim.Id))
            {
                _nodes.Remove(from.Id);
                from.Id = claim.Id;
                from.InHandshake = false;
                _nodes.Add(from.Id, from);
                sender = from;
                Changed();
            }
            else sender = AddNode(claim.Id, claim.Host, claim.Port);
            if (sender is null) return null;
        }
        else if (from is { InHandshake: true } && !ReferenceEquals(from, sender))
        {
            Remove(from); // met a node we already knew under its id
        }
        MarkReached(sender);

        if (payload.CurrentEpoch > CurrentEpoch) { CurrentEpoch = payload.CurrentEpoch; Changed(); }
        if (sender.ConfigEpoch != claim.ConfigEpoch) { sender.ConfigEpoch = claim.ConfigEpoch; Changed(); }
        if (claim.ConfigEpoch > CurrentEpoch) CurrentEpoch = claim.ConfigEpoch;

        ClaimSlots(sender, claim.Slots);
        ResolveEpochCollision(sender);

        foreach (var other in payload.Nodes)
            if (other.Id != claim.Id && other.Id != Myself.Id && !_nodes.ContainsKey(other.Id))
                AddNode(other.Id, other.Host, other.Port, other.ConfigEpoch);
        return sender;
    }

    /// <summary>Redis's clusterUpdateSlotsConfigWith: the sender's claim wins over an older (lower epoch) owner.</summary>
    private void ClaimSlots(ClusterNode sender, IReadOnlyList<int> slots)
    {
        bool changed = false;
        foreach (int slot in slots)
        {
            if (_importingFrom[slot] is not null) continue; // redis-cli finishes an import with SETSLOT NODE
            var owner = _owners[slot];
            if (ReferenceEquals(owner, sender)) continue;
            if (owner is null || owner.ConfigEpoch < sender.ConfigEpoch)
            {
                if (owner is { IsMyself: true }) _migratingTo[slot] = null;
                Assign(slot, sender);
                changed = true;
            }
        }
        if (changed) Changed();
    }

    /// <summary>
    /// Two masters with the same config epoch (Redis's clusterHandleConfigEpochCollision): the one with
    /// the smaller id takes a new epoch, so every claim is ordered.
    /// </summary>
    private void ResolveEpochCollision(ClusterNode sender)
    {
        if (sender.ConfigEpoch != Myself.ConfigEpoch || string.CompareOrdinal(sender.Id, Myself.Id) <= 0) return;
        CurrentEpoch++;
        Myself.ConfigEpoch = CurrentEpoch;
        Changed();
    }

    /// <summary>Loads a saved view (the cluster config file): nodes, their epochs and slots; keeps this node's id.</summary>
    public void Load(Payload payload)
    {
        CurrentEpoch = Math.Max(CurrentEpoch, payload.CurrentEpoch);
        foreach (var n in payload.Nodes)
        {
            var node = n.Id == Myself.Id ? Myself : AddNode(n.Id, n.Host, n.Port);
            if (node is null) continue;
            node.ConfigEpoch = n.ConfigEpoch;
            foreach (int slot in n.Slots) Assign(slot, node);
        }
        Changed();
    }
}
