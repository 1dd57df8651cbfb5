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

    /// <summary>"config|get" for subcommands, as Redis names them in errors and INFO.</summary>
    public string FullName => _fullName ??= Parent is null ? Name : $"{Parent}|{Name}";

    private string? _fullName;

    public bool HasFlag(CommandFlags flag) => (Flags & flag) != 0;

    public bool ArityMatches(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>ACL categories derived from flags and group, as Redis derives most of them.</summary>
    public IEnumerable<string> AclCategories()
    {
        if (HasFlag(CommandFlags.Write)) yield return "@write";
        if (HasFlag(CommandFlags.ReadOnly)) yield return "@read";
        if (HasFlag(CommandFlags.Admin)) { yield return "@admin"; yield return "@dangerous"; }
        if (HasFlag(CommandFlags.PubSub)) yield return "@pubsub";
        if (HasFlag(CommandFlags.Fast)) yield return "@fast";
        else yield return "@slow";
        if (HasFlag(CommandFlags.Blocking)) yield return "@blocking";
        if (Group is "string" or "hash" or "list" or "set" or "sorted-set" or "generic"
            or "connection" or "transactions" or "pubsub" or "stream")
            yield return "@" + (Group == "generic" ? "keyspace" : Group == "sorted-set" ? "sortedset" : Group);
    }

    /// <summary>
    /// For commands whose keys follow a count (SINTERCARD numkeys key..., LMPOP, ZUNION): the
    /// position of that count. The keys are the arguments right after it. 0 when unused.
    /// </summary>
    public int NumKeysIndex { get; init; }

    /// <summary>
    /// The key positions of a concrete call: by first/last/step, or by the numkeys argument.
    /// <paramref name="argAt"/> reads an argument (only needed for numkeys commands).
    /// </summary>
    public IEnumerable<int> KeyPositions(int argCount, Func<int, string>? argAt = null)
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

    public void Reset() => Calls = Microseconds = RejectedCalls = FailedCalls = 0;
}
