using System.Globalization;
using System.Text;
using Magpie.Cluster.Sharding;
using Magpie.Protocol;
using Magpie.Server.Commands;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Sharding;

/// <summary>
/// CLUSTER and its subcommands, ASKING, READONLY and READWRITE, with Redis 7.0's replies and errors.
/// On a node without <c>--cluster-enabled yes</c> each answers "This instance has cluster support disabled".
/// </summary>
public static partial class ClusterCommands
{
    public const string Disabled = "ERR This instance has cluster support disabled";
    public const string InvalidSlot = "ERR Invalid or out of range slot";

    public static void Register(CommandTable t)
    {
        const string g = "cluster";
        t.AddContainer("cluster", g, "A container for Redis Cluster commands.", None,
            Sub("addslots", -3, Admin | Stale | NoScript, AddSlots, "Assigns new hash slots to a node.", "3.0.0", "O(N) where N is the total number of hash slot arguments"),
            Sub("addslotsrange", -4, Admin | Stale | NoScript, AddSlotsRange, "Assigns new hash slot ranges to a node.", "7.0.0", "O(N) where N is the total number of the slots between the start slot and end slot arguments."),
            Sub("bumpepoch", 2, Admin | Stale | NoScript, BumpEpoch, "Advances the cluster config epoch.", "3.0.0"),
            Sub("count-failure-reports", 3, Admin | Stale | NoScript, CountFailureReports, "Returns the number of active failure reports active for a node.", "3.0.0", "O(N) where N is the number of failure reports"),
            Sub("countkeysinslot", 3, Stale, CountKeysInSlot, "Returns the number of keys in a hash slot.", "3.0.0"),
            Sub("delslots", -3, Admin | Stale | NoScript, DelSlots, "Sets hash slots as unbound for a node.", "3.0.0", "O(N) where N is the total number of hash slot arguments"),
            Sub("delslotsrange", -4, Admin | Stale | NoScript, DelSlotsRange, "Sets hash slot ranges as unbound for a node.", "7.0.0", "O(N) where N is the total number of the slots between the start slot and end slot arguments."),
            Sub("forget", 3, Admin | Stale | NoScript, Forget, "Removes a node from the nodes table.", "3.0.0"),
            Sub("getkeysinslot", 4, Stale, GetKeysInSlot, "Returns the key names in a hash slot.", "3.0.0", "O(N) where N is the number of requested keys"),
            Sub("help", 2, Loading | Stale, Help, "Returns helpful text about the different subcommands.", "5.0.0", "O(N) where N is the number of subcommands."),
            Sub("info", 2, Stale, Info, "Returns information about the state of a node.", "3.0.0"),
            Sub("keyslot", 3, Stale, KeySlot, "Returns the hash slot for a key.", "3.0.0", "O(N) where N is the number of bytes in the key"),
            Sub("links", 2, Stale, Links, "Returns a list of all TCP links to and from peer nodes.", "7.0.0", "O(N) where N is the total number of Cluster nodes"),
            Sub("meet", -4, Admin | Stale | NoScript, Meet, "Forces a node to handshake with another node.", "3.0.0"),
            Sub("myid", 2, Stale, MyId, "Returns the ID of a node.", "3.0.0"),
            Sub("myshardid", 2, Stale, MyShardId, "Returns the shard ID of a node.", "7.2.0"),
            Sub("nodes", 2, Stale, Nodes, "Returns the cluster configuration for a node.", "3.0.0", "O(N) where N is the total number of Cluster nodes"),
            Sub("replicas", 3, Admin | Stale | NoScript, Replicas, "Lists the replica nodes of a master node.", "5.0.0", "O(N) where N is the number of replicas."),
            Sub("reset", -2, Admin | Stale | NoScript, Reset, "Resets a node.", "3.0.0", "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect."),
            Sub("saveconfig", 2, Admin | Stale | NoScript, SaveConfig, "Forces a node to save the cluster configuration to disk.", "3.0.0"),
            Sub("set-config-epoch", 3, Admin | Stale | NoScript, SetConfigEpoch, "Sets the configuration epoch for a new node.", "3.0.0"),
            Sub("setslot", -4, Admin | Stale | NoScript, SetSlot, "Binds a hash slot to a node.", "3.0.0"),
            Sub("shards", 2, Stale, Shards, "Returns the mapping of cluster slots to shards.", "7.0.0", "O(N) where N is the total number of cluster nodes"),
            Sub("slots", 2, Stale, Slots, "Returns the mapping of cluster slots to nodes.", "3.0.0", "O(N) where N is the total number of Cluster nodes"));
        t.Add(new() { Name = "asking", Arity = 1, Flags = Fast, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = Asking, Group = "cluster", Summary = "Sent by cluster clients after an -ASK redirect", Since = "3.0.0", Complexity = "O(1)", Acl = "@fast @connection", Keys = [] });
        t.Add(new() { Name = "readonly", Arity = 1, Flags = Loading | Stale | Fast, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = ReadOnly, Group = "cluster", Summary = "Enables read queries for a connection to a cluster replica node", Since = "3.0.0", Complexity = "O(1)", Acl = "@fast @connection", Keys = [] });
        t.Add(new() { Name = "readwrite", Arity = 1, Flags = Loading | Stale | Fast, FirstKey = 0, LastKey = 0, KeyStep = 0, Handler = ReadWrite, Group = "cluster", Summary = "Disables read queries for a connection to a cluster replica node", Since = "3.0.0", Complexity = "O(1)", Acl = "@fast @connection", Keys = [] });
        t.Add(new() { Name = "magpie.clusterstate", Arity = 2, Flags = Admin | Stale | NoScript | Loading, Handler = ExchangeState, Group = g, Summary = "Node to node: merges the sender's cluster state and replies with this node's.", Since = "0.1.0" });
    }

