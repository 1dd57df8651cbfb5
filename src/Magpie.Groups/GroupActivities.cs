using System.Diagnostics;

namespace Magpie.Groups;

/// <summary>
/// Trace spans for the slow paths of a group: a loader call (<c>magpie.group.load</c>) and a request
/// to the owner peer (<c>magpie.group.peer_get</c>), on the <c>ActivitySource</c> <c>Magpie.Groups</c>.
/// Tags name the group, the slot and the peer, never the key. With no listener (no OTLP exporter, no
/// test listening) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs nothing.
/// </summary>
public static class GroupActivities
{
    public const string SourceName = "Magpie.Groups";
    public const string Load = "magpie.group.load";
    public const string PeerGet = "magpie.group.peer_get";

    public static readonly ActivitySource Source = new(SourceName);

    internal static Activity? StartLoad(string group, int slot, bool asOwner)
    {
        var activity = Source.StartActivity(Load, ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag("magpie.group", group);
        activity.SetTag("magpie.slot", slot);
        activity.SetTag("magpie.as_owner", asOwner);
        return activity;
    }

    internal static Activity? StartPeerGet(string group, int slot, string peer)
    {
        var activity = Source.StartActivity(PeerGet, ActivityKind.Client);
        if (activity is null) return null;
        activity.SetTag("magpie.group", group);
        activity.SetTag("magpie.slot", slot);
        activity.SetTag("magpie.peer", peer);
        return activity;
    }

    internal static void Fail(Activity? activity, Exception ex)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, ex.Message);
        activity.AddException(ex);
    }
}
