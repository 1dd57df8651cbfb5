namespace Magpie.Server.Commands;

public delegate void CommandHandler(CommandContext ctx);

/// <summary>
/// One command's metadata, declared once: it drives dispatch, arity checks, COMMAND output,
/// ACL categories and key extraction.
/// </summary>
public sealed class CommandSpec
{
    public required string Name { get; init; }

    /// <summary>Redis arity: N means exactly N arguments (name included), -N means at least N.</summary>
    public required int Arity { get; init; }

    public CommandFlags Flags { get; init; }

    public int FirstKey { get; init; }

    public int LastKey { get; init; }

    public int KeyStep { get; init; }

    public CommandHandler? Handler { get; init; }

    /// <summary>COMMAND DOCS group: string, generic, server, connection, ...</summary>
    public required string Group { get; init; }

    public string Summary { get; init; } = "";

    public string Since { get; init; } = "1.0.0";

    public string Complexity { get; init; } = "O(1)";

    /// <summary>For container commands (CONFIG, CLIENT, ...): subcommands by lowercase name.</summary>
    public Dictionary<string, CommandSpec>? Subcommands { get; set; }

    /// <summary>The parent's name for a subcommand ("config" for "config|get").</summary>
    public string? Parent { get; init; }

    public CommandStats Stats { get; } = new();

    /// <summary>The keyspace event this command fires for the keys it changes (set from Notifications.KeyspaceEventTable).</summary>
    public Notifications.KeyspaceEvent? KeyspaceEvent { get; set; }

    /// <summary>"config|get" for subcommands, as Redis names them in errors and INFO.</summary>
    public string FullName => _fullName ??= Parent is null ? Name : $"{Parent}|{Name}";

    private string? _fullName;

    public bool HasFlag(CommandFlags flag) => (Flags & flag) != 0;

    public bool ArityMatches(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>
    /// The ACL categories that don't follow from the flags (Redis's acl_categories in the command's
    /// JSON), space-separated: "@keyspace @dangerous". Null: derived from the group, as before.
    /// </summary>
    public string? Acl { get; init; }

    /// <summary>Redis 7.0 key specs. Null: derived from FirstKey/LastKey/KeyStep and NumKeysIndex.</summary>
    public KeySpec[]? Keys { get; init; }

    /// <summary>Command tips (COMMAND INFO): "nondeterministic_output", "request_policy:all_shards", ...</summary>
    public string[]? Tips { get; init; }

    /// <summary>COMMAND DOCS doc_flags: "deprecated", "syscmd".</summary>
    public string[]? DocFlags { get; init; }

    public string? DeprecatedSince { get; init; }

    public string? ReplacedBy { get; init; }

    /// <summary>COMMAND DOCS history: (version, change).</summary>
    public (string Version, string Change)[]? History { get; init; }

    /// <summary>A container's subcommands, for <c>Subcommands = CommandSpec.Children(...)</c>.</summary>
    public static Dictionary<string, CommandSpec> Children(params CommandSpec[] subcommands) =>
        subcommands.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    // Redis 7.0's category order (ACLCommandCategories), which COMMAND INFO follows.
    private static readonly string[] CategoryOrder =
    [
        "@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash", "@string", "@bitmap", "@hyperloglog",
        "@geo", "@stream", "@pubsub", "@admin", "@fast", "@slow", "@blocking", "@dangerous", "@connection",
        "@transaction", "@scripting",
    ];

    private string[]? _categories;

    /// <summary>
    /// ACL categories: the ones implied by the flags (write, read, admin+dangerous, pubsub, fast or slow,
    /// blocking), as Redis's setImplicitACLCategories adds them, plus <see cref="Acl"/>; in Redis's order.
    /// </summary>
    public IEnumerable<string> AclCategories() => _categories ??= ComputeCategories();

    private string[] ComputeCategories()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (Acl is not null) foreach (var c in Acl.Split(' ', StringSplitOptions.RemoveEmptyEntries)) set.Add(c.StartsWith('@') ? c : "@" + c);
        else if (Group is "string" or "hash" or "list" or "set" or "sorted-set" or "generic" or "connection" or "transactions" or "pubsub" or "bitmap" or "hyperloglog" or "geo" or "stream")
            set.Add("@" + (Group == "generic" ? "keyspace" : Group == "sorted-set" ? "sortedset" : Group == "transactions" ? "transaction" : Group));
        if (HasFlag(CommandFlags.Write)) set.Add("@write");
        if (HasFlag(CommandFlags.ReadOnly) && !set.Contains("@scripting")) set.Add("@read");
        if (HasFlag(CommandFlags.Admin)) { set.Add("@admin"); set.Add("@dangerous"); }
        if (HasFlag(CommandFlags.PubSub)) set.Add("@pubsub");
        if (HasFlag(CommandFlags.Fast)) set.Add("@fast");
        if (HasFlag(CommandFlags.Blocking)) set.Add("@blocking");
        if (!set.Contains("@fast")) set.Add("@slow");
        var ordered = CategoryOrder.Where(set.Contains).ToList();
        ordered.AddRange(set.Where(c => !CategoryOrder.Contains(c)).Order(StringComparer.Ordinal));
        return [.. ordered];
    }

