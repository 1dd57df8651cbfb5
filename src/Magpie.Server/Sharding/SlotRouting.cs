using System.Text;
using Magpie.Server.Commands;
using Magpie.Storage;

namespace Magpie.Server.Sharding;

/// <summary>
/// The cluster-mode check the dispatcher makes before a command runs, in the shape of Redis's
/// processCommand + getNodeByQuery + clusterRedirectClient: find the keys through the command table's
/// key specs, decide where the command belongs, and answer -MOVED, -ASK, -CROSSSLOT, -TRYAGAIN or
/// -CLUSTERDOWN when it is not here. Runs under the keyspace lock.
/// </summary>
public static class SlotRouting
{
    public const string CrossSlotError = "CROSSSLOT Keys in request don't hash to the same slot";
    public const string TryAgainError = "TRYAGAIN Multiple keys request during rehashing of slot";
    public const string UnboundError = "CLUSTERDOWN Hash slot not served";
    public const string DownError = "CLUSTERDOWN The cluster is down";
    public const string SelectError = "ERR SELECT is not allowed in cluster mode";

    /// <summary>True when the command runs here; otherwise the redirect or error is written.</summary>
    public static bool Admit(CommandContext ctx, CommandSpec spec, ClusterMode cluster)
    {
        if (ReferenceEquals(spec, cluster.Select) && ctx.ArgCount == 2 && !ctx.ArgIs(1, "0"u8))
        {
            Reject(ctx, spec, SelectError);
            return false;
        }
        var query = ReferenceEquals(spec, cluster.Exec) ? QueryOfTransaction(ctx, cluster) : QueryOf(ctx, spec, cluster);
        if (query is null) return true; // no keys: runs anywhere

        bool asking = ctx.Client.Asking || ReferenceEquals(spec, cluster.RestoreAsking);
        var route = query.Decide(asking, ReferenceEquals(spec, cluster.Migrate), cluster.RequireFullCoverage);
        if (route.Kind == RouteKind.Here) return true;

        if (ReferenceEquals(spec, cluster.Exec))
        {
            // Redis discards the whole transaction when EXEC is redirected.
            ctx.Client.Transaction.ResetMulti();
            ctx.Server.Watches.UnwatchAll(ctx.Client);
        }
        else if (ctx.Client.Transaction.InMulti)
        {
            ctx.Client.Transaction.Dirty = true;
        }
        Reject(ctx, spec, ErrorFor(route));
        return false;
    }

    /// <summary>After each command: ASKING lasts for one command (the whole transaction inside MULTI).</summary>
    public static void AfterCommand(CommandContext ctx)
    {
        if (ctx.Client.Asking && !ctx.Client.Transaction.InMulti && !ctx.ArgIs(0, "asking"u8)) ctx.Client.Asking = false;
    }

    /// <summary>The reply text of a redirect, as clusterRedirectClient writes it.</summary>
    public static string ErrorFor(Route route) => route.Kind switch
    {
        RouteKind.Moved => $"MOVED {route.Slot} {route.Node!.Endpoint}",
        RouteKind.Ask => $"ASK {route.Slot} {route.Node!.Endpoint}",
        RouteKind.CrossSlot => CrossSlotError,
        RouteKind.TryAgain => TryAgainError,
        RouteKind.DownUnbound => UnboundError,
        RouteKind.DownState => DownError,
        _ => throw new ArgumentOutOfRangeException(nameof(route)),
    };

    /// <summary>The keys of the current request; null when it has none.</summary>
    private static SlotQuery? QueryOf(CommandContext ctx, CommandSpec spec, ClusterMode cluster)
    {
        SlotQuery? query = null;
        var request = ctx.Request;
        foreach (int i in spec.KeyPositions(request.Count, request.GetString))
        {
            query ??= new SlotQuery(cluster.State, ctx.Db);
            if (!query.Add(request[i])) break;
        }
        return query;
    }

    /// <summary>EXEC: the keys of every queued command together (a transaction runs on one node).</summary>
    private static SlotQuery? QueryOfTransaction(CommandContext ctx, ClusterMode cluster)
    {
        if (!ctx.Client.Transaction.InMulti) return null;
        SlotQuery? query = null;
        foreach (var args in ctx.Client.Transaction.Queue)
        {
            if (SpecOf(ctx.Server.Commands, args) is not { } spec) continue;
            foreach (int i in spec.KeyPositions(args.Length, a => Encoding.UTF8.GetString(args[a])))
            {
                query ??= new SlotQuery(cluster.State, ctx.Db);
                if (!query.Add(args[i])) return query;
            }
        }
        return query;
    }

    private static CommandSpec? SpecOf(CommandTable commands, byte[][] args)
    {
        var spec = commands.Find(args[0]);
        if (spec?.Subcommands is { } subs && args.Length > 1)
            return subs.GetValueOrDefault(Encoding.UTF8.GetString(args[1]));
        return spec;
    }

    private static void Reject(CommandContext ctx, CommandSpec spec, string error)
    {
        spec.Stats.RejectedCalls++;
        ctx.Error(error);
    }
}
