namespace Magpie.Server.Commands;

/// <summary>Parses the EX/PX/EXAT/PXAT (and KEEPTTL/PERSIST) options of SET and GETEX.</summary>
internal static class ExpiryOptions
{
    public enum Kind { None, Ex, Px, ExAt, PxAt, KeepTtl, Persist }

    /// <summary>Recognises an expiry keyword at <paramref name="index"/>; false if it is not one.</summary>
    public static bool TryKeyword(CommandContext ctx, int index, out Kind kind)
    {
        kind = Kind.None;
        if (ctx.ArgIs(index, "ex"u8)) kind = Kind.Ex;
        else if (ctx.ArgIs(index, "px"u8)) kind = Kind.Px;
        else if (ctx.ArgIs(index, "exat"u8)) kind = Kind.ExAt;
        else if (ctx.ArgIs(index, "pxat"u8)) kind = Kind.PxAt;
        else if (ctx.ArgIs(index, "keepttl"u8)) kind = Kind.KeepTtl;
        else if (ctx.ArgIs(index, "persist"u8)) kind = Kind.Persist;
        return kind != Kind.None;
    }

    public static bool TakesValue(Kind kind) => kind is Kind.Ex or Kind.Px or Kind.ExAt or Kind.PxAt;

    /// <summary>
    /// Turns an option value into an absolute Unix-ms time, with Redis's errors: a non-integer is
    /// "not an integer", zero/negative or overflowing is "invalid expire time in '&lt;cmd&gt;'".
    /// </summary>
    public static bool TryResolve(CommandContext ctx, Kind kind, int valueIndex, out long expireAt)
    {
        expireAt = 0;
        if (!ctx.TryGetInt64(valueIndex, out long value)) return false;
        string invalid = string.Format(Errors.InvalidExpire, ctx.Command.FullName);
        if (value <= 0)
        {
            ctx.Error(invalid);
            return false;
        }
        bool seconds = kind is Kind.Ex or Kind.ExAt;
        if (seconds && value > long.MaxValue / 1000)
        {
            ctx.Error(invalid);
            return false;
        }
        long ms = seconds ? value * 1000 : value;
        bool relative = kind is Kind.Ex or Kind.Px;
        if (relative && ms > long.MaxValue - ctx.Now)
        {
            ctx.Error(invalid);
            return false;
        }
        expireAt = relative ? ctx.Now + ms : ms;
        return true;
    }
}
