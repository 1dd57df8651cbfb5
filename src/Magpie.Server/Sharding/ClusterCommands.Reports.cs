using System.Globalization;
using System.Text;
using Magpie.Cluster.Sharding;
using Magpie.Protocol;
using Magpie.Server.Commands;

namespace Magpie.Server.Sharding;

/// <summary>CLUSTER INFO, NODES, SLOTS, SHARDS, LINKS and HELP, in Redis 7.0's shapes.</summary>
public static partial class ClusterCommands
{
    private static void Info(CommandContext ctx)
    {
        var mode = Mode(ctx);
        var s = mode.State;
        var sb = new StringBuilder();
        Line(sb, "cluster_state", s.IsOk ? "ok" : "fail");
        Line(sb, "cluster_slots_assigned", s.SlotsAssigned);
        Line(sb, "cluster_slots_ok", s.SlotsAssigned - s.SlotsFailed);
        Line(sb, "cluster_slots_pfail", 0);
        Line(sb, "cluster_slots_fail", s.SlotsFailed);
        Line(sb, "cluster_known_nodes", s.Nodes.Count);
        Line(sb, "cluster_size", s.Size);
        Line(sb, "cluster_current_epoch", s.CurrentEpoch);
        Line(sb, "cluster_my_epoch", s.Myself.ConfigEpoch);
        Line(sb, "cluster_stats_messages_sent", mode.MessagesSent);
        Line(sb, "cluster_stats_messages_received", mode.MessagesReceived);
        Line(sb, "total_cluster_links_buffer_limit_exceeded", 0);
        ctx.Reply.WriteVerbatim(sb.ToString());
    }

    private static void Line(StringBuilder sb, string name, object value) =>
        sb.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");

    /// <summary>
    /// One line per node: <c>id ip:port@cport flags master ping-sent pong-recv config-epoch link-state slot...</c>.
    /// The bus port is the RESP port: Magpie exchanges cluster state over RESP.
    /// </summary>
    private static void Nodes(CommandContext ctx) => ctx.Reply.WriteVerbatim(NodesText(State(ctx)));

