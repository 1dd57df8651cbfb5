using System.Text;
using Magpie.Server.Commands;
using Magpie.Server.Hosting;
using Magpie.Storage;

namespace Magpie.Server.Notifications;

/// <summary>
/// Keyspace and keyevent notifications (notify-keyspace-events), published through the pub/sub hub
/// on <c>__keyspace@db__:key</c> and <c>__keyevent@db__:event</c>. While a command runs, the keys it
/// changes are collected from the keyspace observer hooks; when it ends, each is turned into the
/// event its <see cref="KeyspaceEvent"/> declares. Off (the default), it is not hooked in at all and
/// the dispatcher pays one field test per command.
/// </summary>
public sealed class KeyspaceNotifier : IKeyspaceObserver, IKeyRemovalListener
{
    private enum ChangeKind : byte { Modified, New, Expired, Evicted, Miss }

    private readonly record struct Change(Database Db, byte[] Key, ChangeKind Kind);

    private sealed class Frame
    {
        public CommandContext Ctx = null!;
        public CommandSpec Spec = null!;
        public readonly List<Change> Changes = [];
    }

    private readonly ServerState _server;
    private readonly List<Frame> _frames = [];
    private int _depth;

    public KeyspaceNotifier(ServerState server) => _server = server;

    public KeyspaceEventClasses Classes { get; private set; }

    /// <summary>True when notifications are configured: the dispatcher only calls in then.</summary>
    public bool Enabled { get; private set; }

    /// <summary>CONFIG SET notify-keyspace-events: hooks in or out of the keyspace.</summary>
    public void Configure(KeyspaceEventClasses classes)
    {
        Classes = classes;
        bool on = (classes & (KeyspaceEventClasses.Keyspace | KeyspaceEventClasses.Keyevent)) != 0 && (classes & ~(KeyspaceEventClasses.Keyspace | KeyspaceEventClasses.Keyevent)) != 0;
        if (on == Enabled) return;
        Enabled = on;
        var ks = _server.Keyspace;
        if (on)
        {
            _server.Watches.Others.Add(this);
            ks.RemovalListeners.Add(this);
            ks.KeyAdded = KeyAdded;
            ks.KeyMissed = KeyMissed;
        }
        else
        {
            _server.Watches.Others.Remove(this);
            ks.RemovalListeners.Remove(this);
            ks.KeyAdded = null;
            ks.KeyMissed = null;
        }
    }

    /// <summary>Called by the dispatcher before a command's handler (only when <see cref="Enabled"/>).</summary>
    public void BeginCommand(CommandContext ctx, CommandSpec spec)
    {
        if (_depth == _frames.Count) _frames.Add(new Frame());
        var f = _frames[_depth++];
        f.Ctx = ctx;
        f.Spec = spec;
        f.Changes.Clear();
    }

    /// <summary>Called by the dispatcher after the handler: fires the events of what the command changed.</summary>
    public void EndCommand()
    {
        if (_depth == 0) return;
        var f = _frames[--_depth];
        var changes = f.Changes;
        var e = f.Spec.KeyspaceEvent;
        bool anyModified = false;
        if (e is { DestinationFirst: true } && changes.Count > 1)
        {
            var source = f.Ctx.ArgBytes(1);
            var reordered = changes.Where(c => !c.Key.AsSpan().SequenceEqual(source)).Concat(changes.Where(c => c.Key.AsSpan().SequenceEqual(source))).ToList();
            changes.Clear();
            changes.AddRange(reordered);
        }
        foreach (var c in changes)
        {
            switch (c.Kind)
            {
                case ChangeKind.New: Fire(c.Db, c.Key, "new", KeyspaceEventClasses.New); break;
                case ChangeKind.Expired: Fire(c.Db, c.Key, "expired", KeyspaceEventClasses.Expired); break;
                case ChangeKind.Evicted: Fire(c.Db, c.Key, "evicted", KeyspaceEventClasses.Evicted); break;
                case ChangeKind.Miss: Fire(c.Db, c.Key, "keymiss", KeyspaceEventClasses.KeyMiss); break;
                default:
                    anyModified = true;
                    if (e is null || e.WholeCommand is not null) break;
                    FireFor(f.Ctx, e, c.Db, c.Key);
                    break;
            }
        }
        if (anyModified && e?.WholeCommand is { } whole) whole(f.Ctx, this);
        if (anyModified && e?.Then?.Invoke(f.Ctx) is { } then) Fire(f.Ctx.Db, f.Ctx.ArgBytes(1), then.Name, then.Class);
        changes.Clear();
        f.Ctx = null!;
        f.Spec = null!;
    }

