using Magpie.Protocol;
using Magpie.Server.Blocking;
using Magpie.Storage;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>List commands, blocking ones included, with Redis 7.0 semantics and errors.</summary>
public static class ListCommands
{
    // Serve delegates for blocked clients, cached so blocking allocates no closures. Each serves
    // from the key that became ready, as Redis 7.0 does.
    private static readonly BlockedServe ServeBLPop = (ctx, key) => TryPopOneFrom(ctx, key, head: true);
    private static readonly BlockedServe ServeBRPop = (ctx, key) => TryPopOneFrom(ctx, key, head: false);
    private static readonly BlockedServe ServeBLMove = (ctx, _) =>
        TryMove(ctx, ctx.Arg(1), ctx.Arg(2), ctx.ArgIs(3, "left"u8), ctx.ArgIs(4, "left"u8), serving: true);
    private static readonly BlockedServe ServeBRPopLPush = (ctx, _) => TryMove(ctx, ctx.Arg(1), ctx.Arg(2), false, true, serving: true);
    private static readonly BlockedServe ServeBLMPop = (ctx, key) =>
        TryParseMPop(ctx, 2, out _, out bool head, out long count) && TryMPopFrom(ctx, key, head, count, serving: true);

    public static void Register(CommandTable t)
    {
        const string g = "list";
        t.Add(new() { Name = "lpush", Arity = -3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Push(ctx, head: true, onlyIfExists: false), Group = g, Summary = "Prepend one or multiple elements to a list", Complexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Acl = "@list", Keys = [new(K.RW | K.Insert) { Index = 1 }], History = [("2.4.0", "Accepts multiple `element` arguments.")] });
        t.Add(new() { Name = "rpush", Arity = -3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Push(ctx, head: false, onlyIfExists: false), Group = g, Summary = "Append one or multiple elements to a list", Complexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Acl = "@list", Keys = [new(K.RW | K.Insert) { Index = 1 }], History = [("2.4.0", "Accepts multiple `element` arguments.")] });
        t.Add(new() { Name = "lpushx", Arity = -3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Push(ctx, head: true, onlyIfExists: true), Group = g, Summary = "Prepend an element to a list, only if the list exists", Since = "2.2.0", Complexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Acl = "@list", Keys = [new(K.RW | K.Insert) { Index = 1 }], History = [("4.0.0", "Accepts multiple `element` arguments.")] });
        t.Add(new() { Name = "rpushx", Arity = -3, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Push(ctx, head: false, onlyIfExists: true), Group = g, Summary = "Append an element to a list, only if the list exists", Since = "2.2.0", Complexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Acl = "@list", Keys = [new(K.RW | K.Insert) { Index = 1 }], History = [("4.0.0", "Accepts multiple `element` arguments.")] });
        t.Add(new() { Name = "lpop", Arity = -2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Pop(ctx, head: true), Group = g, Summary = "Remove and get the first elements in a list", Complexity = "O(N) where N is the number of elements returned", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }], History = [("6.2.0", "Added the `count` argument.")] });
        t.Add(new() { Name = "rpop", Arity = -2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Pop(ctx, head: false), Group = g, Summary = "Remove and get the last elements in a list", Complexity = "O(N) where N is the number of elements returned", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }], History = [("6.2.0", "Added the `count` argument.")] });
        t.Add(new() { Name = "llen", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LLen, Group = g, Summary = "Get the length of a list", Acl = "@list", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "lrange", Arity = 4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LRange, Group = g, Summary = "Get a range of elements from a list", Complexity = "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", Acl = "@list", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "lindex", Arity = 3, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LIndex, Group = g, Summary = "Get an element from a list by its index", Complexity = "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", Acl = "@list", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "lset", Arity = 4, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LSet, Group = g, Summary = "Set the value of an element in a list by its index", Complexity = "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", Acl = "@list", Keys = [new(K.RW | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "linsert", Arity = 5, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LInsert, Group = g, Summary = "Insert an element before or after another element in a list", Since = "2.2.0", Complexity = "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", Acl = "@list", Keys = [new(K.RW | K.Insert) { Index = 1 }] });
        t.Add(new() { Name = "lrem", Arity = 4, Flags = Write, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LRem, Group = g, Summary = "Remove elements from a list", Complexity = "O(N+M) where N is the length of the list and M is the number of elements removed.", Acl = "@list", Keys = [new(K.RW | K.Delete) { Index = 1 }] });
        t.Add(new() { Name = "ltrim", Arity = 4, Flags = Write, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LTrim, Group = g, Summary = "Trim a list to the specified range", Complexity = "O(N) where N is the number of elements to be removed by the operation.", Acl = "@list", Keys = [new(K.RW | K.Delete) { Index = 1 }] });
        t.Add(new() { Name = "lpos", Arity = -3, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = LPos, Group = g, Summary = "Return the index of matching elements on a list", Since = "6.0.6", Complexity = "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", Acl = "@list", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "lmove", Arity = 5, Flags = Write | DenyOom, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = LMove, Group = g, Summary = "Pop an element from a list, push it to another list and return it", Since = "6.2.0", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }, new(K.RW | K.Insert) { Index = 2 }] });
        t.Add(new() { Name = "rpoplpush", Arity = 3, Flags = Write | DenyOom, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = RPopLPush, Group = g, Summary = "Remove the last element in a list, prepend it to another list and return it", Since = "1.2.0", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }, new(K.RW | K.Insert) { Index = 2 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`LMOVE` with the `RIGHT` and `LEFT` arguments" });
        t.Add(new() { Name = "lmpop", Arity = -4, Flags = Write | MovableKeys, Handler = LMPop, Group = g, Summary = "Pop elements from a list", Since = "7.0.0", Complexity = "O(N+M) where N is the number of provided keys and M is the number of elements returned.", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1, KeyNum = true }] });
        t.Add(new() { Name = "blpop", Arity = -3, Flags = Write | NoScript | CommandFlags.Blocking, FirstKey = 1, LastKey = -2, KeyStep = 1, Handler = ctx => BPop(ctx, head: true), Group = g, Summary = "Remove and get the first element in a list, or block until one is available", Since = "2.0.0", Complexity = "O(N) where N is the number of provided keys.", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1, LastKey = -2 }], History = [("6.0.0", "`timeout` is interpreted as a double instead of an integer.")] });
        t.Add(new() { Name = "brpop", Arity = -3, Flags = Write | NoScript | CommandFlags.Blocking, FirstKey = 1, LastKey = -2, KeyStep = 1, Handler = ctx => BPop(ctx, head: false), Group = g, Summary = "Remove and get the last element in a list, or block until one is available", Since = "2.0.0", Complexity = "O(N) where N is the number of provided keys.", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1, LastKey = -2 }], History = [("6.0.0", "`timeout` is interpreted as a double instead of an integer.")] });
        t.Add(new() { Name = "blmove", Arity = 6, Flags = Write | DenyOom | NoScript | CommandFlags.Blocking, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = BLMove, Group = g, Summary = "Pop an element from a list, push it to another list and return it; or block until one is available", Since = "6.2.0", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }, new(K.RW | K.Insert) { Index = 2 }] });
        t.Add(new() { Name = "brpoplpush", Arity = 4, Flags = Write | DenyOom | NoScript | CommandFlags.Blocking, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = BRPopLPush, Group = g, Summary = "Pop an element from a list, push it to another list and return it; or block until one is available", Since = "2.2.0", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }, new(K.RW | K.Insert) { Index = 2 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`BLMOVE` with the `RIGHT` and `LEFT` arguments", History = [("6.0.0", "`timeout` is interpreted as a double instead of an integer.")] });
        t.Add(new() { Name = "blmpop", Arity = -5, Flags = Write | CommandFlags.Blocking | MovableKeys, Handler = BLMPop, Group = g, Summary = "Pop elements from a list, or block until one is available", Since = "7.0.0", Complexity = "O(N+M) where N is the number of provided keys and M is the number of elements returned.", Acl = "@list", Keys = [new(K.RW | K.Access | K.Delete) { Index = 2, KeyNum = true }] });
    }

    /// <summary>Looks up a key that must hold a list. False (with WRONGTYPE written) if it holds another type.</summary>
    private static bool TryGetList(CommandContext ctx, ReadOnlySpan<byte> key, bool forWrite, out Entry? entry, out RedisList? list)
    {
        entry = forWrite ? ctx.Db.GetForWrite(key) : ctx.Db.GetForRead(key);
        list = null;
        if (entry is null) return true;
        if (entry.Value is RedisList l)
        {
            list = l;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>LEFT or RIGHT (Redis's getListPositionFromObjectOrReply); syntax error otherwise.</summary>
    private static bool TryGetSide(CommandContext ctx, int index, out bool head)
    {
        head = ctx.ArgIs(index, "left"u8);
        if (head || ctx.ArgIs(index, "right"u8)) return true;
        ctx.SyntaxError();
        return false;
    }

    /// <summary>Redis's getRangeLongFromObjectOrReply with a custom message for both "not a number" and "out of range".</summary>
    private static bool TryGetRange(CommandContext ctx, int index, long min, long max, string message, out long value)
    {
        if (RedisNumbers.TryParseInt64(ctx.Arg(index), out value) && value >= min && value <= max) return true;
        ctx.Error(message);
        return false;
    }

    private static void Push(CommandContext ctx, bool head, bool onlyIfExists)
    {
        var key = ctx.Arg(1);
        if (!TryGetList(ctx, key, true, out var entry, out var list)) return;
        if (list is null)
        {
            if (onlyIfExists)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            list = new RedisList(ctx.ArgCount - 2);
            for (int i = 2; i < ctx.ArgCount; i++) list.Push(ctx.ArgBytes(i), head);
            ctx.Db.Add(key, list);
        }
        else
        {
            for (int i = 2; i < ctx.ArgCount; i++) list.Push(ctx.ArgBytes(i), head);
            ctx.Db.SignalModified(entry!);
        }
        ctx.Reply.WriteInteger(list.Count);
    }

    private static void Pop(CommandContext ctx, bool head)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.WrongArity();
            return;
        }
        bool hasCount = ctx.ArgCount == 3;
        long count = 1;
        if (hasCount && !TryGetRange(ctx, 2, 0, long.MaxValue, "ERR value is out of range, must be positive", out count)) return;
        if (!TryGetList(ctx, ctx.Arg(1), true, out var entry, out var list)) return;
        if (list is null)
        {
            if (hasCount) ctx.Reply.WriteNullArray();
            else ctx.Reply.WriteNull();
            return;
        }
        if (!hasCount)
        {
            ctx.Reply.WriteBulk(list.Pop(head));
            ctx.Db.SignalModified(entry!);
            return;
        }
        if (count == 0)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        int n = (int)Math.Min(count, list.Count);
        ctx.Reply.WriteArrayHeader(n);
        for (int i = 0; i < n; i++) ctx.Reply.WriteBulk(list.Pop(head));
        ctx.Db.SignalModified(entry!);
    }

    private static void LLen(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Arg(1), false, out _, out var list)) return;
        ctx.Reply.WriteInteger(list?.Count ?? 0);
    }

    private static void LRange(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long start) || !ctx.TryGetInt64(3, out long end)) return;
        if (!TryGetList(ctx, ctx.Arg(1), false, out _, out var list)) return;
        if (list is null)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        long length = list.Count;
        if (start < 0) start += length;
        if (end < 0) end += length;
        if (start < 0) start = 0;
        if (start > end || start >= length)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        if (end >= length) end = length - 1;
        ctx.Reply.WriteArrayHeader((int)(end - start + 1));
        for (long i = start; i <= end; i++) ctx.Reply.WriteBulk(list[(int)i]);
    }

    /// <summary>A Redis list index (negative counts from the tail) as a position, or -1 when out of range.</summary>
    private static int Position(long index, int length)
    {
        if (index < 0) index += length;
        return index < 0 || index >= length ? -1 : (int)index;
    }

    private static void LIndex(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Arg(1), false, out _, out var list)) return;
        if (list is null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (!ctx.TryGetInt64(2, out long index)) return;
        int pos = Position(index, list.Length);
        if (pos < 0) ctx.Reply.WriteNull();
        else ctx.Reply.WriteBulk(list[pos]);
    }

    private static void LSet(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Arg(1), true, out var entry, out var list)) return;
        if (list is null)
        {
            ctx.Error(Errors.NoSuchKey);
            return;
        }
        if (!ctx.TryGetInt64(2, out long index)) return;
        int pos = Position(index, list.Length);
        if (pos < 0)
        {
            ctx.Error(Errors.IndexOutOfRange);
            return;
        }
        list[pos] = ctx.ArgBytes(3);
        ctx.Db.SignalModified(entry!);
        ctx.Reply.WriteOk();
    }

    private static void LInsert(CommandContext ctx)
    {
        bool after;
        if (ctx.ArgIs(2, "after"u8)) after = true;
        else if (ctx.ArgIs(2, "before"u8)) after = false;
        else
        {
            ctx.SyntaxError();
            return;
        }
        if (!TryGetList(ctx, ctx.Arg(1), true, out var entry, out var list)) return;
        if (list is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var pivot = ctx.Arg(3);
        for (int i = 0; i < list.Length; i++)
        {
            if (!list[i].AsSpan().SequenceEqual(pivot)) continue;
            list.Insert(after ? i + 1 : i, ctx.ArgBytes(4));
            ctx.Db.SignalModified(entry!);
            ctx.Reply.WriteInteger(list.Count);
            return;
        }
        ctx.Reply.WriteInteger(-1);
    }

    private static void LRem(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long count)) return;
        if (!TryGetList(ctx, ctx.Arg(1), true, out var entry, out var list)) return;
        if (list is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        long limit = count == long.MinValue ? long.MaxValue : Math.Abs(count);
        int removed = list.RemoveMatching(ctx.Arg(3), limit, fromTail: count < 0);
        if (removed > 0) ctx.Db.SignalModified(entry!);
        ctx.Reply.WriteInteger(removed);
    }

    private static void LTrim(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long start) || !ctx.TryGetInt64(3, out long end)) return;
        if (!TryGetList(ctx, ctx.Arg(1), true, out var entry, out var list)) return;
        if (list is null)
        {
            ctx.Reply.WriteOk();
            return;
        }
        long length = list.Count;
        if (start < 0) start += length;
        if (end < 0) end += length;
        if (start < 0) start = 0;
        if (start > end || start >= length)
        {
            list.Clear();
        }
        else
        {
            if (end >= length) end = length - 1;
            list.Trim((int)start, (int)end);
        }
        // Redis signals the key even when nothing was trimmed (WATCH sees it).
        ctx.Db.SignalModified(entry!);
        ctx.Reply.WriteOk();
    }

    private static void LPos(CommandContext ctx)
    {
        long rank = 1, count = -1, maxLen = 0;
        for (int i = 3; i < ctx.ArgCount; i += 2)
        {
            bool hasValue = i + 1 < ctx.ArgCount;
            if (ctx.ArgIs(i, "rank"u8) && hasValue)
            {
                if (!RedisNumbers.TryParseInt64(ctx.Arg(i + 1), out rank))
                {
                    ctx.Error(Errors.NotInteger);
                    return;
                }
                if (rank == 0)
                {
                    ctx.Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
                    return;
                }
            }
            else if (ctx.ArgIs(i, "count"u8) && hasValue)
            {
                if (!TryGetRange(ctx, i + 1, 0, long.MaxValue, "ERR COUNT can't be negative", out count)) return;
            }
            else if (ctx.ArgIs(i, "maxlen"u8) && hasValue)
            {
                if (!TryGetRange(ctx, i + 1, 0, long.MaxValue, "ERR MAXLEN can't be negative", out maxLen)) return;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (!TryGetList(ctx, ctx.Arg(1), false, out _, out var list)) return;
        if (list is null)
        {
            if (count != -1) ctx.Reply.WriteArrayHeader(0);
            else ctx.Reply.WriteNull();
            return;
        }

        var element = ctx.Arg(2);
        bool fromTail = rank < 0;
        // Redis negates a negative rank in place; LONG_MIN stays negative there, so every match
        // qualifies and it behaves like RANK -1.
        long skip = rank == long.MinValue ? 0 : Math.Abs(rank) - 1;
        int length = list.Length;
        long scanLimit = maxLen == 0 ? length : Math.Min(maxLen, length);
        long wanted = count == -1 ? 1 : count == 0 ? long.MaxValue : count;

        // Positions are collected first because the array reply needs its length up front; a
        // single match (no COUNT) needs no list.
        List<long>? found = count == -1 ? null : [];
        long single = -1;
        long matches = 0, taken = 0;
        for (long scanned = 0; scanned < scanLimit && taken < wanted; scanned++)
        {
            int pos = fromTail ? (int)(length - 1 - scanned) : (int)scanned;
            if (!list[pos].AsSpan().SequenceEqual(element)) continue;
            if (matches++ < skip) continue;
            taken++;
            if (found is null) single = pos;
            else found.Add(pos);
        }
        if (found is null)
        {
            if (single < 0) ctx.Reply.WriteNull();
            else ctx.Reply.WriteInteger(single);
            return;
        }
        ctx.Reply.WriteArrayHeader(found.Count);
        foreach (var p in found) ctx.Reply.WriteInteger(p);
    }

    private static void LMove(CommandContext ctx)
    {
        if (!TryGetSide(ctx, 3, out bool fromHead) || !TryGetSide(ctx, 4, out bool toHead)) return;
        if (!TryMove(ctx, ctx.Arg(1), ctx.Arg(2), fromHead, toHead, serving: false)) ctx.Reply.WriteNull();
    }

    private static void RPopLPush(CommandContext ctx)
    {
        if (!TryMove(ctx, ctx.Arg(1), ctx.Arg(2), fromHead: false, toHead: true, serving: false)) ctx.Reply.WriteNull();
    }

    /// <summary>
    /// The core of LMOVE/BLMOVE. Returns false, writing nothing, when the source has nothing to
    /// pop (and, when <paramref name="serving"/> a blocked client, when the source is not a list:
    /// Redis 7.0 keeps such a client waiting). Otherwise writes the reply (element or WRONGTYPE).
    /// </summary>
    private static bool TryMove(CommandContext ctx, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fromHead, bool toHead, bool serving)
    {
        var db = ctx.Db;
        var srcEntry = db.GetForWrite(source);
        if (srcEntry is null) return false;
        if (srcEntry.Value is not RedisList srcList)
        {
            if (serving) return false;
            ctx.WrongType();
            return true;
        }
        var dstEntry = source.SequenceEqual(destination) ? srcEntry : db.GetForWrite(destination);
        if (dstEntry is not null && dstEntry.Value is not RedisList)
        {
            ctx.WrongType();
            return true;
        }
        var value = srcList.Pop(fromHead);
        if (dstEntry == srcEntry)
        {
            srcList.Push(value, toHead);
            db.SignalModified(srcEntry);
        }
        else
        {
            db.SignalModified(srcEntry);
            if (dstEntry is null)
            {
                var list = new RedisList();
                list.Push(value, toHead);
                db.Add(destination, list);
            }
            else
            {
                ((RedisList)dstEntry.Value).Push(value, toHead);
                db.SignalModified(dstEntry);
            }
        }
        ctx.Reply.WriteBulk(value);
        return true;
    }

    /// <summary>
    /// Pops one element from the first non-empty list among the keys (BLPOP/BRPOP: arguments 1 to
    /// the one before the timeout) and replies [key, element]. False, writing nothing, if none had data.
    /// </summary>
    private static bool TryPopFirstNonEmpty(CommandContext ctx, bool head)
    {
        var db = ctx.Db;
        for (int i = 1; i < ctx.ArgCount - 1; i++)
        {
            var entry = db.GetForWrite(ctx.Arg(i));
            if (entry is null) continue;
            if (entry.Value is not RedisList list)
            {
                ctx.WrongType();
                return true;
            }
            WritePopped(ctx, ctx.Arg(i), list.Pop(head));
            db.SignalModified(entry);
            return true;
        }
        return false;
    }

    /// <summary>Serves a blocked BLPOP/BRPOP from the key that became ready. False if it holds no list.</summary>
    private static bool TryPopOneFrom(CommandContext ctx, byte[] key, bool head)
    {
        var entry = ctx.Db.GetForWrite(key);
        if (entry?.Value is not RedisList list) return false;
        WritePopped(ctx, key, list.Pop(head));
        ctx.Db.SignalModified(entry);
        return true;
    }

    private static void WritePopped(CommandContext ctx, ReadOnlySpan<byte> key, byte[] value)
    {
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(key);
        ctx.Reply.WriteBulk(value);
    }

    private static void BPop(CommandContext ctx, bool head)
    {
        if (!BlockingRegistry.TryParseTimeout(ctx, ctx.ArgCount - 1, out long deadline)) return;
        if (TryPopFirstNonEmpty(ctx, head)) return;
        var blocking = ctx.Server.Blocking;
        if (!blocking.CanBlock(ctx))
        {
            ctx.Reply.WriteNullArray();
            return;
        }
        blocking.Block(ctx, KeyArgs(ctx, 1, ctx.ArgCount - 2), deadline, head ? ServeBLPop : ServeBRPop);
    }

    private static void BLMove(CommandContext ctx)
    {
        if (!TryGetSide(ctx, 3, out bool fromHead) || !TryGetSide(ctx, 4, out bool toHead)) return;
        if (!BlockingRegistry.TryParseTimeout(ctx, 5, out long deadline)) return;
        BlockingMove(ctx, fromHead, toHead, deadline, ServeBLMove);
    }

    private static void BRPopLPush(CommandContext ctx)
    {
        if (!BlockingRegistry.TryParseTimeout(ctx, 3, out long deadline)) return;
        BlockingMove(ctx, fromHead: false, toHead: true, deadline, ServeBRPopLPush);
    }

    private static void BlockingMove(CommandContext ctx, bool fromHead, bool toHead, long deadline, BlockedServe serve)
    {
        if (TryMove(ctx, ctx.Arg(1), ctx.Arg(2), fromHead, toHead, serving: false)) return;
        var blocking = ctx.Server.Blocking;
        if (!blocking.CanBlock(ctx))
        {
            // Redis answers a null bulk here (but a null array on a real timeout).
            ctx.Reply.WriteNull();
            return;
        }
        blocking.Block(ctx, KeyArgs(ctx, 1, 1), deadline, serve);
    }

    /// <summary>Parses LMPOP's numkeys, LEFT|RIGHT and COUNT starting at <paramref name="numKeysIndex"/>.</summary>
    private static bool TryParseMPop(CommandContext ctx, int numKeysIndex, out int numKeys, out bool head, out long count)
    {
        numKeys = 0;
        head = false;
        count = -1;
        if (!TryGetRange(ctx, numKeysIndex, 1, long.MaxValue, "ERR numkeys should be greater than 0", out long n)) return false;
        if (n > ctx.ArgCount - numKeysIndex - 1)
        {
            ctx.SyntaxError();
            return false;
        }
        numKeys = (int)n;
        int whereIndex = numKeysIndex + numKeys + 1;
        if (whereIndex >= ctx.ArgCount)
        {
            ctx.SyntaxError();
            return false;
        }
        if (!TryGetSide(ctx, whereIndex, out head)) return false;
        for (int j = whereIndex + 1; j < ctx.ArgCount; j++)
        {
            if (count == -1 && ctx.ArgIs(j, "count"u8) && j + 1 < ctx.ArgCount)
            {
                j++;
                if (!TryGetRange(ctx, j, 1, long.MaxValue, "ERR count should be greater than 0", out count)) return false;
            }
            else
            {
                ctx.SyntaxError();
                return false;
            }
        }
        if (count == -1) count = 1;
        return true;
    }

    /// <summary>
    /// Pops up to <paramref name="count"/> elements from the first non-empty list among the keys
    /// and replies [key, [elements]]. False, writing nothing, if none had data.
    /// </summary>
    private static bool TryMPop(CommandContext ctx, int firstKey, int numKeys, bool head, long count)
    {
        for (int i = firstKey; i < firstKey + numKeys; i++)
        {
            if (TryMPopFrom(ctx, ctx.Arg(i), head, count, serving: false)) return true;
        }
        return false;
    }

    /// <summary>
    /// LMPOP on one key: false, writing nothing, when it is missing (or, when <paramref name="serving"/>
    /// a blocked client, of another type); otherwise writes [key, [elements]] or WRONGTYPE.
    /// </summary>
    private static bool TryMPopFrom(CommandContext ctx, ReadOnlySpan<byte> key, bool head, long count, bool serving)
    {
        var db = ctx.Db;
        var entry = db.GetForWrite(key);
        if (entry is null) return false;
        if (entry.Value is not RedisList list)
        {
            if (serving) return false;
            ctx.WrongType();
            return true;
        }
        int n = (int)Math.Min(count, list.Count);
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(key);
        ctx.Reply.WriteArrayHeader(n);
        for (int k = 0; k < n; k++) ctx.Reply.WriteBulk(list.Pop(head));
        db.SignalModified(entry);
        return true;
    }

    private static void LMPop(CommandContext ctx)
    {
        if (!TryParseMPop(ctx, 1, out int numKeys, out bool head, out long count)) return;
        if (!TryMPop(ctx, 2, numKeys, head, count)) ctx.Reply.WriteNullArray();
    }

    private static void BLMPop(CommandContext ctx)
    {
        if (!BlockingRegistry.TryParseTimeout(ctx, 1, out long deadline)) return;
        if (!TryParseMPop(ctx, 2, out int numKeys, out bool head, out long count)) return;
        if (TryMPop(ctx, 3, numKeys, head, count)) return;
        var blocking = ctx.Server.Blocking;
        if (!blocking.CanBlock(ctx))
        {
            ctx.Reply.WriteNullArray();
            return;
        }
        blocking.Block(ctx, KeyArgs(ctx, 3, numKeys), deadline, ServeBLMPop);
    }

    /// <summary>Copies <paramref name="n"/> key arguments from <paramref name="first"/>, for a client about to block.</summary>
    private static byte[][] KeyArgs(CommandContext ctx, int first, int n)
    {
        var keys = new byte[n][];
        for (int i = 0; i < n; i++) keys[i] = ctx.ArgBytes(first + i);
        return keys;
    }
}