    public static string NodesText(ClusterState s)
    {
        var slots = SlotsByNode(s);
        var sb = new StringBuilder();
        foreach (var node in s.Nodes.OrderBy(n => n.IsMyself ? 0 : 1))
        {
            sb.Append(node.Id).Append(' ').Append(node.Endpoint).Append('@').Append(node.Port.ToString(CultureInfo.InvariantCulture)).Append(' ');
            sb.Append(node.IsMyself ? "myself,master" : node.InHandshake ? "handshake" : node.Failed ? "master,fail" : "master");
            sb.Append(" - ");
            sb.Append((node.IsMyself ? 0 : node.PingSentMs).ToString(CultureInfo.InvariantCulture)).Append(' ');
            sb.Append((node.IsMyself ? 0 : node.PongReceivedMs).ToString(CultureInfo.InvariantCulture)).Append(' ');
            sb.Append(node.ConfigEpoch.ToString(CultureInfo.InvariantCulture)).Append(' ');
            sb.Append(node.IsMyself || !node.Failed ? "connected" : "disconnected");
            if (slots.TryGetValue(node, out var ranges))
                foreach (var (start, end) in ranges)
                    sb.Append(' ').Append(start.ToString(CultureInfo.InvariantCulture)).Append(start == end ? "" : "-" + end.ToString(CultureInfo.InvariantCulture));
            if (node.IsMyself)
            {
                for (int slot = 0; slot < HashSlot.Count; slot++)
                {
                    if (s.MigratingTo(slot) is { } to) sb.Append(" [").Append(slot.ToString(CultureInfo.InvariantCulture)).Append("->-").Append(to.Id).Append(']');
                    if (s.ImportingFrom(slot) is { } from) sb.Append(" [").Append(slot.ToString(CultureInfo.InvariantCulture)).Append("-<-").Append(from.Id).Append(']');
                }
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Each node's contiguous slot ranges, in slot order.</summary>
    private static Dictionary<ClusterNode, List<(int Start, int End)>> SlotsByNode(ClusterState s)
    {
        var result = new Dictionary<ClusterNode, List<(int, int)>>();
        foreach (var (start, end, node) in Ranges(s))
        {
            if (!result.TryGetValue(node, out var list)) result[node] = list = [];
            list.Add((start, end));
        }
        return result;
    }

    private static List<(int Start, int End, ClusterNode Node)> Ranges(ClusterState s)
    {
        var ranges = new List<(int, int, ClusterNode)>();
        int start = 0;
        for (int slot = 1; slot <= HashSlot.Count; slot++)
        {
            if (slot < HashSlot.Count && ReferenceEquals(s.OwnerOf(slot), s.OwnerOf(start))) continue;
            if (s.OwnerOf(start) is { } owner) ranges.Add((start, slot - 1, owner));
            start = slot;
        }
        return ranges;
    }

    /// <summary>[start, end, [ip, port, id, {}]] per range (7.0's fourth element: a map of other endpoints, empty).</summary>
    private static void Slots(CommandContext ctx)
    {
        var ranges = Ranges(State(ctx)).Where(r => !r.Node.Failed).ToList();
        ctx.Reply.WriteArrayHeader(ranges.Count);
        foreach (var (start, end, node) in ranges)
        {
            ctx.Reply.WriteArrayHeader(3);
            ctx.Reply.WriteInteger(start);
            ctx.Reply.WriteInteger(end);
            ctx.Reply.WriteArrayHeader(4);
            ctx.Reply.WriteBulk(node.Host);
            ctx.Reply.WriteInteger(node.Port);
            ctx.Reply.WriteBulk(node.Id);
            ctx.Reply.WriteMapHeader(0);
        }
    }

    /// <summary>One shard per primary: its slots as start/end integers and its one node.</summary>
    private static void Shards(CommandContext ctx)
    {
        var s = State(ctx);
        var slots = SlotsByNode(s);
        var nodes = s.Nodes.Where(n => !n.InHandshake).ToList();
        ctx.Reply.WriteArrayHeader(nodes.Count);
        foreach (var node in nodes)
        {
            ctx.Reply.WriteMapHeader(2);
            ctx.Reply.WriteBulk("slots");
            var ranges = slots.GetValueOrDefault(node) ?? [];
            ctx.Reply.WriteArrayHeader(ranges.Count * 2);
            foreach (var (start, end) in ranges)
            {
                ctx.Reply.WriteInteger(start);
                ctx.Reply.WriteInteger(end);
            }
            ctx.Reply.WriteBulk("nodes");
            ctx.Reply.WriteArrayHeader(1);
            ctx.Reply.WriteMapHeader(7);
            ctx.Reply.WriteBulk("id");
            ctx.Reply.WriteBulk(node.Id);
            ctx.Reply.WriteBulk("port");
            ctx.Reply.WriteInteger(node.Port);
            ctx.Reply.WriteBulk("ip");
            ctx.Reply.WriteBulk(node.Host);
            ctx.Reply.WriteBulk("endpoint");
            ctx.Reply.WriteBulk(node.Host);
            ctx.Reply.WriteBulk("role");
            ctx.Reply.WriteBulk("master");
            ctx.Reply.WriteBulk("replication-offset");
            ctx.Reply.WriteInteger(0);
            ctx.Reply.WriteBulk("health");
            ctx.Reply.WriteBulk(node.Failed ? "failed" : "online");
        }
    }

    /// <summary>One outbound link per known node (the state exchange connection).</summary>
    private static void Links(CommandContext ctx)
    {
        var s = State(ctx);
        var peers = s.Nodes.Where(n => !n.IsMyself && !n.InHandshake).ToList();
        ctx.Reply.WriteArrayHeader(peers.Count);
        foreach (var node in peers)
        {
            ctx.Reply.WriteMapHeader(6);
            ctx.Reply.WriteBulk("direction");
            ctx.Reply.WriteBulk("to");
            ctx.Reply.WriteBulk("node");
            ctx.Reply.WriteBulk(node.Id);
            ctx.Reply.WriteBulk("create-time");
            ctx.Reply.WriteInteger(node.CreatedAtMs);
            ctx.Reply.WriteBulk("events");
            ctx.Reply.WriteBulk("r");
            ctx.Reply.WriteBulk("send-buffer-allocated");
            ctx.Reply.WriteInteger(0);
            ctx.Reply.WriteBulk("send-buffer-used");
            ctx.Reply.WriteInteger(0);
        }
    }

    private static void Help(CommandContext ctx) => HelpReply.Write(ctx, "CLUSTER",
        "ADDSLOTS <slot> [<slot> ...]", "    Assign slots to current node.",
        "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]", "    Assign slots which are between <start-slot> and <end-slot> to current node.",
        "BUMPEPOCH", "    Advance the cluster config epoch.",
        "COUNT-FAILURE-REPORTS <node-id>", "    Return number of failure reports for <node-id>.",
        "COUNTKEYSINSLOT <slot>", "    Return the number of keys in <slot>.",
        "DELSLOTS <slot> [<slot> ...]", "    Delete slots information from current node.",
        "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]", "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
        "FORGET <node-id>", "    Remove a node from the cluster.",
        "GETKEYSINSLOT <slot> <count>", "    Return key names stored by current node in a slot.",
        "INFO", "    Return information about the cluster.",
        "KEYSLOT <key>", "    Return the hash slot for <key>.",
        "LINKS", "    Return information about all network links between this node and its peers.",
        "MEET <ip> <port> [<bus-port>]", "    Connect nodes into a working cluster.",
        "MYID", "    Return the node id.",
        "MYSHARDID", "    Return the node's shard id.",
        "NODES", "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "REPLICAS <node-id>", "    Return <node-id> replicas.",
        "RESET [HARD|SOFT]", "    Reset current node (default: soft).",
        "SAVECONFIG", "    Force saving cluster configuration on disk.",
        "SET-CONFIG-EPOCH <epoch>", "    Set config epoch of current node.",
        "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)", "    Set slot state.",
        "SHARDS", "    Return information about slot range mappings and the nodes associated with them.",
        "SLOTS", "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids");
}
