using System.Text;

namespace Magpie.Server.Notifications;

/// <summary>The classes of notify-keyspace-events, with Redis's bit values (server.h NOTIFY_*).</summary>
[Flags]
public enum KeyspaceEventClasses
{
    None = 0,
    Keyspace = 1 << 0,   // K
    Keyevent = 1 << 1,   // E
    Generic = 1 << 2,    // g
    String = 1 << 3,     // $
    List = 1 << 4,       // l
    Set = 1 << 5,        // s
    Hash = 1 << 6,       // h
    ZSet = 1 << 7,       // z
    Expired = 1 << 8,    // x
    Evicted = 1 << 9,    // e
    Stream = 1 << 10,    // t
    KeyMiss = 1 << 11,   // m
    Loaded = 1 << 12,    // module only
    Module = 1 << 13,    // d
    New = 1 << 14,       // n

    /// <summary>"A": g$lshzxetd (not m, not n).</summary>
    All = Generic | String | List | Set | Hash | ZSet | Expired | Evicted | Stream | Module,
}

/// <summary>notify-keyspace-events text to flags and back, as Redis's notify.c does it.</summary>
public static class KeyspaceEventClassNames
{
    public const string InvalidError = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    public static bool TryParse(string text, out KeyspaceEventClasses flags)
    {
        flags = KeyspaceEventClasses.None;
        foreach (char c in text)
        {
            flags |= c switch
            {
                'A' => KeyspaceEventClasses.All,
                'g' => KeyspaceEventClasses.Generic,
                '$' => KeyspaceEventClasses.String,
                'l' => KeyspaceEventClasses.List,
                's' => KeyspaceEventClasses.Set,
                'h' => KeyspaceEventClasses.Hash,
                'z' => KeyspaceEventClasses.ZSet,
                'x' => KeyspaceEventClasses.Expired,
                'e' => KeyspaceEventClasses.Evicted,
                'K' => KeyspaceEventClasses.Keyspace,
                'E' => KeyspaceEventClasses.Keyevent,
                't' => KeyspaceEventClasses.Stream,
                'm' => KeyspaceEventClasses.KeyMiss,
                'd' => KeyspaceEventClasses.Module,
                'n' => KeyspaceEventClasses.New,
                _ => (KeyspaceEventClasses)(-1),
            };
            if ((int)flags == -1) return false;
        }
        return true;
    }

    /// <summary>keyspaceEventsFlagsToString: "A" when every class of A is on, then K, E, m.</summary>
    public static string Format(KeyspaceEventClasses flags)
    {
        var sb = new StringBuilder();
        if ((flags & KeyspaceEventClasses.All) == KeyspaceEventClasses.All) sb.Append('A');
        else
        {
            if (flags.HasFlag(KeyspaceEventClasses.Generic)) sb.Append('g');
            if (flags.HasFlag(KeyspaceEventClasses.String)) sb.Append('$');
            if (flags.HasFlag(KeyspaceEventClasses.List)) sb.Append('l');
            if (flags.HasFlag(KeyspaceEventClasses.Set)) sb.Append('s');
            if (flags.HasFlag(KeyspaceEventClasses.Hash)) sb.Append('h');
            if (flags.HasFlag(KeyspaceEventClasses.ZSet)) sb.Append('z');
            if (flags.HasFlag(KeyspaceEventClasses.Expired)) sb.Append('x');
            if (flags.HasFlag(KeyspaceEventClasses.Evicted)) sb.Append('e');
            if (flags.HasFlag(KeyspaceEventClasses.Stream)) sb.Append('t');
            if (flags.HasFlag(KeyspaceEventClasses.Module)) sb.Append('d');
            if (flags.HasFlag(KeyspaceEventClasses.New)) sb.Append('n');
        }
        if (flags.HasFlag(KeyspaceEventClasses.Keyspace)) sb.Append('K');
        if (flags.HasFlag(KeyspaceEventClasses.Keyevent)) sb.Append('E');
        if (flags.HasFlag(KeyspaceEventClasses.KeyMiss)) sb.Append('m');
        return sb.ToString();
    }
}
