using System.Text;
using Magpie.Server.Commands;
using Magpie.Server.Util;

namespace Magpie.Server.Security;

/// <summary>Why a selector (or a user) refused a command, ordered as Redis ranks them (ACL_DENIED_*).</summary>
public enum AclDenial
{
    None = 0,
    Command = 1,
    Key = 2,
    Channel = 4,
}

/// <summary>A key pattern with the access it grants: "~p" read and write, "%R~p" read, "%W~p" write.</summary>
public sealed record AclKeyPattern(byte[] Pattern, bool Read, bool Write)
{
    public string Describe()
    {
        var text = Encoding.UTF8.GetString(Pattern);
        return Read && Write ? "~" + text : Read ? "%R~" + text : "%W~" + text;
    }
}

/// <summary>
/// One set of permissions, as Redis 7.0's aclSelector: the commands it allows, the keys and the
/// channels. A user has a root selector and any number of extra "(...)" selectors; a command is
/// allowed when one of them allows all of it. Categories come from the command table
/// (<see cref="CommandSpec.AclCategories"/>), key positions from <see cref="CommandSpec.KeyPositions"/>.
/// </summary>
public sealed class AclSelector
{
    private readonly CommandTable _table;
    private readonly HashSet<CommandSpec> _allowed = [];

    // The command rules as given, compacted as Redis 7.0's ACLUpdateCommandRules does: a new rule for
    // a name replaces earlier ones for it (and for its subcommands); +@all/-@all start over.
    private readonly List<string> _rules = [];

    public AclSelector(CommandTable table) => _table = table;

    /// <summary>Set by +@all/allcommands: commands added later are allowed too (Redis's reserved bit).</summary>
    public bool AllCommands { get; private set; }

    public bool AllKeys { get; private set; }

    public bool AllChannels { get; private set; }

    public List<AclKeyPattern> Keys { get; } = [];

    public List<byte[]> Channels { get; } = [];

    /// <summary>True when nothing is restricted: the common case, checked without looking at the command.</summary>
    public bool Unrestricted => AllCommands && _allowed.Count == CountAll() && AllKeys && AllChannels;

    private int _countAll = -1;

    private int CountAll()
    {
        if (_countAll < 0) _countAll = AllSpecs().Count();
        return _countAll;
    }

    public AclSelector Clone()
    {
        var copy = new AclSelector(_table) { AllCommands = AllCommands, AllKeys = AllKeys, AllChannels = AllChannels };
        copy._allowed.UnionWith(_allowed);
        copy._rules.AddRange(_rules);
        copy.Keys.AddRange(Keys);
        copy.Channels.AddRange(Channels);
        return copy;
    }

    /// <summary>Every command and subcommand of the table.</summary>
    public IEnumerable<CommandSpec> AllSpecs()
    {
        foreach (var spec in _table.All)
        {
            yield return spec;
            if (spec.Subcommands is not null)
                foreach (var sub in spec.Subcommands.Values) yield return sub;
        }
    }

    public bool Allows(CommandSpec spec) => _allowed.Contains(spec);

    /// <summary>Applies one selector rule; returns Redis's error text for a bad one, null when applied.</summary>
    public string? Apply(string rule)
    {
        var lower = rule.ToLowerInvariant();
        switch (lower)
        {
            case "allkeys":
                AllKeys = true;
                Keys.Clear();
                return null;
            case "resetkeys":
                AllKeys = false;
                Keys.Clear();
                return null;
            case "allchannels":
                AllChannels = true;
                Channels.Clear();
                return null;
            case "resetchannels":
                AllChannels = false;
                Channels.Clear();
                return null;
            case "allcommands":
            case "+@all":
                AllCommands = true;
                _allowed.UnionWith(AllSpecs());
                _rules.Clear();
                return null;
            case "nocommands":
            case "-@all":
                AllCommands = false;
                _allowed.Clear();
                _rules.Clear();
                return null;
        }
        if (rule.StartsWith('~')) return AddKey(rule[1..], read: true, write: true);
        if (rule.StartsWith('%'))
        {
            int tilde = rule.IndexOf('~');
            if (tilde < 2) return "Syntax error";
            bool read = false, write = false;
            foreach (var c in rule[1..tilde].ToUpperInvariant())
            {
                if (c == 'R') read = true;
                else if (c == 'W') write = true;
                else return "Syntax error";
            }
            return AddKey(rule[(tilde + 1)..], read, write);
        }
        if (rule.StartsWith('&'))
        {
            if (AllChannels) return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
            var channel = Encoding.UTF8.GetBytes(rule[1..]);
            if (rule.Length == 2 && rule[1] == '*')
            {
                AllChannels = true;
                Channels.Clear();
            }
            else if (!Channels.Any(c => c.AsSpan().SequenceEqual(channel))) Channels.Add(channel);
            return null;
        }
        if (rule.StartsWith('+') || rule.StartsWith('-'))
        {
            bool allow = rule[0] == '+';
            var name = lower[1..];
            if (name.StartsWith('@'))
            {
                var category = name[1..];
                if (!AclCategoryNames.All.Contains(category)) return "Unknown command or category name in ACL";
                foreach (var spec in AllSpecs())
                    if (InCategory(spec, category)) Set(spec, allow, withSubcommands: false);
                Remember(name, allow);
                return null;
            }
            int bar = name.IndexOf('|');
            var command = _table.Find(bar < 0 ? name : name[..bar]);
            if (command is null) return "Unknown command or category name in ACL";
            if (bar < 0)
            {
                Set(command, allow, withSubcommands: true);
                Remember(command.Name, allow);
                return null;
            }
            var subName = name[(bar + 1)..];
            if (command.Subcommands is null || !command.Subcommands.TryGetValue(subName, out var sub))
            {
                // Redis's first-argument rules (+select|0) are not supported; a real subcommand is required.
                return allow && command.Subcommands is null ? "Allowing first-arg of a subcommand is not supported" : "Unknown command or category name in ACL";
            }
            Set(sub, allow, withSubcommands: false);
            Remember(sub.FullName, allow);
            return null;
        }
        return "Syntax error";
    }

