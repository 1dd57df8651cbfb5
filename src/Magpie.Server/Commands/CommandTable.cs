using System.Text;
using Magpie.Storage;

namespace Magpie.Server.Commands;

/// <summary>
/// The one table of commands. Lookup is by the command name's bytes, case-insensitively,
/// without allocating.
/// </summary>
public sealed class CommandTable
{
    private readonly Dictionary<byte[], CommandSpec> _commands = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], CommandSpec>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public CommandTable()
    {
        _lookup = _commands.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The table with every command Magpie implements.</summary>
    public static CommandTable CreateDefault()
    {
        var table = new CommandTable();
        ConnectionCommands.Register(table);
        StringCommands.Register(table);
        HashCommands.Register(table);
        SetCommands.Register(table);
        AofCommands.Register(table);
        KeyCommands.Register(table);
        ServerCommands.Register(table);
        TransactionCommands.Register(table);
        PubSubCommands.Register(table);
        ShardedPubSubCommands.Register(table);
        SortedSetCommands.Register(table);
        SortedSetBlockingCommands.Register(table);
        ListCommands.Register(table);
        Bitmaps.BitmapCommands.Register(table);
        HyperLogLog.HyperLogLogCommands.Register(table);
        Geo.GeoCommands.Register(table);
        Sorting.SortCommand.Register(table);
        Sorting.LcsCommand.Register(table);
        GroupCommands.Register(table);
        DumpRestoreCommands.Register(table);
        PersistenceCommands.Register(table);
        Security.AclCommands.Register(table);
        Sharding.ClusterCommands.Register(table);
        Sharding.MigrateCommand.Register(table);
        Scripting.ScriptingCommands.Register(table);
        Scripting.FunctionCommands.Register(table);
        StreamCommands.Register(table);
        Introspection.SlowLogLatencyMonitorCommands.Register(table);
        Introspection.ClientControlCommands.Register(table);
        Introspection.MemoryCommands.Register(table);
        Introspection.DebugCommand.Register(table);
        Notifications.KeyspaceEventTable.Apply(table);
        Replication.ReplicationCommands.Register(table);
        return table;
    }

    public IEnumerable<CommandSpec> All => _commands.Values;

    public int Count => _commands.Count;

    public void Add(CommandSpec spec)
    {
        if (spec.Name != spec.Name.ToLowerInvariant()) throw new ArgumentException($"command names are lowercase: {spec.Name}");
        _commands.Add(Encoding.ASCII.GetBytes(spec.Name), spec);
    }

    /// <summary>Adds a container command (CONFIG, CLIENT, ...) and its subcommands.</summary>
    public void AddContainer(string name, string group, string summary, CommandFlags flags, params CommandSpec[] subcommands)
    {
        var spec = new CommandSpec { Name = name, Arity = -2, Group = group, Summary = summary, Flags = flags };
        spec.Subcommands = subcommands.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        Add(spec);
    }

    public CommandSpec? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64) return null;
        Span<byte> lower = stackalloc byte[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            byte b = name[i];
            lower[i] = (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
        }
        return _lookup.TryGetValue(lower, out var spec) ? spec : null;
    }

    public CommandSpec? Find(string name) => Find(Encoding.UTF8.GetBytes(name));
}