    private static CommandSpec Sub(string name, int arity, CommandFlags flags, CommandHandler handler, string summary, string since, string complexity = "O(1)") =>
        new() { Name = name, Parent = "cluster", Arity = arity, Flags = flags, Handler = ctx => Guarded(ctx, handler), Group = "cluster", Summary = summary, Since = since, Complexity = complexity };

    private static void Guarded(CommandContext ctx, CommandHandler handler)
    {
        if (ctx.Server.ClusterMode is null)
        {
            ctx.Error(Disabled);
            return;
        }
        handler(ctx);
        ctx.Server.ClusterMode.SaveIfChanged();
    }

    private static ClusterMode Mode(CommandContext ctx) => ctx.Server.ClusterMode!;

    private static ClusterState State(CommandContext ctx) => ctx.Server.ClusterMode!.State;

    // ---- Slots ----------------------------------------------------------------------------------

    private static bool TryGetSlot(CommandContext ctx, int index, out int slot)
    {
        if (RedisNumbers.TryParseInt64(ctx.Arg(index), out long value) && value is >= 0 and < HashSlot.Count)
        {
            slot = (int)value;
            return true;
        }
        slot = -1;
        ctx.Error(InvalidSlot);
        return false;
    }

    private static bool TryGetSlots(CommandContext ctx, List<int> slots)
    {
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (!TryGetSlot(ctx, i, out int slot)) return false;
            slots.Add(slot);
        }
        return true;
    }

    private static bool TryGetRanges(CommandContext ctx, List<int> slots)
    {
        if ((ctx.ArgCount - 2) % 2 != 0)
        {
            ctx.WrongArity();
            return false;
        }
        for (int i = 2; i < ctx.ArgCount; i += 2)
        {
            if (!TryGetSlot(ctx, i, out int start) || !TryGetSlot(ctx, i + 1, out int end)) return false;
            if (start > end)
            {
                ctx.Error($"ERR start slot number {start} is greater than end slot number {end}");
                return false;
            }
            for (int s = start; s <= end; s++) slots.Add(s);
        }
        return true;
    }

    private static void AddSlots(CommandContext ctx)
    {
        var slots = new List<int>();
        if (TryGetSlots(ctx, slots)) Reply(ctx, State(ctx).AddSlots(slots));
    }

    private static void AddSlotsRange(CommandContext ctx)
    {
        var slots = new List<int>();
        if (TryGetRanges(ctx, slots)) Reply(ctx, State(ctx).AddSlots(slots));
    }

    private static void DelSlots(CommandContext ctx)
    {
        var slots = new List<int>();
        if (TryGetSlots(ctx, slots)) Reply(ctx, State(ctx).DelSlots(slots));
    }

    private static void DelSlotsRange(CommandContext ctx)
    {
        var slots = new List<int>();
        if (TryGetRanges(ctx, slots)) Reply(ctx, State(ctx).DelSlots(slots));
    }

    /// <summary>CLUSTER SETSLOT slot IMPORTING id | MIGRATING id | STABLE | NODE id.</summary>
    private static void SetSlot(CommandContext ctx)
    {
        if (!TryGetSlot(ctx, 2, out int slot)) return;
        var state = State(ctx);
        bool hasId = ctx.ArgCount == 5;
        if (ctx.ArgIs(3, "migrating"u8) && hasId) Reply(ctx, state.SetSlotMigrating(slot, ctx.ArgString(4)));
        else if (ctx.ArgIs(3, "importing"u8) && hasId) Reply(ctx, state.SetSlotImporting(slot, ctx.ArgString(4)));
        else if (ctx.ArgIs(3, "stable"u8) && ctx.ArgCount == 4)
        {
            state.SetSlotStable(slot);
            ctx.Reply.WriteOk();
        }
        else if (ctx.ArgIs(3, "node"u8) && hasId) Reply(ctx, state.SetSlotNode(slot, ctx.ArgString(4), ctx.Keyspace[0].CountInSlot(slot)));
        else ctx.Error("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
    }

    private static void KeySlot(CommandContext ctx) => ctx.Reply.WriteInteger(HashSlot.Of(ctx.Arg(2)));

    private static void CountKeysInSlot(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long slot) || slot is < 0 or >= HashSlot.Count)
        {
            ctx.Error("ERR Invalid slot");
            return;
        }
        ctx.Reply.WriteInteger(ctx.Keyspace[0].CountInSlot((int)slot));
    }

    private static void GetKeysInSlot(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long slot) || !RedisNumbers.TryParseInt64(ctx.Arg(3), out long count)
            || slot is < 0 or >= HashSlot.Count || count < 0)
        {
            ctx.Error("ERR Invalid slot or number of keys");
            return;
        }
        var db = ctx.Keyspace[0];
        var entries = db.EntriesInSlot((int)slot, (int)Math.Min(count, int.MaxValue));
        ctx.Reply.WriteArrayHeader(entries.Count);
        foreach (var entry in entries) ctx.Reply.WriteBulk(entry.Key);
    }

    // ---- Nodes and epochs -----------------------------------------------------------------------

    private static void MyId(CommandContext ctx) => ctx.Reply.WriteBulk(State(ctx).Myself.Id);

    private static void MyShardId(CommandContext ctx) => ctx.Reply.WriteBulk(NodeIds.ShardOf(State(ctx).Myself.Id));

    private static void Meet(CommandContext ctx)
    {
        if (ctx.ArgCount > 5)
        {
            ctx.SyntaxError();
            return;
        }
        string host = ctx.ArgString(2);
        if (!System.Net.IPAddress.TryParse(host, out _) || !RedisNumbers.TryParseInt64(ctx.Arg(3), out long port) || port is < 1 or > 65535
            || (ctx.ArgCount == 5 && (!RedisNumbers.TryParseInt64(ctx.Arg(4), out long busPort) || busPort is < 0 or > 65535)))
        {
            ctx.Error($"ERR Invalid node address specified: {host}:{ctx.ArgString(3)}");
            return;
        }
        State(ctx).Meet(host, (int)port);
        ctx.Reply.WriteOk();
    }

    private static void Forget(CommandContext ctx) => Reply(ctx, State(ctx).Forget(ctx.ArgString(2)));

    private static void Replicas(CommandContext ctx)
    {
        if (State(ctx).Find(ctx.ArgString(2)) is null)
        {
            ctx.Error($"ERR Unknown node {ctx.ArgString(2)}");
            return;
        }
        ctx.Reply.WriteArrayHeader(0); // Magpie cluster nodes have no replicas yet
    }

    private static void CountFailureReports(CommandContext ctx)
    {
        if (State(ctx).Find(ctx.ArgString(2)) is null)
        {
            ctx.Error($"ERR Unknown node {ctx.ArgString(2)}");
            return;
        }
        ctx.Reply.WriteInteger(0); // failure is decided by each node alone, not by reports
    }

    private static void SetConfigEpoch(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out long epoch))
        {
            ctx.Error($"ERR Invalid config epoch specified: {ctx.ArgString(2)}");
            return;
        }
        Reply(ctx, State(ctx).SetConfigEpoch(epoch));
    }

    private static void BumpEpoch(CommandContext ctx)
    {
        var state = State(ctx);
        bool bumped = state.BumpEpochWithoutConsensus();
        ctx.Reply.WriteSimpleString($"{(bumped ? "BUMPED" : "STILL")} {state.Myself.ConfigEpoch.ToString(CultureInfo.InvariantCulture)}");
    }

    private static void Reset(CommandContext ctx)
    {
        bool hard = false;
        if (ctx.ArgCount == 3)
        {
            if (ctx.ArgIs(2, "hard"u8)) hard = true;
            else if (!ctx.ArgIs(2, "soft"u8))
            {
                ctx.SyntaxError();
                return;
            }
        }
        else if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        if (ctx.Keyspace[0].Count > 0)
        {
            ctx.Error("ERR CLUSTER RESET can't be called with master nodes containing keys");
            return;
        }
        State(ctx).Reset(hard);
        ctx.Reply.WriteOk();
    }

    private static void SaveConfig(CommandContext ctx)
    {
        try
        {
            Mode(ctx).Save();
            ctx.Reply.WriteOk();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ctx.Error($"ERR error saving the cluster node config: {ex.Message}");
        }
    }

    // ---- Client flags ---------------------------------------------------------------------------

    private static void Asking(CommandContext ctx)
    {
        if (ctx.Server.ClusterMode is null) { ctx.Error(Disabled); return; }
        ctx.Client.Asking = true;
        ctx.Reply.WriteOk();
    }

    private static void ReadOnly(CommandContext ctx)
    {
        if (ctx.Server.ClusterMode is null) { ctx.Error(Disabled); return; }
        ctx.Client.ClusterReadOnly = true;
        ctx.Reply.WriteOk();
    }

    private static void ReadWrite(CommandContext ctx)
    {
        if (ctx.Server.ClusterMode is null) { ctx.Error(Disabled); return; }
        ctx.Client.ClusterReadOnly = false;
        ctx.Reply.WriteOk();
    }

    // ---- Node to node ---------------------------------------------------------------------------

    /// <summary>MAGPIE.CLUSTERSTATE payload: merge the sender's view, answer with ours (a ping and its pong in one round trip).</summary>
    private static void ExchangeState(CommandContext ctx)
    {
        if (ctx.Server.ClusterMode is not { } mode) { ctx.Error(Disabled); return; }
        if (!ClusterState.TryParsePayload(ctx.ArgString(1), out var payload, out string error))
        {
            ctx.Error("ERR bad cluster state: " + error);
            return;
        }
        mode.MessagesReceived++;
        mode.State.Merge(payload);
        mode.SaveIfChanged();
        mode.MessagesSent++;
        ctx.Reply.WriteBulk(mode.State.ToPayload());
    }

    private static void Reply(CommandContext ctx, string? error)
    {
        if (error is null) ctx.Reply.WriteOk();
        else ctx.Error(error);
    }
}