    private void Remember(string name, bool allow)
    {
        _rules.RemoveAll(r => r.AsSpan(1).SequenceEqual(name) || (r.Length > name.Length + 1 && r.AsSpan(1).StartsWith(name) && r[name.Length + 1] == '|'));
        _rules.Add((allow ? "+" : "-") + name);
    }

    private string? AddKey(string pattern, bool read, bool write)
    {
        if (AllKeys) return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
        if (pattern == "*" && read && write)
        {
            AllKeys = true;
            Keys.Clear();
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(pattern);
        int existing = Keys.FindIndex(k => k.Pattern.AsSpan().SequenceEqual(bytes));
        if (existing >= 0)
        {
            var old = Keys[existing];
            Keys[existing] = old with { Read = old.Read || read, Write = old.Write || write };
        }
        else Keys.Add(new AclKeyPattern(bytes, read, write));
        return null;
    }

    private void Set(CommandSpec spec, bool allow, bool withSubcommands)
    {
        if (allow) _allowed.Add(spec);
        else _allowed.Remove(spec);
        if (withSubcommands && spec.Subcommands is not null)
            foreach (var sub in spec.Subcommands.Values)
            {
                if (allow) _allowed.Add(sub);
                else _allowed.Remove(sub);
            }
    }

    public static bool InCategory(CommandSpec spec, string category)
    {
        foreach (var c in spec.AclCategories())
            if (AclCategoryNames.Normalize(c) == category) return true;
        return false;
    }

    /// <summary>
    /// Checks one command call. On a denial, <paramref name="index"/> is the argument that was refused
    /// (a key or channel), 0 for the command itself.
    /// </summary>
    public AclDenial Check(CommandSpec spec, Protocol.RespRequest request, out int index)
    {
        index = 0;
        if (!_allowed.Contains(spec)) return AclDenial.Command;
        if (!AllKeys && !KeysAllowed(spec, request, out index)) return AclDenial.Key;
        if (!AllChannels && ChannelArguments(spec) is var (first, patterns) && first > 0)
        {
            int last = spec.Name is "publish" or "spublish" ? 1 : request.Count - 1;
            for (int i = first; i <= last; i++)
            {
                if (!ChannelAllowed(request[i], patterns))
                {
                    index = i;
                    return AclDenial.Channel;
                }
            }
        }
        return AclDenial.None;
    }

    /// <summary>
    /// Redis 7.0's ACLSelectorCheckKey: each key is checked with its own key spec's flags, ACCESS
    /// needing read permission and INSERT/DELETE/UPDATE write permission (COPY reads its source and
    /// writes its destination). SET's variable flags are resolved as Redis's setGetKeys does. Commands
    /// without reliable specs (none declared, or an incomplete one) fall back to the command's
    /// read/write flag for every key.
    /// </summary>
    private bool KeysAllowed(CommandSpec spec, Protocol.RespRequest request, out int index)
    {
        index = 0;
        if (spec.FullName is "sort" or "sort_ro") return SortKeysAllowed(request, out index);
        var specs = spec.Keys;
        if (specs is null || specs.Length == 0 || Array.Exists(specs, k => k.Flags.HasFlag(KeySpecFlags.Incomplete)))
        {
            if (spec.FirstKey <= 0 && spec.NumKeysIndex <= 0) return true;
            bool needRead = spec.HasFlag(CommandFlags.ReadOnly);
            bool needWrite = spec.HasFlag(CommandFlags.Write);
            foreach (int i in spec.KeyPositions(request.Count, request.GetString))
            {
                if (KeyAllowed(request[i], needRead, needWrite)) continue;
                index = i;
                return false;
            }
            return true;
        }
        var positions = new List<int>(2);
        foreach (var keySpec in specs)
        {
            if (keySpec.Flags.HasFlag(KeySpecFlags.NotKey)) continue;
            positions.Clear();
            keySpec.AddPositions(positions, request.Count, request.GetString);
            var flags = keySpec.Flags.HasFlag(KeySpecFlags.VariableFlags) ? VariableKeyFlags(spec, request, keySpec.Flags) : keySpec.Flags;
            bool read = flags.HasFlag(KeySpecFlags.Access);
            bool write = (flags & (KeySpecFlags.Insert | KeySpecFlags.Delete | KeySpecFlags.Update)) != 0;
            foreach (int i in positions)
            {
                if (KeyAllowed(request[i], read, write)) continue;
                index = i;
                return false;
            }
        }
        return true;
    }

    /// <summary>Redis's sortGetKeys: the sorted key needs read access, a STORE destination write access.</summary>
    private bool SortKeysAllowed(Protocol.RespRequest request, out int index)
    {
        index = 1;
        if (request.Count < 2 || !KeyAllowed(request[1], needRead: true, needWrite: false)) return request.Count < 2;
        for (int i = 2; i < request.Count; i++)
        {
            var arg = request[i];
            if (System.Text.Ascii.EqualsIgnoreCase(arg, "LIMIT"u8)) i += 2;
            else if (System.Text.Ascii.EqualsIgnoreCase(arg, "GET"u8) || System.Text.Ascii.EqualsIgnoreCase(arg, "BY"u8)) i += 1;
            else if (System.Text.Ascii.EqualsIgnoreCase(arg, "STORE"u8) && i + 1 < request.Count)
            {
                if (!KeyAllowed(request[i + 1], needRead: false, needWrite: true))
                {
                    index = i + 1;
                    return false;
                }
                i += 1;
            }
        }
        index = 0;
        return true;
    }

    /// <summary>The flags Redis's getkeys procedure gives a VARIABLE_FLAGS key (SET: read too only with GET).</summary>
    private static KeySpecFlags VariableKeyFlags(CommandSpec spec, Protocol.RespRequest request, KeySpecFlags declared)
    {
        if (spec.FullName != "set") return declared;
        for (int i = 3; i < request.Count; i++)
            if (request[i].Length == 3 && System.Text.Ascii.EqualsIgnoreCase(request[i], "GET"u8)) return KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update;
        return KeySpecFlags.OW | KeySpecFlags.Update;
    }

    /// <summary>Which arguments of a pub/sub command name channels (from 1), and whether they are patterns.</summary>
    private static (int First, bool Patterns) ChannelArguments(CommandSpec spec) => spec.FullName switch
    {
        "publish" or "subscribe" or "ssubscribe" or "spublish" => (1, false),
        "psubscribe" => (1, true),
        _ => (0, false),
    };

    public bool KeyAllowed(ReadOnlySpan<byte> key, bool needRead, bool needWrite)
    {
        if (AllKeys) return true;
        foreach (var p in Keys)
        {
            if (needRead && !p.Read) continue;
            if (needWrite && !p.Write) continue;
            if (Glob.Match(p.Pattern, key)) return true;
        }
        return false;
    }

    /// <summary>A channel must match a pattern; a PSUBSCRIBE pattern must equal one literally, as in Redis.</summary>
    public bool ChannelAllowed(ReadOnlySpan<byte> channel, bool isPattern)
    {
        if (AllChannels) return true;
        foreach (var p in Channels)
        {
            if (isPattern ? p.AsSpan().SequenceEqual(channel) : Glob.Match(p, channel)) return true;
        }
        return false;
    }

    public string DescribeKeys() => AllKeys ? "~*" : string.Join(' ', Keys.Select(k => k.Describe()));

    public string DescribeChannels() => AllChannels ? "&*" : string.Join(' ', Channels.Select(c => "&" + Encoding.UTF8.GetString(c)));

    /// <summary>The command rules as Redis 7.0 prints them: "+@all" or "-@all", then the compacted rules in order.</summary>
    public string DescribeCommands()
    {
        var sb = new StringBuilder(AllCommands ? "+@all" : "-@all");
        foreach (var rule in _rules) sb.Append(' ').Append(rule);
        return sb.ToString();
    }

    /// <summary>Keys, channels and commands, as ACL LIST shows a selector.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        var keys = DescribeKeys();
        if (keys.Length > 0) parts.Add(keys);
        parts.Add(AllChannels ? "&*" : ("resetchannels " + DescribeChannels()).TrimEnd());
        parts.Add(DescribeCommands());
        return string.Join(' ', parts);
    }
}

/// <summary>Redis 7.0's ACL categories, in ACL CAT's order.</summary>
public static class AclCategoryNames
{
    public static readonly string[] All =
    [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
        "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ];

    /// <summary>"@read" -> "read"; the table's group-derived "@transactions" is Redis's "transaction".</summary>
    public static string Normalize(string category)
    {
        var name = category.TrimStart('@').ToLowerInvariant();
        return name == "transactions" ? "transaction" : name;
    }
}
