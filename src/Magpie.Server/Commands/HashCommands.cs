using Magpie.Protocol;
using Magpie.Server.Util;
using Magpie.Storage;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>Hash commands, with Redis 7.0 semantics, replies and errors.</summary>
public static class HashCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "hash";
        t.Add(new() { Name = "hset", Arity = -4, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HSet, Group = g, Summary = "Set the string value of a hash field", Since = "2.0.0", Complexity = "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", Acl = "@hash", Keys = [new(K.RW | K.Update) { Index = 1 }], History = [("4.0.0", "Accepts multiple `field` and `value` arguments.")] });
        t.Add(new() { Name = "hsetnx", Arity = 4, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HSetNx, Group = g, Summary = "Set the value of a hash field, only if the field does not exist", Since = "2.0.0", Acl = "@hash", Keys = [new(K.RW | K.Insert) { Index = 1 }] });
        t.Add(new() { Name = "hmset", Arity = -4, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HMSet, Group = g, Summary = "Set multiple hash fields to multiple values", Since = "2.0.0", Complexity = "O(N) where N is the number of fields being set.", Acl = "@hash", Keys = [new(K.RW | K.Update) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "4.0.0", ReplacedBy = "`HSET` with multiple field-value pairs" });
        t.Add(new() { Name = "hget", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HGet, Group = g, Summary = "Get the value of a hash field", Since = "2.0.0", Acl = "@hash", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "hmget", Arity = -3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HMGet, Group = g, Summary = "Get the values of all the given hash fields", Since = "2.0.0", Complexity = "O(N) where N is the number of fields being requested.", Acl = "@hash", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "hgetall", Arity = 2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HGetAll, Group = g, Summary = "Get all the fields and values in a hash", Since = "2.0.0", Complexity = "O(N) where N is the size of the hash.", Acl = "@hash", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output_order"] });
        t.Add(new() { Name = "hdel", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HDel, Group = g, Summary = "Delete one or more hash fields", Since = "2.0.0", Complexity = "O(N) where N is the number of fields to be removed.", Acl = "@hash", Keys = [new(K.RW | K.Delete) { Index = 1 }], History = [("2.4.0", "Accepts multiple `field` arguments.")] });
        t.Add(new() { Name = "hexists", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HExists, Group = g, Summary = "Determine if a hash field exists", Since = "2.0.0", Acl = "@hash", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "hlen", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HLen, Group = g, Summary = "Get the number of fields in a hash", Since = "2.0.0", Acl = "@hash", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "hkeys", Arity = 2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HKeys, Group = g, Summary = "Get all the fields in a hash", Since = "2.0.0", Complexity = "O(N) where N is the size of the hash.", Acl = "@hash", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output_order"] });
        t.Add(new() { Name = "hvals", Arity = 2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HVals, Group = g, Summary = "Get all the values in a hash", Since = "2.0.0", Complexity = "O(N) where N is the size of the hash.", Acl = "@hash", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output_order"] });
        t.Add(new() { Name = "hstrlen", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HStrLen, Group = g, Summary = "Get the length of the value of a hash field", Since = "3.2.0", Acl = "@hash", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "hincrby", Arity = 4, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HIncrBy, Group = g, Summary = "Increment the integer value of a hash field by the given number", Since = "2.0.0", Acl = "@hash", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "hincrbyfloat", Arity = 4, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HIncrByFloat, Group = g, Summary = "Increment the float value of a hash field by the given amount", Since = "2.6.0", Acl = "@hash", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "hrandfield", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HRandField, Group = g, Summary = "Get one or multiple random fields from a hash", Since = "6.2.0", Complexity = "O(N) where N is the number of fields returned", Acl = "@hash", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"] });
        t.Add(new() { Name = "hscan", Arity = -3, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = HScan, Group = g, Summary = "Incrementally iterate hash fields and associated values", Since = "2.8.0", Complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", Acl = "@hash", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"] });
    }

    /// <summary>Looks up a key that must hold a hash. False (with WRONGTYPE written) if it holds another type.</summary>
    private static bool TryGetHash(CommandContext ctx, bool forWrite, out Entry? entry, out RedisHash? hash)
    {
        entry = forWrite ? ctx.Db.GetForWrite(ctx.Arg(1)) : ctx.Db.GetForRead(ctx.Arg(1));
        hash = entry?.Value as RedisHash;
        if (entry is null || hash is not null) return true;
        ctx.WrongType();
        return false;
    }

    private static void HSet(CommandContext ctx)
    {
        if (SetPairs(ctx, out long added)) ctx.Reply.WriteInteger(added);
    }

    private static void HMSet(CommandContext ctx)
    {
        if (SetPairs(ctx, out _)) ctx.Reply.WriteOk();
    }

    private static bool SetPairs(CommandContext ctx, out long added)
    {
        added = 0;
        if (ctx.ArgCount % 2 == 1)
        {
            ctx.WrongArity();
            return false;
        }
        if (!TryGetHash(ctx, true, out var entry, out var hash)) return false;
        bool isNew = hash is null;
        hash ??= new RedisHash(Math.Min((ctx.ArgCount - 2) / 2, RedisHash.MaxListpackEntries));
        for (int i = 2; i < ctx.ArgCount; i += 2)
        {
            if (hash.Set(ctx.Arg(i), ctx.ArgBytes(i + 1))) added++;
        }
        if (isNew) ctx.Db.Add(ctx.Arg(1), hash);
        else ctx.Db.SignalModified(entry!);
        return true;
    }

    private static void HSetNx(CommandContext ctx)
    {
        if (!TryGetHash(ctx, true, out var entry, out var hash)) return;
        if (hash is not null && hash.Find(ctx.Arg(2)) >= 0)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (hash is null)
        {
            hash = new RedisHash(1);
            hash.Set(ctx.Arg(2), ctx.ArgBytes(3));
            ctx.Db.Add(ctx.Arg(1), hash);
        }
        else
        {
            hash.Set(ctx.Arg(2), ctx.ArgBytes(3));
            ctx.Db.SignalModified(entry!);
        }
        ctx.Reply.WriteInteger(1);
    }

    private static void HGet(CommandContext ctx)
    {
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        if (hash is not null && hash.TryGet(ctx.Arg(2), out var value)) ctx.Reply.WriteBulk(value);
        else ctx.Reply.WriteNull();
    }

    private static void HMGet(CommandContext ctx)
    {
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (hash is not null && hash.TryGet(ctx.Arg(i), out var value)) ctx.Reply.WriteBulk(value);
            else ctx.Reply.WriteNull();
        }
    }

    private static void HGetAll(CommandContext ctx)
    {
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        int count = (int)(hash?.Count ?? 0);
        ctx.Reply.WriteMapHeader(count);
        for (int i = 0; i < count; i++)
        {
            ctx.Reply.WriteBulk(hash!.FieldAt(i));
            ctx.Reply.WriteBulk(hash.ValueAt(i));
        }
    }

    private static void HKeys(CommandContext ctx) => WriteColumn(ctx, fields: true);

    private static void HVals(CommandContext ctx) => WriteColumn(ctx, fields: false);

    private static void WriteColumn(CommandContext ctx, bool fields)
    {
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        int count = (int)(hash?.Count ?? 0);
        ctx.Reply.WriteArrayHeader(count);
        for (int i = 0; i < count; i++) ctx.Reply.WriteBulk(fields ? hash!.FieldAt(i) : hash!.ValueAt(i));
    }

    private static void HDel(CommandContext ctx)
    {
        if (!TryGetHash(ctx, true, out var entry, out var hash)) return;
        long deleted = 0;
        if (hash is not null)
        {
            for (int i = 2; i < ctx.ArgCount && hash.Count > 0; i++)
            {
                if (hash.Remove(ctx.Arg(i))) deleted++;
            }
            if (deleted > 0) ctx.Db.SignalModified(entry!);
        }
        ctx.Reply.WriteInteger(deleted);
    }

    private static void HExists(CommandContext ctx)
    {
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        ctx.Reply.WriteInteger(hash is not null && hash.Find(ctx.Arg(2)) >= 0 ? 1 : 0);
    }

    private static void HLen(CommandContext ctx)
    {
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        ctx.Reply.WriteInteger(hash?.Count ?? 0);
    }

    private static void HStrLen(CommandContext ctx)
    {
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        ctx.Reply.WriteInteger(hash is not null && hash.TryGet(ctx.Arg(2), out var value) ? value.Length : 0);
    }

    private static void HIncrBy(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(3, out long increment)) return;
        if (!TryGetHash(ctx, true, out var entry, out var hash)) return;
        long current = 0;
        if (hash is not null && hash.TryGet(ctx.Arg(2), out var existing) && !RedisNumbers.TryParseInt64(existing, out current))
        {
            ctx.Error("ERR hash value is not an integer");
            return;
        }
        if ((increment < 0 && current < 0 && increment < long.MinValue - current) ||
            (increment > 0 && current > 0 && increment > long.MaxValue - current))
        {
            ctx.Error(Errors.Overflow);
            return;
        }
        long result = current + increment;
        Store(ctx, entry, hash, RedisNumbers.FormatInt64(result));
        ctx.Reply.WriteInteger(result);
    }

    private static void HIncrByFloat(CommandContext ctx)
    {
        if (!LongDouble.TryParse(ctx.Arg(3), out var increment))
        {
            ctx.Error(Errors.NotFloat);
            return;
        }
        if (increment.IsInfinity)
        {
            ctx.Error("ERR value is NaN or Infinity");
            return;
        }
        if (!TryGetHash(ctx, true, out var entry, out var hash)) return;
        ReadOnlySpan<byte> current = "0"u8;
        if (hash is not null && hash.TryGet(ctx.Arg(2), out var existing))
        {
            if (!FloatIncrement.IsLongDouble(existing))
            {
                ctx.Error("ERR hash value is not a float");
                return;
            }
            current = existing;
        }
        if (!FloatIncrement.TryAdd(current, ctx.Arg(3), out var result))
        {
            ctx.Error("ERR increment would produce NaN or Infinity");
            return;
        }
        Store(ctx, entry, hash, result);
        ctx.Reply.WriteBulk(result);
    }

    /// <summary>Sets ctx.Arg(2) to a value, creating the hash if needed.</summary>
    private static void Store(CommandContext ctx, Entry? entry, RedisHash? hash, byte[] value)
    {
        if (hash is null)
        {
            hash = new RedisHash(1);
            hash.Set(ctx.Arg(2), value);
            ctx.Db.Add(ctx.Arg(1), hash);
            return;
        }
        hash.Set(ctx.Arg(2), value);
        ctx.Db.SignalModified(entry!);
    }

    private static void HRandField(CommandContext ctx)
    {
        if (ctx.ArgCount == 2)
        {
            if (!TryGetHash(ctx, false, out _, out var single)) return;
            if (single is null) ctx.Reply.WriteNull();
            else ctx.Reply.WriteBulk(single.FieldAt(ctx.Keyspace.Random.Next((int)single.Count)));
            return;
        }
        if (!RangeCount(ctx, 2, out long l)) return;
        bool withValues = false;
        if (ctx.ArgCount > 4 || (ctx.ArgCount == 4 && !ctx.ArgIs(3, "withvalues"u8)))
        {
            ctx.SyntaxError();
            return;
        }
        if (ctx.ArgCount == 4)
        {
            withValues = true;
            if (l < -long.MaxValue / 2 || l > long.MaxValue / 2)
            {
                ctx.Error("ERR value is out of range");
                return;
            }
        }
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        if (hash is null || l == 0)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        var rng = ctx.Keyspace.Random;
        int size = (int)hash.Count;
        if (l < 0)
        {
            // Negative count: that many picks, repeats allowed.
            long count = -l;
            if (!ReplyFits(ctx, withValues && !ctx.Reply.IsResp3 ? count * 2 : count)) return;
            WriteRandomHeader(ctx, count, withValues);
            for (long n = 0; n < count; n++) WriteField(ctx, hash, rng.Next(size), withValues);
            return;
        }
        if (l >= size)
        {
            WriteRandomHeader(ctx, size, withValues);
            for (int i = 0; i < size; i++) WriteField(ctx, hash, i, withValues);
            return;
        }
        var picks = DistinctPositions(rng, size, (int)l);
        WriteRandomHeader(ctx, picks.Length, withValues);
        foreach (int i in picks) WriteField(ctx, hash, i, withValues);
    }

    /// <summary>
    /// A negative count asks for that many picks. Redis streams them until the client's output
    /// limit; a RESP array header here holds at most int.MaxValue, so larger replies are refused.
    /// </summary>
    internal static bool ReplyFits(CommandContext ctx, long elements)
    {
        if (elements <= int.MaxValue) return true;
        ctx.Error("ERR value is out of range");
        return false;
    }

    /// <summary>getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): only LONG_MIN is out of range.</summary>
    internal static bool RangeCount(CommandContext ctx, int index, out long value)
    {
        if (!ctx.TryGetInt64(index, out value)) return false;
        if (value != long.MinValue) return true;
        ctx.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        return false;
    }

    /// <summary><paramref name="count"/> distinct positions in [0, size), 0 &lt; count &lt; size, in random order.</summary>
    internal static int[] DistinctPositions(Random rng, int size, int count)
    {
        var picks = new int[count];
        if ((long)count * 3 > size)
        {
            // Many of the elements: a partial Fisher-Yates shuffle of all positions.
            var all = new int[size];
            for (int i = 0; i < size; i++) all[i] = i;
            for (int i = 0; i < count; i++)
            {
                int j = rng.Next(i, size);
                (all[i], all[j]) = (all[j], all[i]);
                picks[i] = all[i];
            }
            return picks;
        }
        // Few of many: sample until enough distinct positions.
        var seen = new HashSet<int>(count);
        int n = 0;
        while (n < count)
        {
            int p = rng.Next(size);
            if (seen.Add(p)) picks[n++] = p;
        }
        return picks;
    }

    private static void WriteRandomHeader(CommandContext ctx, long count, bool withValues)
    {
        // RESP3 WITHVALUES is an array of [field, value] pairs; RESP2 is flat.
        if (withValues && !ctx.Reply.IsResp3) ctx.Reply.WriteArrayHeader((int)(count * 2));
        else ctx.Reply.WriteArrayHeader((int)count);
    }

    private static void WriteField(CommandContext ctx, RedisHash hash, int position, bool withValues)
    {
        if (withValues && ctx.Reply.IsResp3) ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(hash.FieldAt(position));
        if (withValues) ctx.Reply.WriteBulk(hash.ValueAt(position));
    }

    private static void HScan(CommandContext ctx)
    {
        if (!CollectionScan.TryParseCursor(ctx, 2, out ulong cursor)) return;
        if (!TryGetHash(ctx, false, out _, out var hash)) return;
        if (hash is null)
        {
            CollectionScan.WriteEmpty(ctx.Reply);
            return;
        }
        if (!ScanOptions.TryParse(ctx, 3, allowType: false, out var options)) return;
        ulong next = CollectionScan.Step(cursor, (int)hash.Count, hash.IsCompact, options.Count, out int start, out int end);
        var positions = new List<int>(Math.Min(start - end, 1024));
        if (hash.IsCompact)
        {
            // A compact hash is returned whole, in its stored order, like a listpack.
            for (int i = end; i < start; i++)
                if (options.Pattern is null || Glob.Match(options.Pattern, hash.FieldAt(i))) positions.Add(i);
        }
        else
        {
            for (int i = start - 1; i >= end; i--)
                if (options.Pattern is null || Glob.Match(options.Pattern, hash.FieldAt(i))) positions.Add(i);
        }
        CollectionScan.WriteCursor(ctx.Reply, next);
        ctx.Reply.WriteArrayHeader(positions.Count * 2);
        foreach (int i in positions)
        {
            ctx.Reply.WriteBulk(hash.FieldAt(i));
            ctx.Reply.WriteBulk(hash.ValueAt(i));
        }
    }
}
