using Magpie.Server.Commands;
using Magpie.Storage;

namespace Magpie.Server.Notifications;

/// <summary>What to fire when a command's key disappeared as a result of the command.</summary>
public enum OnKeyGone
{
    /// <summary>The command's event, then "del" (a pop or remove that emptied a collection).</summary>
    EventThenDel,

    /// <summary>Only "del" (EXPIRE with a past time, a STORE with an empty result).</summary>
    DelOnly,

    /// <summary>Only the command's event (DEL itself, GETDEL).</summary>
    EventOnly,
}

/// <summary>
/// Where the event depends on the call, not only on the command: picks the event for one changed
/// key (LMOVE's source and destination, ZADD INCR, LMPOP LEFT|RIGHT). Null: use the default.
/// </summary>
public delegate (string Name, KeyspaceEventClasses Class)? KeyEventRule(CommandContext ctx, Database db, byte[] key);

/// <summary>
/// The keyspace event a command fires for each key it changed, declared once per command in
/// <see cref="KeyspaceEventTable"/>.
/// </summary>
public sealed class KeyspaceEvent(string name, KeyspaceEventClasses eventClass, OnKeyGone gone = OnKeyGone.EventThenDel, KeyEventRule? rule = null)
{
    public string Name { get; } = name;

    public KeyspaceEventClasses Class { get; } = eventClass;

    public OnKeyGone Gone { get; } = gone;

    public KeyEventRule? Rule { get; } = rule;

    /// <summary>LMOVE and RPOPLPUSH: Redis notifies the push on the destination before the pop on the source (argument 1).</summary>
    public bool DestinationFirst { get; init; }

    /// <summary>Events fired after the per-key one (SET EX → "expire"); may be null.</summary>
    public Func<CommandContext, (string Name, KeyspaceEventClasses Class)?>? Then { get; init; }

    /// <summary>
    /// Whole-command events (RENAME, MOVE): when set, the changed keys are not looked at one by one;
    /// if the command changed anything, this writes its events in Redis's order.
    /// </summary>
    public Action<CommandContext, KeyspaceNotifier>? WholeCommand { get; init; }
}
