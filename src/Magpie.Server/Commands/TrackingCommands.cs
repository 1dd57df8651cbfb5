using System.Text;
using Magpie.Protocol;

namespace Magpie.Server.Commands;

/// <summary>CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and CLIENT TRACKINGINFO (client-side caching).</summary>
public static class TrackingCommands
{
    public static void ClientTracking(CommandContext ctx)
    {
        long redirect = 0;
        bool bcast = false, optIn = false, optOut = false, noLoop = false;
        var prefixes = new List<byte[]>();
        for (int i = 3; i < ctx.ArgCount; i++)
        {
            bool moreArgs = i + 1 < ctx.ArgCount;
            if (ctx.ArgIs(i, "redirect"u8) && moreArgs)
            {
                i++;
                if (redirect != 0)
                {
                    ctx.Error("ERR A client can only redirect to a single other client");
                    return;
                }
                if (!ctx.TryGetInt64(i, out redirect)) return;
                if (ctx.Server.Clients.Find(redirect) is null)
                {
                    ctx.Error("ERR The client ID you want redirect to does not exist");
                    return;
                }
            }
            else if (ctx.ArgIs(i, "bcast"u8)) bcast = true;
            else if (ctx.ArgIs(i, "optin"u8)) optIn = true;
            else if (ctx.ArgIs(i, "optout"u8)) optOut = true;
            else if (ctx.ArgIs(i, "noloop"u8)) noLoop = true;
            else if (ctx.ArgIs(i, "prefix"u8) && moreArgs) prefixes.Add(ctx.ArgBytes(++i));
            else
            {
                ctx.SyntaxError();
                return;
            }
        }

        var tracking = ctx.Server.Tracking;
        if (ctx.ArgIs(2, "off"u8))
        {
            tracking.Disable(ctx.Client);
            ctx.Reply.WriteOk();
            return;
        }
        if (!ctx.ArgIs(2, "on"u8))
        {
            ctx.SyntaxError();
            return;
        }
        var current = tracking.StateOf(ctx.Client);
        if (!bcast && prefixes.Count > 0)
        {
            ctx.Error("ERR PREFIX option requires BCAST mode to be enabled");
            return;
        }
        if (current is not null && current.Bcast != bcast)
        {
            ctx.Error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
            return;
        }
        if (bcast && (optIn || optOut))
        {
            ctx.Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
            return;
        }
        if (optIn && optOut)
        {
            ctx.Error("ERR You can't use both OPTIN and OPTOUT options");
            return;
        }
        if (current is not null && ((optIn && current.OptOut) || (optOut && current.OptIn)))
        {
            ctx.Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
            return;
        }
        if (bcast && !CheckPrefixCollisions(ctx, current?.Prefixes ?? [], prefixes)) return;
        tracking.Enable(ctx.Client, redirect, bcast, optIn, optOut, noLoop, prefixes);
        ctx.Reply.WriteOk();
    }

    /// <summary>A client's BCAST prefixes must not overlap (one a prefix of another), as in Redis.</summary>
    private static bool CheckPrefixCollisions(CommandContext ctx, List<byte[]> existing, List<byte[]> added)
    {
        for (int i = 0; i < added.Count; i++)
        {
            foreach (var old in existing)
            {
                if (!Overlap(old, added[i])) continue;
                ctx.Error($"ERR Prefix '{Encoding.UTF8.GetString(added[i])}' overlaps with an existing prefix '{Encoding.UTF8.GetString(old)}'. Prefixes for a single client must not overlap.");
                return false;
            }
            for (int j = i + 1; j < added.Count; j++)
            {
                if (!Overlap(added[i], added[j])) continue;
                ctx.Error($"ERR Prefix '{Encoding.UTF8.GetString(added[i])}' overlaps with another provided prefix '{Encoding.UTF8.GetString(added[j])}'. Prefixes for a single client must not overlap.");
                return false;
            }
        }
        return true;

        static bool Overlap(byte[] a, byte[] b) => a.Length <= b.Length ? b.AsSpan().StartsWith(a) : a.AsSpan().StartsWith(b);
    }

    public static void ClientCaching(CommandContext ctx)
    {
        var state = ctx.Server.Tracking.StateOf(ctx.Client);
        if (state is null)
        {
            ctx.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
            return;
        }
        if (ctx.ArgIs(2, "yes"u8))
        {
            if (!state.OptIn)
            {
                ctx.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
                return;
            }
        }
        else if (ctx.ArgIs(2, "no"u8))
        {
            if (!state.OptOut)
            {
                ctx.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
                return;
            }
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        state.Caching = true;
        ctx.Reply.WriteOk();
    }

    public static void ClientGetRedir(CommandContext ctx)
    {
        var state = ctx.Server.Tracking.StateOf(ctx.Client);
        ctx.Reply.WriteInteger(state is null ? -1 : state.Redirect);
    }

    public static void ClientTrackingInfo(CommandContext ctx)
    {
        var state = ctx.Server.Tracking.StateOf(ctx.Client);
        var w = ctx.Reply;
        w.WriteMapHeader(3);
        w.WriteBulk("flags"u8);
        if (state is null)
        {
            w.WriteSetHeader(1);
            w.WriteBulk("off"u8);
        }
        else
        {
            var flags = new List<string> { "on" };
            if (state.Bcast) flags.Add("bcast");
            if (state.OptIn)
            {
                flags.Add("optin");
                if (state.Caching) flags.Add("caching-yes");
            }
            if (state.OptOut)
            {
                flags.Add("optout");
                if (state.Caching) flags.Add("caching-no");
            }
            if (state.NoLoop) flags.Add("noloop");
            if (state.BrokenRedirect) flags.Add("broken_redirect");
            w.WriteSetHeader(flags.Count);
            foreach (var f in flags) w.WriteBulk(f);
        }
        w.WriteBulk("redirect"u8);
        w.WriteInteger(state is null ? -1 : state.Redirect);
        w.WriteBulk("prefixes"u8);
        var prefixes = state?.Prefixes ?? [];
        w.WriteArrayHeader(prefixes.Count);
        foreach (var p in prefixes) w.WriteBulk(p);
    }
}