    private KeySpec[]? _effectiveKeys;

    /// <summary>The key specs COMMAND INFO reports: <see cref="Keys"/>, or ones derived from the legacy fields.</summary>
    public KeySpec[] EffectiveKeySpecs => _effectiveKeys ??= Keys ?? DeriveKeySpecs();

    private KeySpec[] DeriveKeySpecs()
    {
        var specs = new List<KeySpec>();
        if (FirstKey > 0)
            specs.Add(new KeySpec(default) { Index = FirstKey, LastKey = LastKey < 0 ? LastKey : LastKey - FirstKey, KeyStep = KeyStep });
        if (NumKeysIndex > 0)
            specs.Add(new KeySpec(default) { Index = NumKeysIndex, KeyNum = true });
        return [.. specs];
    }

    /// <summary>
    /// For commands whose keys follow a count (SINTERCARD numkeys key..., LMPOP, ZUNION): the
    /// position of that count. The keys are the arguments right after it. 0 when unused.
    /// </summary>
    public int NumKeysIndex { get; init; }

    /// <summary>
    /// MIGRATE's <c>host port "" db timeout KEYS k1 k2</c>: the empty first key is a placeholder, not a
    /// key (Redis's migrateGetKeys), so slot checks and ACLs see only the keys after KEYS.
    /// </summary>
    public bool EmptyFirstKeyIsNoKey { get; init; }

    /// <summary>
    /// The key positions of a concrete call: by first/last/step, or by the numkeys argument.
    /// <paramref name="argAt"/> reads an argument (only needed for numkeys commands).
    /// </summary>
    public IEnumerable<int> KeyPositions(int argCount, Func<int, string>? argAt = null)
    {
        if (Keys is not null)
        {
            var positions = new List<int>(2);
            foreach (var k in Keys) k.AddPositions(positions, argCount, argAt);
            if (EmptyFirstKeyIsNoKey && argAt is not null && positions.Count > 1 && argAt(positions[0]).Length == 0) positions.RemoveAt(0);
            return positions;
        }
        return LegacyKeyPositions(argCount, argAt);
    }

    private IEnumerable<int> LegacyKeyPositions(int argCount, Func<int, string>? argAt)
    {
        // Fixed keys first (a STORE destination), then the keys counted by numkeys.
        if (FirstKey > 0)
        {
            int last = LastKey < 0 ? argCount + LastKey : LastKey;
            for (int i = FirstKey; i <= last && i < argCount; i += Math.Max(KeyStep, 1)) yield return i;
        }
        if (NumKeysIndex > 0 && argAt is not null && NumKeysIndex < argCount && int.TryParse(argAt(NumKeysIndex), out int numKeys))
            for (int i = NumKeysIndex + 1; i <= NumKeysIndex + numKeys && i < argCount; i++) yield return i;
    }
}

/// <summary>Per-command counters for INFO commandstats.</summary>
public sealed class CommandStats
{
    public long Calls;
    public long Microseconds;
    public long RejectedCalls;
    public long FailedCalls;

    /// <summary>LATENCY HISTOGRAM's buckets (Introspection.LatencyHistogram); null until the command first runs.</summary>
    public long[]? LatencyBuckets;

    public void Reset()
    {
        Calls = Microseconds = RejectedCalls = FailedCalls = 0;
        LatencyBuckets = null;
    }
}
