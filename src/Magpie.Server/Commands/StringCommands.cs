using Magpie.Protocol;
using Magpie.Storage;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>String commands, with Redis 7.0 semantics and errors.</summary>
public static class StringCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "string";
        t.Add(new() { Name = "get", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Get, Group = g, Summary = "Get the value of a key", Acl = "@string", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "set", Arity = -3, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Set, Group = g, Summary = "Set the string value of a key", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update | K.VariableFlags) { Index = 1, Notes = "RW and ACCESS due to the optional `GET` argument" }], History = [("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."), ("6.0.0", "Added the `KEEPTTL` option."), ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."), ("7.0.0", "Allowed the `NX` and `GET` options to be used together.")] });
        t.Add(new() { Name = "setnx", Arity = 3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SetNx, Group = g, Summary = "Set the value of a key, only if the key does not exist", Acl = "@string", Keys = [new(K.OW | K.Insert) { Index = 1 }] });
        t.Add(new() { Name = "setex", Arity = 4, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SetEx, Group = g, Summary = "Set the value and expiration of a key", Since = "2.0.0", Acl = "@string", Keys = [new(K.OW | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "psetex", Arity = 4, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = PSetEx, Group = g, Summary = "Set the value and expiration in milliseconds of a key", Since = "2.6.0", Acl = "@string", Keys = [new(K.OW | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "mget", Arity = -2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = MGet, Group = g, Summary = "Get the values of all the given keys", Complexity = "O(N) where N is the number of keys to retrieve.", Acl = "@string", Keys = [new(K.RO | K.Access) { Index = 1, LastKey = -1 }], Tips = ["request_policy:multi_shard"] });
        t.Add(new() { Name = "mset", Arity = -3, Flags = Write | DenyOom, FirstKey = 1, LastKey = -1, KeyStep = 2, Handler = MSet, Group = g, Summary = "Set multiple keys to multiple values", Since = "1.0.1", Complexity = "O(N) where N is the number of keys to set.", Acl = "@string", Keys = [new(K.OW | K.Update) { Index = 1, LastKey = -1, KeyStep = 2 }], Tips = ["request_policy:multi_shard", "response_policy:all_succeeded"] });
        t.Add(new() { Name = "msetnx", Arity = -3, Flags = Write | DenyOom, FirstKey = 1, LastKey = -1, KeyStep = 2, Handler = MSetNx, Group = g, Summary = "Set multiple keys to multiple values, only if none of the keys exist", Since = "1.0.1", Complexity = "O(N) where N is the number of keys to set.", Acl = "@string", Keys = [new(K.OW | K.Insert) { Index = 1, LastKey = -1, KeyStep = 2 }], Tips = ["request_policy:multi_shard", "response_policy:agg_min"] });
        t.Add(new() { Name = "getset", Arity = 3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GetSet, Group = g, Summary = "Set the string value of a key and return its old value", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`SET` with the `!GET` argument" });
        t.Add(new() { Name = "getdel", Arity = 2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GetDel, Group = g, Summary = "Get the value of a key and delete the key", Since = "6.2.0", Acl = "@string", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }] });
        t.Add(new() { Name = "getex", Arity = -2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GetEx, Group = g, Summary = "Get the value of a key and optionally set its expiration", Since = "6.2.0", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update) { Index = 1, Notes = "RW and UPDATE because it changes the TTL" }] });
        t.Add(new() { Name = "append", Arity = 3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Append, Group = g, Summary = "Append a value to a key", Since = "2.0.0", Complexity = "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.", Acl = "@string", Keys = [new(K.RW | K.Insert) { Index = 1 }] });
        t.Add(new() { Name = "strlen", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = StrLen, Group = g, Summary = "Get the length of the value stored in a key", Since = "2.2.0", Acl = "@string", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "incr", Arity = 2, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => IncrBy(ctx, 1), Group = g, Summary = "Increment the integer value of a key by one", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "decr", Arity = 2, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => IncrBy(ctx, -1), Group = g, Summary = "Decrement the integer value of a key by one", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "incrby", Arity = 3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = IncrByCommand, Group = g, Summary = "Increment the integer value of a key by the given amount", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "decrby", Arity = 3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = DecrByCommand, Group = g, Summary = "Decrement the integer value of a key by the given number", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "incrbyfloat", Arity = 3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = IncrByFloat, Group = g, Summary = "Increment the float value of a key by the given amount", Since = "2.6.0", Acl = "@string", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "getrange", Arity = 4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GetRange, Group = g, Summary = "Get a substring of the string stored at a key", Since = "2.4.0", Complexity = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", Acl = "@string", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "substr", Arity = 4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = GetRange, Group = g, Summary = "Get a substring of the string stored at a key", Complexity = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", Acl = "@string", Keys = [new(K.RO | K.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "2.0.0", ReplacedBy = "`GETRANGE`" });
        t.Add(new() { Name = "setrange", Arity = 4, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SetRange, Group = g, Summary = "Overwrite part of a string at key starting at the specified offset", Since = "2.2.0", Complexity = "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.", Acl = "@string", Keys = [new(K.RW | K.Update) { Index = 1 }] });
    }

    /// <summary>Looks up a key that must hold a string. False (with WRONGTYPE written) if it holds another type.</summary>
    internal static bool TryGetString(CommandContext ctx, ReadOnlySpan<byte> key, bool forWrite, out Entry? entry)
    {
        entry = forWrite ? ctx.Db.GetForWrite(key) : ctx.Db.GetForRead(key);
        if (entry is null || entry.Value is byte[]) return true;
        ctx.WrongType();
        return false;
    }

    private static void Get(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), false, out var entry)) return;
        if (entry is null) ctx.Reply.WriteNull();
        else ctx.Reply.WriteBulk(entry.StringValue);
    }

    private static void Set(CommandContext ctx)
    {
        bool nx = false, xx = false, get = false, keepTtl = false;
        var expiryKind = ExpiryOptions.Kind.None;
        long expireAt = 0;
        for (int i = 3; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "nx"u8) && !xx) nx = true;
            else if (ctx.ArgIs(i, "xx"u8) && !nx) xx = true;
            else if (ctx.ArgIs(i, "get"u8)) get = true;
            else if (ExpiryOptions.TryKeyword(ctx, i, out var kind) && kind != ExpiryOptions.Kind.Persist && expiryKind == ExpiryOptions.Kind.None)
            {
                expiryKind = kind;
                if (kind == ExpiryOptions.Kind.KeepTtl)
                {
                    keepTtl = true;
                    continue;
                }
                if (i + 1 >= ctx.ArgCount)
                {
                    ctx.SyntaxError();
                    return;
                }
                if (!ExpiryOptions.TryResolve(ctx, kind, ++i, out expireAt)) return;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }

        var key = ctx.Arg(1);
        var existing = ctx.Db.GetForWrite(key);
        if (get && existing is not null && existing.Value is not byte[])
        {
            ctx.WrongType();
            return;
        }
        // Capture the old value first: SetString reuses the entry.
        var oldValue = existing?.Value as byte[];
        bool blocked = (nx && existing is not null) || (xx && existing is null);
        if (!blocked)
        {
            var entry = ctx.Db.SetString(key, ctx.ArgBytes(2), expireAt, keepTtl);
            // An absolute time already past (EXAT in the past) sets and deletes at once, as Redis does.
            if (entry.ExpireAt != 0 && entry.ExpireAt <= ctx.Now) ctx.Db.Remove(entry);
        }
        if (get)
        {
            if (oldValue is null) ctx.Reply.WriteNull();
            else ctx.Reply.WriteBulk(oldValue);
        }
        else if (blocked) ctx.Reply.WriteNull();
        else ctx.Reply.WriteOk();
    }

    private static void SetNx(CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (ctx.Db.Lookup(key) is not null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Db.Add(key, ctx.ArgBytes(2));
        ctx.Reply.WriteInteger(1);
    }

    private static void SetEx(CommandContext ctx) => SetWithExpiry(ctx, ExpiryOptions.Kind.Ex);

    private static void PSetEx(CommandContext ctx) => SetWithExpiry(ctx, ExpiryOptions.Kind.Px);

    private static void SetWithExpiry(CommandContext ctx, ExpiryOptions.Kind kind)
    {
        if (!ExpiryOptions.TryResolve(ctx, kind, 2, out long expireAt)) return;
        ctx.Db.SetString(ctx.Arg(1), ctx.ArgBytes(3), expireAt);
        ctx.Reply.WriteOk();
    }

    private static void MGet(CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 1);
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            var entry = ctx.Db.GetForRead(ctx.Arg(i));
            if (entry?.Value is byte[] value) ctx.Reply.WriteBulk(value);
            else ctx.Reply.WriteNull();
        }
    }

    private static void MSet(CommandContext ctx)
    {
        if (ctx.ArgCount % 2 == 0)
        {
            ctx.WrongArity();
            return;
        }
        for (int i = 1; i < ctx.ArgCount; i += 2) ctx.Db.SetString(ctx.Arg(i), ctx.ArgBytes(i + 1));
        ctx.Reply.WriteOk();
    }

    private static void MSetNx(CommandContext ctx)
    {
        if (ctx.ArgCount % 2 == 0)
        {
            ctx.WrongArity();
            return;
        }
        for (int i = 1; i < ctx.ArgCount; i += 2)
        {
            if (ctx.Db.Lookup(ctx.Arg(i)) is not null)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
        }
        for (int i = 1; i < ctx.ArgCount; i += 2) ctx.Db.SetString(ctx.Arg(i), ctx.ArgBytes(i + 1));
        ctx.Reply.WriteInteger(1);
    }

    private static void GetSet(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), true, out var entry)) return;
        var old = entry?.StringValue;
        ctx.Db.SetString(ctx.Arg(1), ctx.ArgBytes(2));
        if (old is null) ctx.Reply.WriteNull();
        else ctx.Reply.WriteBulk(old);
    }

    private static void GetDel(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), true, out var entry)) return;
        if (entry is null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        ctx.Db.Remove(entry);
        ctx.Reply.WriteBulk(entry.StringValue);
    }

    private static void GetEx(CommandContext ctx)
    {
        var kind = ExpiryOptions.Kind.None;
        long expireAt = 0;
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (kind == ExpiryOptions.Kind.None && ExpiryOptions.TryKeyword(ctx, i, out var k) && k != ExpiryOptions.Kind.KeepTtl)
            {
                kind = k;
                if (!ExpiryOptions.TakesValue(k)) continue;
                if (i + 1 >= ctx.ArgCount)
                {
                    ctx.SyntaxError();
                    return;
                }
                if (!ExpiryOptions.TryResolve(ctx, k, ++i, out expireAt)) return;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (!TryGetString(ctx, ctx.Arg(1), false, out var entry)) return;
        if (entry is null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        var value = entry.StringValue;
        if (kind == ExpiryOptions.Kind.Persist)
        {
            ctx.Db.SetExpire(entry, 0);
            ctx.Db.SignalModified(entry);
        }
        else if (kind != ExpiryOptions.Kind.None)
        {
            if (expireAt <= ctx.Now) ctx.Db.Remove(entry);
            else
            {
                ctx.Db.SetExpire(entry, expireAt);
                ctx.Db.SignalModified(entry);
            }
        }
        ctx.Reply.WriteBulk(value);
    }

    private static void Append(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), true, out var entry)) return;
        var suffix = ctx.Arg(2);
        if (entry is null)
        {
            ctx.Db.Add(ctx.Arg(1), suffix.ToArray());
            ctx.Reply.WriteInteger(suffix.Length);
            return;
        }
        var old = entry.StringValue;
        if ((long)old.Length + suffix.Length > MaxStringLength(ctx))
        {
            ctx.Error(Errors.StringTooLong);
            return;
        }
        var combined = new byte[old.Length + suffix.Length];
        old.CopyTo(combined, 0);
        suffix.CopyTo(combined.AsSpan(old.Length));
        ctx.Db.Replace(entry, RawStrings.MarkRaw(combined));
        ctx.Reply.WriteInteger(combined.Length);
    }

    private static void StrLen(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), false, out var entry)) return;
        ctx.Reply.WriteInteger(entry?.StringValue.Length ?? 0);
    }

    private static void IncrByCommand(CommandContext ctx)
    {
        if (ctx.TryGetInt64(2, out long by)) IncrBy(ctx, by);
    }

    private static void DecrByCommand(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long by)) return;
        if (by == long.MinValue)
        {
            ctx.Error("ERR decrement would overflow");
            return;
        }
        IncrBy(ctx, -by);
    }

    private static void IncrBy(CommandContext ctx, long by)
    {
        if (!TryGetString(ctx, ctx.Arg(1), true, out var entry)) return;
        long current = 0;
        if (entry is not null && !RedisNumbers.TryParseInt64(entry.StringValue, out current))
        {
            ctx.Error(Errors.NotInteger);
            return;
        }
        if ((by > 0 && current > long.MaxValue - by) || (by < 0 && current < long.MinValue - by))
        {
            ctx.Error(Errors.Overflow);
            return;
        }
        long result = current + by;
        var bytes = RedisNumbers.FormatInt64(result);
        if (entry is null) ctx.Db.Add(ctx.Arg(1), bytes);
        else ctx.Db.Replace(entry, bytes);
        ctx.Reply.WriteInteger(result);
    }

    private static void IncrByFloat(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), true, out var entry)) return;
        // Redis 7.0's order: the stored value first, then the increment; both parsed as long doubles.
        var current = entry is null ? "0"u8 : (ReadOnlySpan<byte>)entry.StringValue;
        if (!FloatIncrement.IsLongDouble(current) || !FloatIncrement.IsLongDouble(ctx.Arg(2)))
        {
            ctx.Error(Errors.NotFloat);
            return;
        }
        if (!FloatIncrement.TryAdd(current, ctx.Arg(2), out var result))
        {
            ctx.Error("ERR increment would produce NaN or Infinity");
            return;
        }
        if (entry is null) ctx.Db.Add(ctx.Arg(1), result);
        else ctx.Db.Replace(entry, result);
        ctx.Reply.WriteBulk(result);
    }

    private static void GetRange(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long start) || !ctx.TryGetInt64(3, out long end)) return;
        if (!TryGetString(ctx, ctx.Arg(1), false, out var entry)) return;
        var value = entry?.StringValue ?? [];
        long length = value.Length;
        // Redis 7.0's clamping: negative offsets count from the end, then clamp into the string.
        if (start < 0) start = length + start;
        if (end < 0) end = length + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= length) end = length - 1;
        if (start > end || length == 0)
        {
            ctx.Reply.WriteBulk(ReadOnlySpan<byte>.Empty);
            return;
        }
        ctx.Reply.WriteBulk(value.AsSpan((int)start, (int)(end - start + 1)));
    }

    private static void SetRange(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long offset)) return;
        if (offset < 0)
        {
            ctx.Error("ERR offset is out of range");
            return;
        }
        if (!TryGetString(ctx, ctx.Arg(1), true, out var entry)) return;
        var patch = ctx.Arg(3);
        var old = entry?.StringValue ?? [];
        if (patch.Length == 0)
        {
            ctx.Reply.WriteInteger(old.Length);
            return;
        }
        // offset is at most long.MaxValue: compare without adding, so it cannot overflow.
        if (offset > MaxStringLength(ctx) - patch.Length)
        {
            ctx.Error(Errors.StringTooLong);
            return;
        }
        var updated = old;
        long needed = offset + patch.Length;
        if (needed > old.Length)
        {
            updated = new byte[needed];
            old.CopyTo(updated, 0);
        }
        else updated = (byte[])old.Clone();
        patch.CopyTo(updated.AsSpan((int)offset));
        RawStrings.MarkRaw(updated);
        if (entry is null) ctx.Db.Add(ctx.Arg(1), updated);
        else ctx.Db.Replace(entry, updated);
        ctx.Reply.WriteInteger(updated.Length);
    }

    /// <summary>
    /// The longest string a command may build: proto-max-bulk-len, and never more than a .NET array
    /// holds (CONFIG SET proto-max-bulk-len 8gb must give Redis's error, not an overflow).
    /// </summary>
    private static long MaxStringLength(CommandContext ctx) => Math.Min(ctx.Server.MaxBulkLength, Array.MaxLength);
}
