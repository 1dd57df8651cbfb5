using Magpie.Cluster.Sharding;
using Magpie.Protocol;
using Magpie.Storage;

namespace Magpie.Server.Sharding;

/// <summary>Where a keyed command runs in cluster mode, and the redirect or error when not here.</summary>
public enum RouteKind
{
    Here,
    Moved,
    Ask,
    CrossSlot,
    TryAgain,
    DownUnbound,
    DownState,
}

public readonly record struct Route(RouteKind Kind, int Slot, ClusterNode? Node)
{
    public static readonly Route Here = new(RouteKind.Here, -1, null);
}

/// <summary>
/// The keys of one request (or of a whole MULTI queue at EXEC), gathered the way Redis's
/// getNodeByQuery does: the slot of the first key, whether every key is in that slot, and, when the
/// slot is migrating or importing here, how many keys this node does not hold.
/// </summary>
public sealed class SlotQuery(ClusterState cluster, Database db)
{
    private byte[]? _firstKey;

    public int Slot { get; private set; } = -1;

    /// <summary>The slot's owner in this node's map (null: not served).</summary>
    public ClusterNode? Owner { get; private set; }

    public bool CrossSlot { get; private set; }

    /// <summary>This node owns the slot and is migrating it away.</summary>
    public bool MigratingSlot { get; private set; }

    /// <summary>This node is importing the slot.</summary>
    public bool ImportingSlot { get; private set; }

    /// <summary>More than one distinct key.</summary>
    public bool MultipleKeys { get; private set; }

    public int MissingKeys { get; private set; }

    public bool HasKeys => Slot >= 0;

    /// <summary>Adds one key; false once the keys span two slots (nothing more needs looking at).</summary>
    public bool Add(ReadOnlySpan<byte> key)
    {
        int slot = HashSlot.Of(key);
        if (Slot < 0)
        {
            Slot = slot;
            _firstKey = key.ToArray();
            Owner = cluster.OwnerOf(slot);
            MigratingSlot = Owner is { IsMyself: true } && cluster.MigratingTo(slot) is not null;
            ImportingSlot = cluster.ImportingFrom(slot) is not null;
        }
        else if (slot != Slot)
        {
            CrossSlot = true;
            return false;
        }
        else if (!MultipleKeys && !key.SequenceEqual(_firstKey))
        {
            MultipleKeys = true;
        }
        if ((MigratingSlot || ImportingSlot) && db.Lookup(key) is null) MissingKeys++;
        return true;
    }

    /// <summary>
    /// The decision, in getNodeByQuery's order. <paramref name="asking"/>: the client sent ASKING or the
    /// command is one that implies it (RESTORE-ASKING); <paramref name="isMigrate"/>: MIGRATE, which
    /// always runs here while the slot is open.
    /// </summary>
    public Route Decide(bool asking, bool isMigrate, bool requireFullCoverage = true)
    {
        if (CrossSlot) return new Route(RouteKind.CrossSlot, Slot, null);
        if (!HasKeys) return Route.Here;

        // A slot nobody owns is not served, and (cluster-require-full-coverage) neither is anything
        // while some slot is not covered by a live node.
        if (Owner is null && !ImportingSlot) return new Route(RouteKind.DownUnbound, Slot, null);
        if (requireFullCoverage && !cluster.IsOk) return new Route(RouteKind.DownState, Slot, null);

        // MIGRATE moves keys of an open slot freely, whichever side it runs on.
        if ((MigratingSlot || ImportingSlot) && isMigrate) return Route.Here;

        // Keys that already left for the target: the client asks there.
        if (MigratingSlot && MissingKeys > 0) return new Route(RouteKind.Ask, Slot, cluster.MigratingTo(Slot));

        // A client sent here by -ASK is served, unless it needs several keys and some have not arrived.
        if (ImportingSlot && asking)
            return MultipleKeys && MissingKeys > 0 ? new Route(RouteKind.TryAgain, Slot, null) : Route.Here;

        // No live owner: nobody can serve the slot.
        if (Owner is null || Owner.Failed) return new Route(RouteKind.DownUnbound, Slot, null);


        return Owner.IsMyself ? Route.Here : new Route(RouteKind.Moved, Slot, Owner);
    }
}