    private void FireFor(CommandContext ctx, KeyspaceEvent e, Database db, byte[] key)
    {
        var (name, cls) = e.Rule?.Invoke(ctx, db, key) ?? (e.Name, e.Class);
        bool gone = db.Lookup(key) is null;
        if (!gone || e.Gone != OnKeyGone.DelOnly) Fire(db, key, name, cls);
        if (gone && e.Gone != OnKeyGone.EventOnly) Fire(db, key, "del", KeyspaceEventClasses.Generic);
    }

    /// <summary>notifyKeyspaceEvent: publishes one event if its class is enabled.</summary>
    public void Fire(Database db, byte[] key, string eventName, KeyspaceEventClasses cls)
    {
        var classes = Classes;
        if ((classes & cls) == 0) return;
        var hub = _server.PubSub;
        long now = _server.Keyspace.Now;
        var evt = Encoding.ASCII.GetBytes(eventName);
        if ((classes & KeyspaceEventClasses.Keyspace) != 0)
            hub.Publish(Channel("__keyspace@", db.Index, key), evt, null, now);
        if ((classes & KeyspaceEventClasses.Keyevent) != 0)
            hub.Publish(Channel("__keyevent@", db.Index, evt), key, null, now);
    }

    private static byte[] Channel(string prefix, int db, byte[] suffix)
    {
        var head = Encoding.ASCII.GetBytes(prefix + db + "__:");
        var channel = new byte[head.Length + suffix.Length];
        head.CopyTo(channel, 0);
        suffix.CopyTo(channel, head.Length);
        return channel;
    }

    private void Record(Database db, byte[] key, ChangeKind kind)
    {
        if (_depth == 0)
        {
            // Outside a command (active expiry, eviction before a command): fire at once.
            if (kind == ChangeKind.Expired) Fire(db, key, "expired", KeyspaceEventClasses.Expired);
            else if (kind == ChangeKind.Evicted) Fire(db, key, "evicted", KeyspaceEventClasses.Evicted);
            return;
        }
        var changes = _frames[_depth - 1].Changes;
        if (kind is ChangeKind.Expired or ChangeKind.Evicted)
        {
            // The removal just before was the server's, not the command's: it becomes this event.
            if (changes.Count > 0 && changes[^1] is { Kind: ChangeKind.Modified } last && last.Db == db && last.Key.AsSpan().SequenceEqual(key))
                changes.RemoveAt(changes.Count - 1);
        }
        else if (kind == ChangeKind.Modified && changes.Count > 0 && changes[^1] is { Kind: ChangeKind.Modified } prev && prev.Db == db && prev.Key.AsSpan().SequenceEqual(key))
            return;
        changes.Add(new Change(db, key, kind));
    }

    public void KeyModified(Database db, byte[] key) => Record(db, key, ChangeKind.Modified);

    public void KeyExpired(Database db, byte[] key) => Record(db, key, ChangeKind.Expired);

    public void KeyEvicted(Database db, byte[] key) => Record(db, key, ChangeKind.Evicted);

    private void KeyAdded(Database db, byte[] key)
    {
        if (_depth > 0) _frames[_depth - 1].Changes.Add(new Change(db, key, ChangeKind.New));
    }

    private void KeyMissed(Database db, ReadOnlySpan<byte> key)
    {
        if (_depth > 0) _frames[_depth - 1].Changes.Add(new Change(db, key.ToArray(), ChangeKind.Miss));
    }
}
