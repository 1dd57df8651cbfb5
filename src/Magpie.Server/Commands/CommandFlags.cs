namespace Magpie.Server.Commands;

/// <summary>Command flags as COMMAND INFO reports them.</summary>
[Flags]
public enum CommandFlags
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    PubSub = 1 << 4,
    NoScript = 1 << 5,
    Blocking = 1 << 6,
    Loading = 1 << 7,
    Stale = 1 << 8,
    Fast = 1 << 9,
    NoAuth = 1 << 10,
    /// <summary>Runs even inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).</summary>
    NoMulti = 1 << 11,
    MovableKeys = 1 << 12,
    /// <summary>Allowed in RESP2 subscriber mode.</summary>
    AllowedInSubscribe = 1 << 13,
    // Redis 7.0 flags reported by COMMAND INFO (declared per command in the table).
    SkipMonitor = 1 << 14,
    SkipSlowlog = 1 << 15,
    Asking = 1 << 16,
    NoMandatoryKeys = 1 << 17,
    NoAsyncLoading = 1 << 18,
    /// <summary>Redis's no_multi: refused inside MULTI (SAVE, SHUTDOWN, SYNC). Not Magpie's <see cref="NoMulti"/>.</summary>
    DeniedInMulti = 1 << 19,
    AllowBusy = 1 << 20,
    Module = 1 << 21,
    MayReplicate = 1 << 22,
}

public static class CommandFlagNames
{
    /// <summary>The flags COMMAND INFO prints, in Redis 7.0's order (addReplyCommandFlags).</summary>
    public static IEnumerable<string> Names(CommandFlags flags)
    {
        if (flags.HasFlag(CommandFlags.Write)) yield return "write";
        if (flags.HasFlag(CommandFlags.ReadOnly)) yield return "readonly";
        if (flags.HasFlag(CommandFlags.DenyOom)) yield return "denyoom";
        if (flags.HasFlag(CommandFlags.Module)) yield return "module";
        if (flags.HasFlag(CommandFlags.Admin)) yield return "admin";
        if (flags.HasFlag(CommandFlags.PubSub)) yield return "pubsub";
        if (flags.HasFlag(CommandFlags.NoScript)) yield return "noscript";
        if (flags.HasFlag(CommandFlags.Blocking)) yield return "blocking";
        if (flags.HasFlag(CommandFlags.Loading)) yield return "loading";
        if (flags.HasFlag(CommandFlags.Stale)) yield return "stale";
        if (flags.HasFlag(CommandFlags.SkipMonitor)) yield return "skip_monitor";
        if (flags.HasFlag(CommandFlags.SkipSlowlog)) yield return "skip_slowlog";
        if (flags.HasFlag(CommandFlags.Asking)) yield return "asking";
        if (flags.HasFlag(CommandFlags.Fast)) yield return "fast";
        if (flags.HasFlag(CommandFlags.NoAuth)) yield return "no_auth";
        if (flags.HasFlag(CommandFlags.MayReplicate)) yield return "may_replicate";
        if (flags.HasFlag(CommandFlags.NoMandatoryKeys)) yield return "no_mandatory_keys";
        if (flags.HasFlag(CommandFlags.NoAsyncLoading)) yield return "no_async_loading";
        if (flags.HasFlag(CommandFlags.DeniedInMulti)) yield return "no_multi";
        if (flags.HasFlag(CommandFlags.MovableKeys)) yield return "movablekeys";
        if (flags.HasFlag(CommandFlags.AllowBusy)) yield return "allow_busy";
    }
}
