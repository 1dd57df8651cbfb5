using Magpie.Protocol;
using Magpie.Server.Util;
using Magpie.Storage;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>Set commands, with Redis 7.0 semantics, replies and errors.</summary>
public static class SetCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "set";
        t.Add(new() { Name = "sadd", Arity = -3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SAdd, Group = g, Summary = "Add one or more members to a set", Complexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Acl = "@set", Keys = [new(K.RW | K.Insert) { Index = 1 }], History = [("2.4.0", "Accepts multiple `member` arguments.")] });
        t.Add(new() { Name = "srem", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SRem, Group = g, Summary = "Remove one or more members from a set", Complexity = "O(N) where N is the number of members to be removed.", Acl = "@set", Keys = [new(K.RW | K.Delete) { Index = 1 }], History = [("2.4.0", "Accepts multiple `member` arguments.")] });
        t.Add(new() { Name = "smembers", Arity = 2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SMembers, Group = g, Summary = "Get all the members in a set", Complexity = "O(N) where N is the set cardinality.", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output_order"] });
        t.Add(new() { Name = "sismember", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SIsMember, Group = g, Summary = "Determine if a given value is a member of a set", Acl = "@set", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "smismember", Arity = -3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SMIsMember, Group = g, Summary = "Returns the membership associated with the given elements for a set", Since = "6.2.0", Complexity = "O(N) where N is the number of elements being checked for membership", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "scard", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SCard, Group = g, Summary = "Get the number of members in a set", Acl = "@set", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "spop", Arity = -2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SPop, Group = g, Summary = "Remove and return one or multiple random members from a set", Complexity = "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", Acl = "@set", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }], Tips = ["nondeterministic_output"], History = [("3.2.0", "Added the `count` argument.")] });
        t.Add(new() { Name = "srandmember", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SRandMember, Group = g, Summary = "Get one or multiple random members from a set", Complexity = "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"], History = [("2.6.0", "Added the optional `count` argument.")] });
        t.Add(new() { Name = "smove", Arity = 4, Flags = Write | Fast, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = SMove, Group = g, Summary = "Move a member from one set to another", Acl = "@set", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }, new(K.RW | K.Insert) { Index = 2 }] });
        t.Add(new() { Name = "sinter", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SInter, Group = g, Summary = "Intersect multiple sets", Complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1, LastKey = -1 }], Tips = ["nondeterministic_output_order"] });
        t.Add(new() { Name = "sintercard", Arity = -3, Flags = ReadOnly | MovableKeys, NumKeysIndex = 1, Handler = SInterCard, Group = g, Summary = "Intersect multiple sets and return the cardinality of the result", Since = "7.0.0", Complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1, KeyNum = true }] });
        t.Add(new() { Name = "sinterstore", Arity = -3, Flags = Write | DenyOom, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SInterStore, Group = g, Summary = "Intersect multiple sets and store the resulting set in a key", Complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", Acl = "@set", Keys = [new(K.RW | K.Update) { Index = 1 }, new(K.RO | K.Access) { Index = 2, LastKey = -1 }] });
        t.Add(new() { Name = "sunion", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SUnion, Group = g, Summary = "Add multiple sets", Complexity = "O(N) where N is the total number of elements in all given sets.", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1, LastKey = -1 }], Tips = ["nondeterministic_output_order"] });
        t.Add(new() { Name = "sunionstore", Arity = -3, Flags = Write | DenyOom, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SUnionStore, Group = g, Summary = "Add multiple sets and store the resulting set in a key", Complexity = "O(N) where N is the total number of elements in all given sets.", Acl = "@set", Keys = [new(K.OW | K.Update) { Index = 1 }, new(K.RO | K.Access) { Index = 2, LastKey = -1 }] });
        t.Add(new() { Name = "sdiff", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SDiff, Group = g, Summary = "Subtract multiple sets", Complexity = "O(N) where N is the total number of elements in all given sets.", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1, LastKey = -1 }], Tips = ["nondeterministic_output_order"] });
        t.Add(new() { Name = "sdiffstore", Arity = -3, Flags = Write | DenyOom, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = SDiffStore, Group = g, Summary = "Subtract multiple sets and store the resulting set in a key", Complexity = "O(N) where N is the total number of elements in all given sets.", Acl = "@set", Keys = [new(K.OW | K.Update) { Index = 1 }, new(K.RO | K.Access) { Index = 2, LastKey = -1 }] });
        t.Add(new() { Name = "sscan", Arity = -3, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = SScan, Group = g, Summary = "Incrementally iterate Set elements", Since = "2.8.0", Complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", Acl = "@set", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"] });
    }

    /// <summary>Looks up a key that must hold a set. False (with WRONGTYPE written) if it holds another type.</summary>
    private static bool TryGetSet(CommandContext ctx, int index, bool forWrite, out Entry? entry, out RedisSet? set)
    {
        entry = forWrite ? ctx.Db.GetForWrite(ctx.Arg(index)) : ctx.Db.GetForRead(ctx.Arg(index));
        set = entry?.Value as RedisSet;
        if (entry is null || set is not null) return true;
        ctx.WrongType();
        return false;
    }

    private static byte[] MemberBytes(RedisSet set, int position) =>
        set.IsIntset ? Magpie.Protocol.RedisNumbers.FormatInt64(set.IntAt(position)) : set.MemberAt(position);

    private static void WriteMember(RespWriter reply, RedisSet set, int position)
    {
        if (set.IsIntset) reply.WriteBulk(set.IntAt(position));
        else reply.WriteBulk(set.MemberAt(position));
    }

    private static void SAdd(CommandContext ctx)
    {
        if (!TryGetSet(ctx, 1, true, out var entry, out var set)) return;
        bool isNew = set is null;
        set ??= new RedisSet();
        long added = 0;
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (set.Add(ctx.Arg(i))) added++;
        }
        if (isNew) ctx.Db.Add(ctx.Arg(1), set);
        else if (added > 0) ctx.Db.SignalModified(entry!);
        ctx.Reply.WriteInteger(added);
    }

    private static void SRem(CommandContext ctx)
    {
        if (!TryGetSet(ctx, 1, true, out var entry, out var set)) return;
        long removed = 0;
        if (set is not null)
        {
            for (int i = 2; i < ctx.ArgCount && set.Count > 0; i++)
            {
                if (set.Remove(ctx.Arg(i))) removed++;
            }
            if (removed > 0) ctx.Db.SignalModified(entry!);
        }
        ctx.Reply.WriteInteger(removed);
    }

    private static void SMembers(CommandContext ctx)
    {
        if (!TryGetSet(ctx, 1, false, out _, out var set)) return;
        WriteWholeSet(ctx.Reply, set);
    }

    private static void WriteWholeSet(RespWriter reply, RedisSet? set)
    {
        int count = (int)(set?.Count ?? 0);
        reply.WriteSetHeader(count);
        for (int i = 0; i < count; i++) WriteMember(reply, set!, i);
    }

    private static void SIsMember(CommandContext ctx)
    {
        if (!TryGetSet(ctx, 1, false, out _, out var set)) return;
        ctx.Reply.WriteInteger(set is not null && set.Contains(ctx.Arg(2)) ? 1 : 0);
    }

    private static void SMIsMember(CommandContext ctx)
    {
        if (!TryGetSet(ctx, 1, false, out _, out var set)) return;
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++) ctx.Reply.WriteInteger(set is not null && set.Contains(ctx.Arg(i)) ? 1 : 0);
    }

    private static void SCard(CommandContext ctx)
    {
        if (!TryGetSet(ctx, 1, false, out _, out var set)) return;
        ctx.Reply.WriteInteger(set?.Count ?? 0);
    }

    private static void SPop(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        var rng = ctx.Keyspace.Random;
        if (ctx.ArgCount == 2)
        {
            if (!TryGetSet(ctx, 1, true, out var single, out var one)) return;
            if (one is null)
            {
                ctx.Reply.WriteNull();
                return;
            }
            int p = rng.Next((int)one.Count);
            WriteMember(ctx.Reply, one, p);
            // Replicas and the AOF get the member that was drawn, not another random draw.
            if (ctx.Server.CommandStream.Active) ctx.Server.CommandStream.PropagateInstead(ctx, ["SREM"u8.ToArray(), ctx.ArgBytes(1), MemberBytes(one, p)]);
            one.RemoveAt(p);
            ctx.Db.SignalModified(single!);
            return;
        }
        if (!ctx.TryGetInt64(2, out long l)) return;
        if (l < 0)
        {
            ctx.Error("ERR value is out of range, must be positive");
            return;
        }
        if (!TryGetSet(ctx, 1, true, out var entry, out var set)) return;
        if (set is null || l == 0)
        {
            ctx.Reply.WriteSetHeader(0);
            return;
        }
        if (l >= set.Count)
        {
            // Everything: reply with the whole set and delete the key.
            WriteWholeSet(ctx.Reply, set);
            if (ctx.Server.CommandStream.Active) ctx.Server.CommandStream.PropagateInstead(ctx, ["DEL"u8.ToArray(), ctx.ArgBytes(1)]);
            ctx.Db.Remove(entry!);
            return;
        }
        int count = (int)l;
        ctx.Reply.WriteSetHeader(count);
        var srem = ctx.Server.CommandStream.Active ? new byte[count + 2][] : null;
        for (int n = 0; n < count; n++)
        {
            int p = rng.Next((int)set.Count);
            WriteMember(ctx.Reply, set, p);
            if (srem is not null) srem[n + 2] = MemberBytes(set, p);
            set.RemoveAt(p);
        }
        if (srem is not null)
        {
            srem[0] = "SREM"u8.ToArray();
            srem[1] = ctx.ArgBytes(1);
            ctx.Server.CommandStream.PropagateInstead(ctx, srem);
        }
        ctx.Db.SignalModified(entry!);
    }

    private static void SRandMember(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        var rng = ctx.Keyspace.Random;
        if (ctx.ArgCount == 2)
        {
            if (!TryGetSet(ctx, 1, false, out _, out var one)) return;
            if (one is null) ctx.Reply.WriteNull();
            else WriteMember(ctx.Reply, one, rng.Next((int)one.Count));
            return;
        }
        if (!HashCommands.RangeCount(ctx, 2, out long l)) return;
        if (!TryGetSet(ctx, 1, false, out _, out var set)) return;
        if (set is null || l == 0)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        int size = (int)set.Count;
        if (l < 0)
        {
            // Negative count: that many picks, repeats allowed.
            long count = -l;
            if (!HashCommands.ReplyFits(ctx, count)) return;
            ctx.Reply.WriteArrayHeader((int)count);
            for (long n = 0; n < count; n++) WriteMember(ctx.Reply, set, rng.Next(size));
            return;
        }
        if (l >= size)
        {
            ctx.Reply.WriteArrayHeader(size);
            for (int i = 0; i < size; i++) WriteMember(ctx.Reply, set, i);
            return;
        }
        var picks = HashCommands.DistinctPositions(rng, size, (int)l);
        ctx.Reply.WriteArrayHeader(picks.Length);
        foreach (int p in picks) WriteMember(ctx.Reply, set, p);
    }

    private static void SMove(CommandContext ctx)
    {
        var src = ctx.Db.GetForWrite(ctx.Arg(1));
        var dst = ctx.Db.GetForWrite(ctx.Arg(2));
        if (src is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (src.Value is not RedisSet srcSet || (dst is not null && dst.Value is not RedisSet))
        {
            ctx.WrongType();
            return;
        }
        var member = ctx.Arg(3);
        if (ReferenceEquals(src, dst))
        {
            ctx.Reply.WriteInteger(srcSet.Contains(member) ? 1 : 0);
            return;
        }
        if (!srcSet.Remove(member))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Db.SignalModified(src);
        if (dst is null)
        {
            var created = new RedisSet();
            created.Add(member);
            ctx.Db.Add(ctx.Arg(2), created);
        }
        else if (((RedisSet)dst.Value).Add(member))
        {
            ctx.Db.SignalModified(dst);
        }
        ctx.Reply.WriteInteger(1);
    }

    /// <summary>
    /// Looks up the source sets at args [first, first+count). Missing keys are null. False (with
    /// WRONGTYPE written) when one holds another type; every key is checked, in order, as Redis does.
    /// </summary>
    private static bool TryGetSources(CommandContext ctx, int first, int count, out RedisSet?[] sets)
    {
        sets = new RedisSet?[count];
        for (int i = 0; i < count; i++)
        {
            if (!TryGetSet(ctx, first + i, false, out _, out sets[i])) return false;
        }
        return true;
    }

    private static void SInter(CommandContext ctx)
    {
        if (!TryGetSources(ctx, 1, ctx.ArgCount - 1, out var sets)) return;
        var result = Intersect(sets);
        WriteWholeSet(ctx.Reply, result);
    }

    private static void SInterStore(CommandContext ctx)
    {
        if (!TryGetSources(ctx, 2, ctx.ArgCount - 2, out var sets)) return;
        Store(ctx, Intersect(sets));
    }

    private static void SInterCard(CommandContext ctx)
    {
        if (!RedisNumbers.TryParseInt64(ctx.Arg(1), out long numKeys) || numKeys < 1)
        {
            ctx.Error("ERR numkeys should be greater than 0");
            return;
        }
        if (numKeys > ctx.ArgCount - 2)
        {
            ctx.Error("ERR Number of keys can't be greater than number of args");
            return;
        }
        long limit = 0;
        for (int i = 2 + (int)numKeys; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "limit"u8) && i + 1 < ctx.ArgCount)
            {
                if (!RedisNumbers.TryParseInt64(ctx.Arg(++i), out limit) || limit < 0)
                {
                    ctx.Error("ERR LIMIT can't be negative");
                    return;
                }
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (!TryGetSources(ctx, 2, (int)numKeys, out var sets)) return;
        ctx.Reply.WriteInteger(IntersectCount(sets, limit));
    }

    private static void SUnion(CommandContext ctx)
    {
        if (!TryGetSources(ctx, 1, ctx.ArgCount - 1, out var sets)) return;
        WriteWholeSet(ctx.Reply, Union(sets));
    }

    private static void SUnionStore(CommandContext ctx)
    {
        if (!TryGetSources(ctx, 2, ctx.ArgCount - 2, out var sets)) return;
        Store(ctx, Union(sets));
    }

    private static void SDiff(CommandContext ctx)
    {
        if (!TryGetSources(ctx, 1, ctx.ArgCount - 1, out var sets)) return;
        WriteWholeSet(ctx.Reply, Difference(sets));
    }

    private static void SDiffStore(CommandContext ctx)
    {
        if (!TryGetSources(ctx, 2, ctx.ArgCount - 2, out var sets)) return;
        Store(ctx, Difference(sets));
    }

    /// <summary>Stores a result at ctx.Arg(1), replacing whatever was there (TTL included); an empty result deletes it.</summary>
    private static void Store(CommandContext ctx, RedisSet result)
    {
        var existing = ctx.Db.Lookup(ctx.Arg(1));
        if (existing is not null) ctx.Db.Remove(existing);
        if (result.Count > 0) ctx.Db.Add(ctx.Arg(1), result);
        ctx.Reply.WriteInteger(result.Count);
    }

    /// <summary>The smallest set, or null when any is missing (the intersection is then empty).</summary>
    private static RedisSet? Smallest(RedisSet?[] sets)
    {
        RedisSet? smallest = null;
        foreach (var s in sets)
        {
            if (s is null) return null;
            if (smallest is null || s.Count < smallest.Count) smallest = s;
        }
        return smallest;
    }

    private static bool InAllOthers(RedisSet?[] sets, RedisSet smallest, ReadOnlySpan<byte> member)
    {
        foreach (var s in sets)
        {
            if (!ReferenceEquals(s, smallest) && !s!.Contains(member)) return false;
        }
        return true;
    }

    private static RedisSet Intersect(RedisSet?[] sets)
    {
        var result = new RedisSet();
        var smallest = Smallest(sets);
        if (smallest is null) return result;
        Span<byte> digits = stackalloc byte[20];
        for (int i = 0; i < smallest.Count; i++)
        {
            var member = MemberSpan(smallest, i, digits);
            if (InAllOthers(sets, smallest, member)) result.Add(member);
        }
        return result;
    }

    private static long IntersectCount(RedisSet?[] sets, long limit)
    {
        var smallest = Smallest(sets);
        if (smallest is null) return 0;
        long count = 0;
        Span<byte> digits = stackalloc byte[20];
        for (int i = 0; i < smallest.Count; i++)
        {
            if (!InAllOthers(sets, smallest, MemberSpan(smallest, i, digits))) continue;
            count++;
            if (limit > 0 && count >= limit) break;
        }
        return count;
    }

    private static RedisSet Union(RedisSet?[] sets)
    {
        var result = new RedisSet();
        Span<byte> digits = stackalloc byte[20];
        foreach (var s in sets)
        {
            if (s is null) continue;
            for (int i = 0; i < s.Count; i++) result.Add(MemberSpan(s, i, digits));
        }
        return result;
    }

    private static RedisSet Difference(RedisSet?[] sets)
    {
        var result = new RedisSet();
        var first = sets[0];
        if (first is null) return result;
        Span<byte> digits = stackalloc byte[20];
        for (int i = 0; i < first.Count; i++)
        {
            var member = MemberSpan(first, i, digits);
            bool elsewhere = false;
            for (int j = 1; j < sets.Length && !elsewhere; j++)
            {
                // The same key given twice subtracts everything.
                elsewhere = sets[j] is { } other && (ReferenceEquals(other, first) || other.Contains(member));
            }
            if (!elsewhere) result.Add(member);
        }
        return result;
    }

    /// <summary>A member's bytes without allocating: intset integers are formatted into <paramref name="digits"/>.</summary>
    private static ReadOnlySpan<byte> MemberSpan(RedisSet set, int position, Span<byte> digits) =>
        set.IsIntset ? digits[..RedisNumbers.FormatInt64(set.IntAt(position), digits)] : set.MemberAt(position);

    private static void SScan(CommandContext ctx)
    {
        if (!CollectionScan.TryParseCursor(ctx, 2, out ulong cursor)) return;
        if (!TryGetSet(ctx, 1, false, out _, out var set)) return;
        if (set is null)
        {
            CollectionScan.WriteEmpty(ctx.Reply);
            return;
        }
        if (!ScanOptions.TryParse(ctx, 3, allowType: false, out var options)) return;
        ulong next = CollectionScan.Step(cursor, (int)set.Count, set.IsCompact, options.Count, out int start, out int end);
        var positions = new List<int>(Math.Min(start - end, 1024));
        Span<byte> digits = stackalloc byte[20];
        if (set.IsCompact)
        {
            for (int i = end; i < start; i++)
                if (options.Pattern is null || Glob.Match(options.Pattern, MemberSpan(set, i, digits))) positions.Add(i);
        }
        else
        {
            for (int i = start - 1; i >= end; i--)
                if (options.Pattern is null || Glob.Match(options.Pattern, MemberSpan(set, i, digits))) positions.Add(i);
        }
        CollectionScan.WriteCursor(ctx.Reply, next);
        ctx.Reply.WriteArrayHeader(positions.Count);
        foreach (int i in positions) WriteMember(ctx.Reply, set, i);
    }
}
