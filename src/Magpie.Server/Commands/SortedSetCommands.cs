using System.Globalization;
using Magpie.Protocol;
using Magpie.Server.Util;
using Magpie.Storage;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>Sorted set commands, with Redis 7.0 semantics, replies and errors.</summary>
public static class SortedSetCommands
{
    private const string G = "sorted-set";
    private const string NanError = "ERR resulting score is not a number (NaN)";

    public static void Register(CommandTable t)
    {
        t.Add(new() { Name = "zadd", Arity = -4, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZAdd, Group = G, Summary = "Add one or more members to a sorted set, or update its score if it already exists", Since = "1.2.0", Complexity = "O(log(N)) for each item added, where N is the number of elements in the sorted set.", Acl = "@sortedset", Keys = [new(K.RW | K.Update) { Index = 1 }], History = [("2.4.0", "Accepts multiple elements."), ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."), ("6.2.0", "Added the `GT` and `LT` options.")] });
        t.Add(new() { Name = "zincrby", Arity = 4, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZIncrBy, Group = G, Summary = "Increment the score of a member in a sorted set", Since = "1.2.0", Complexity = "O(log(N)) where N is the number of elements in the sorted set.", Acl = "@sortedset", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "zrem", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZRem, Group = G, Summary = "Remove one or more members from a sorted set", Since = "1.2.0", Complexity = "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", Acl = "@sortedset", Keys = [new(K.RW | K.Delete) { Index = 1 }], History = [("2.4.0", "Accepts multiple elements.")] });
        t.Add(new() { Name = "zscore", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZScore, Group = G, Summary = "Get the score associated with the given member in a sorted set", Since = "1.2.0", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "zmscore", Arity = -3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZMScore, Group = G, Summary = "Get the score associated with the given members in a sorted set", Since = "6.2.0", Complexity = "O(N) where N is the number of members being requested.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "zcard", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZCard, Group = G, Summary = "Get the number of members in a sorted set", Since = "1.2.0", Acl = "@sortedset", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "zcount", Arity = 4, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZCount, Group = G, Summary = "Count the members in a sorted set with scores within the given values", Since = "2.0.0", Complexity = "O(log(N)) with N being the number of elements in the sorted set.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "zlexcount", Arity = 4, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZLexCount, Group = G, Summary = "Count the number of members in a sorted set between a given lexicographical range", Since = "2.8.9", Complexity = "O(log(N)) with N being the number of elements in the sorted set.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "zrank", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => ZRank(ctx, reverse: false), Group = G, Summary = "Determine the index of a member in a sorted set", Since = "2.0.0", Complexity = "O(log(N))", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "zrevrank", Arity = 3, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => ZRank(ctx, reverse: true), Group = G, Summary = "Determine the index of a member in a sorted set, with scores ordered from high to low", Since = "2.0.0", Complexity = "O(log(N))", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }] });

        t.Add(new() { Name = "zrange", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RangeCommand(ctx, 1, store: false, RangeKind.Auto, reverse: null), Group = G, Summary = "Return a range of members in a sorted set", Since = "1.2.0", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], History = [("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.")] });
        t.Add(new() { Name = "zrangestore", Arity = -5, Flags = Write | DenyOom, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = ctx => RangeCommand(ctx, 2, store: true, RangeKind.Auto, reverse: null), Group = G, Summary = "Store a range of members from sorted set into another key", Since = "6.2.0", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", Acl = "@sortedset", Keys = [new(K.OW | K.Update) { Index = 1 }, new(K.RO | K.Access) { Index = 2 }] });
        t.Add(new() { Name = "zrevrange", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RangeCommand(ctx, 1, store: false, RangeKind.Rank, reverse: true), Group = G, Summary = "Return a range of members in a sorted set, by index, with scores ordered from high to low", Since = "1.2.0", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`ZRANGE` with the `REV` argument" });
        t.Add(new() { Name = "zrangebyscore", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RangeCommand(ctx, 1, store: false, RangeKind.Score, reverse: false), Group = G, Summary = "Return a range of members in a sorted set, by score", Since = "1.0.5", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`ZRANGE` with the `BYSCORE` argument", History = [("2.0.0", "Added the `WITHSCORES` modifier.")] });
        t.Add(new() { Name = "zrevrangebyscore", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RangeCommand(ctx, 1, store: false, RangeKind.Score, reverse: true), Group = G, Summary = "Return a range of members in a sorted set, by score, with scores ordered from high to low", Since = "2.2.0", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`ZRANGE` with the `REV` and `BYSCORE` arguments", History = [("2.1.6", "`min` and `max` can be exclusive.")] });
        t.Add(new() { Name = "zrangebylex", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RangeCommand(ctx, 1, store: false, RangeKind.Lex, reverse: false), Group = G, Summary = "Return a range of members in a sorted set, by lexicographical range", Since = "2.8.9", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`ZRANGE` with the `BYLEX` argument" });
        t.Add(new() { Name = "zrevrangebylex", Arity = -4, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RangeCommand(ctx, 1, store: false, RangeKind.Lex, reverse: true), Group = G, Summary = "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", Since = "2.8.9", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], DocFlags = ["deprecated"], DeprecatedSince = "6.2.0", ReplacedBy = "`ZRANGE` with the `REV` and `BYLEX` arguments" });

        t.Add(new() { Name = "zremrangebyrank", Arity = 4, Flags = Write, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RemoveRange(ctx, RangeKind.Rank), Group = G, Summary = "Remove all members in a sorted set within the given indexes", Since = "2.0.0", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", Acl = "@sortedset", Keys = [new(K.RW | K.Delete) { Index = 1 }] });
        t.Add(new() { Name = "zremrangebyscore", Arity = 4, Flags = Write, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RemoveRange(ctx, RangeKind.Score), Group = G, Summary = "Remove all members in a sorted set within the given scores", Since = "1.2.0", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", Acl = "@sortedset", Keys = [new(K.RW | K.Delete) { Index = 1 }] });
        t.Add(new() { Name = "zremrangebylex", Arity = 4, Flags = Write, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => RemoveRange(ctx, RangeKind.Lex), Group = G, Summary = "Remove all members in a sorted set between the given lexicographical range", Since = "2.8.9", Complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", Acl = "@sortedset", Keys = [new(K.RW | K.Delete) { Index = 1 }] });

        t.Add(new() { Name = "zpopmin", Arity = -2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => ZPop(ctx, max: false), Group = G, Summary = "Remove and return members with the lowest scores in a sorted set", Since = "5.0.0", Complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", Acl = "@sortedset", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }] });
        t.Add(new() { Name = "zpopmax", Arity = -2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => ZPop(ctx, max: true), Group = G, Summary = "Remove and return members with the highest scores in a sorted set", Since = "5.0.0", Complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", Acl = "@sortedset", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }] });
        t.Add(new() { Name = "zmpop", Arity = -4, Flags = Write | MovableKeys, NumKeysIndex = 1, Handler = ZMPop, Group = G, Summary = "Remove and return members with scores in a sorted set", Since = "7.0.0", Complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", Acl = "@sortedset", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1, KeyNum = true }] });
        t.Add(new() { Name = "zrandmember", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZRandMember, Group = G, Summary = "Get one or multiple random elements from a sorted set", Since = "6.2.0", Complexity = "O(N) where N is the number of elements returned", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"] });

        t.Add(new() { Name = "zunion", Arity = -3, Flags = ReadOnly | MovableKeys, NumKeysIndex = 1, Handler = ctx => SetOperation(ctx, SetOp.Union, store: false), Group = G, Summary = "Add multiple sorted sets", Since = "6.2.0", Complexity = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1, KeyNum = true }] });
        t.Add(new() { Name = "zinter", Arity = -3, Flags = ReadOnly | MovableKeys, NumKeysIndex = 1, Handler = ctx => SetOperation(ctx, SetOp.Inter, store: false), Group = G, Summary = "Intersect multiple sorted sets", Since = "6.2.0", Complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1, KeyNum = true }] });
        t.Add(new() { Name = "zdiff", Arity = -3, Flags = ReadOnly | MovableKeys, NumKeysIndex = 1, Handler = ctx => SetOperation(ctx, SetOp.Diff, store: false), Group = G, Summary = "Subtract multiple sorted sets", Since = "6.2.0", Complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1, KeyNum = true }] });
        t.Add(new() { Name = "zunionstore", Arity = -4, Flags = Write | DenyOom | MovableKeys, FirstKey = 1, LastKey = 1, KeyStep = 1, NumKeysIndex = 2, Handler = ctx => SetOperation(ctx, SetOp.Union, store: true), Group = G, Summary = "Add multiple sorted sets and store the resulting sorted set in a new key", Since = "2.0.0", Complexity = "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", Acl = "@sortedset", Keys = [new(K.OW | K.Update) { Index = 1 }, new(K.RO | K.Access) { Index = 2, KeyNum = true }] });
        t.Add(new() { Name = "zinterstore", Arity = -4, Flags = Write | DenyOom | MovableKeys, FirstKey = 1, LastKey = 1, KeyStep = 1, NumKeysIndex = 2, Handler = ctx => SetOperation(ctx, SetOp.Inter, store: true), Group = G, Summary = "Intersect multiple sorted sets and store the resulting sorted set in a new key", Since = "2.0.0", Complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", Acl = "@sortedset", Keys = [new(K.OW | K.Update) { Index = 1 }, new(K.RO | K.Access) { Index = 2, KeyNum = true }] });
        t.Add(new() { Name = "zdiffstore", Arity = -4, Flags = Write | DenyOom | MovableKeys, FirstKey = 1, LastKey = 1, KeyStep = 1, NumKeysIndex = 2, Handler = ctx => SetOperation(ctx, SetOp.Diff, store: true), Group = G, Summary = "Subtract multiple sorted sets and store the resulting sorted set in a new key", Since = "6.2.0", Complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", Acl = "@sortedset", Keys = [new(K.OW | K.Update) { Index = 1 }, new(K.RO | K.Access) { Index = 2, KeyNum = true }] });
        t.Add(new() { Name = "zintercard", Arity = -3, Flags = ReadOnly | MovableKeys, NumKeysIndex = 1, Handler = ctx => SetOperation(ctx, SetOp.InterCard, store: false), Group = G, Summary = "Intersect multiple sorted sets and return the cardinality of the result", Since = "7.0.0", Complexity = "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1, KeyNum = true }] });
        t.Add(new() { Name = "zscan", Arity = -3, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ZScan, Group = G, Summary = "Incrementally iterate sorted sets elements and associated scores", Since = "2.8.0", Complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", Acl = "@sortedset", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"] });
    }


    /// <summary>Looks up a key that must hold a sorted set. False (with WRONGTYPE written) when it holds another type.</summary>
    internal static bool TryGetZSet(CommandContext ctx, ReadOnlySpan<byte> key, bool forWrite, out Entry? entry, out RedisSortedSet? set)
    {
        entry = forWrite ? ctx.Db.GetForWrite(key) : ctx.Db.GetForRead(key);
        set = entry?.Value as RedisSortedSet;
        if (entry is null || set is not null) return true;
        ctx.WrongType();
        return false;
    }

    // ---- ZADD / ZINCRBY -------------------------------------------------------------------

    private static void ZAdd(CommandContext ctx) => AddGeneric(ctx, incr: false);

    private static void ZIncrBy(CommandContext ctx) => AddGeneric(ctx, incr: true);

    /// <summary>Redis's zaddGenericCommand: options, then score/member pairs; ZINCRBY is ZADD INCR.</summary>
    private static void AddGeneric(CommandContext ctx, bool incr)
    {
        bool nx = false, xx = false, gt = false, lt = false, ch = false;
        int scoreIndex = 2;
        for (; scoreIndex < ctx.ArgCount; scoreIndex++)
        {
            if (ctx.ArgIs(scoreIndex, "nx"u8)) nx = true;
            else if (ctx.ArgIs(scoreIndex, "xx"u8)) xx = true;
            else if (ctx.ArgIs(scoreIndex, "gt"u8)) gt = true;
            else if (ctx.ArgIs(scoreIndex, "lt"u8)) lt = true;
            else if (ctx.ArgIs(scoreIndex, "ch"u8)) ch = true;
            else if (ctx.ArgIs(scoreIndex, "incr"u8)) incr = true;
            else break;
        }
        int elements = ctx.ArgCount - scoreIndex;
        if (elements == 0 || elements % 2 != 0)
        {
            ctx.SyntaxError();
            return;
        }
        elements /= 2;
        if (nx && xx)
        {
            ctx.Error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            ctx.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && elements > 1)
        {
            ctx.Error("ERR INCR option supports a single increment-element pair");
            return;
        }
        // Every score is checked before anything changes: the command runs fully or not at all.
        for (int j = 0; j < elements; j++)
        {
            if (!RedisNumbers.TryParseDouble(ctx.Arg(scoreIndex + j * 2), out _))
            {
                ctx.Error(Errors.NotFloat);
                return;
            }
        }

        var key = ctx.Arg(1);
        if (!TryGetZSet(ctx, key, forWrite: true, out var entry, out var set)) return;
        long added = 0, updated = 0, processed = 0;
        double lastScore = 0;
        bool failed = false;
        if (set is not null || !xx)
        {
            set ??= new RedisSortedSet();
            for (int j = 0; j < elements; j++)
            {
                RedisNumbers.TryParseDouble(ctx.Arg(scoreIndex + j * 2), out double score);
                var member = ctx.Arg(scoreIndex + j * 2 + 1);
                if (set.TryGetScore(member, out double current))
                {
                    if (nx) continue;
                    if (incr)
                    {
                        score += current;
                        if (double.IsNaN(score))
                        {
                            failed = true;
                            break;
                        }
                    }
                    if ((lt && score >= current) || (gt && score <= current)) continue;
                    processed++;
                    lastScore = score;
                    if (score != current)
                    {
                        set.Set(member, score);
                        updated++;
                    }
                }
                else if (!xx)
                {
                    set.Set(member, score);
                    added++;
                    processed++;
                    lastScore = score;
                }
            }
            if (entry is null)
            {
                if (set.Count > 0) ctx.Db.Add(key, set);
            }
            else if (added + updated > 0)
            {
                ctx.Db.SignalModified(entry);
            }
        }
        if (failed) ctx.Error(NanError);
        else if (incr)
        {
            if (processed > 0) ctx.Reply.WriteDouble(lastScore);
            else ctx.Reply.WriteNull();
        }
        else ctx.Reply.WriteInteger(ch ? added + updated : added);
    }

    // ---- Single-member reads and removal ----------------------------------------------------

    private static void ZRem(CommandContext ctx)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: true, out var entry, out var set)) return;
        long removed = 0;
        if (set is not null)
        {
            for (int i = 2; i < ctx.ArgCount; i++)
            {
                if (set.Remove(ctx.Arg(i))) removed++;
            }
            if (removed > 0) ctx.Db.SignalModified(entry!);
        }
        ctx.Reply.WriteInteger(removed);
    }

    private static void ZScore(CommandContext ctx)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        if (set is not null && set.TryGetScore(ctx.Arg(2), out double score)) ctx.Reply.WriteDouble(score);
        else ctx.Reply.WriteNull();
    }

    private static void ZMScore(CommandContext ctx)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (set is not null && set.TryGetScore(ctx.Arg(i), out double score)) ctx.Reply.WriteDouble(score);
            else ctx.Reply.WriteNull();
        }
    }

    private static void ZCard(CommandContext ctx)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        ctx.Reply.WriteInteger(set?.Count ?? 0);
    }

    private static void ZCount(CommandContext ctx)
    {
        if (!ScoreRange.TryParse(ctx.Arg(2), ctx.Arg(3), out var range))
        {
            ctx.Error(ScoreRange.Error);
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        long count = 0;
        if (set is not null)
        {
            var (start, end) = range.Ranks(set);
            count = Math.Max(0, end - start);
        }
        ctx.Reply.WriteInteger(count);
    }

    private static void ZLexCount(CommandContext ctx)
    {
        if (!LexRange.TryParse(ctx.Arg(2), ctx.Arg(3), out var range))
        {
            ctx.Error(LexRange.Error);
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        long count = 0;
        if (set is not null)
        {
            var (start, end) = range.Ranks(set);
            count = Math.Max(0, end - start);
        }
        ctx.Reply.WriteInteger(count);
    }

    private static void ZRank(CommandContext ctx, bool reverse)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        long rank = set?.RankOf(ctx.Arg(2)) ?? -1;
        if (rank < 0) ctx.Reply.WriteNull();
        else ctx.Reply.WriteInteger(reverse ? set!.Count - 1 - rank : rank);
    }

    // ---- Ranges -------------------------------------------------------------------------------

    private enum RangeKind { Auto, Rank, Score, Lex }

    /// <summary>
    /// Redis's zrangeGenericCommand, shared by ZRANGE, ZRANGESTORE and the legacy Z[REV]RANGE[BYSCORE|BYLEX]
    /// forms (which preset the kind and direction, so BYSCORE/BYLEX/REV are then syntax errors).
    /// </summary>
    private static void RangeCommand(CommandContext ctx, int srcIndex, bool store, RangeKind kind, bool? reverse)
    {
        bool withScores = false;
        long offset = 0, limit = -1;
        for (int j = srcIndex + 3; j < ctx.ArgCount; j++)
        {
            int left = ctx.ArgCount - j - 1;
            if (!store && ctx.ArgIs(j, "withscores"u8)) withScores = true;
            else if (ctx.ArgIs(j, "limit"u8) && left >= 2)
            {
                if (!ctx.TryGetInt64(j + 1, out offset) || !ctx.TryGetInt64(j + 2, out limit)) return;
                j += 2;
            }
            else if (reverse is null && ctx.ArgIs(j, "rev"u8)) reverse = true;
            else if (kind == RangeKind.Auto && ctx.ArgIs(j, "bylex"u8)) kind = RangeKind.Lex;
            else if (kind == RangeKind.Auto && ctx.ArgIs(j, "byscore"u8)) kind = RangeKind.Score;
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        bool rev = reverse ?? false;
        if (kind == RangeKind.Auto) kind = RangeKind.Rank;
        if (limit != -1 && kind == RangeKind.Rank)
        {
            ctx.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && kind == RangeKind.Lex)
        {
            ctx.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        int minIndex = srcIndex + 1, maxIndex = srcIndex + 2;
        // BYSCORE/BYLEX with REV take the range as max, min.
        if (rev && kind != RangeKind.Rank) (minIndex, maxIndex) = (maxIndex, minIndex);

        long rankStart = 0, rankStop = 0;
        ScoreRange scores = default;
        LexRange lex = default;
        switch (kind)
        {
            case RangeKind.Rank:
                if (!ctx.TryGetInt64(minIndex, out rankStart) || !ctx.TryGetInt64(maxIndex, out rankStop)) return;
                break;
            case RangeKind.Score:
                if (!ScoreRange.TryParse(ctx.Arg(minIndex), ctx.Arg(maxIndex), out scores))
                {
                    ctx.Error(ScoreRange.Error);
                    return;
                }
                break;
            default:
                if (!LexRange.TryParse(ctx.Arg(minIndex), ctx.Arg(maxIndex), out lex))
                {
                    ctx.Error(LexRange.Error);
                    return;
                }
                break;
        }

        if (!TryGetZSet(ctx, ctx.Arg(srcIndex), forWrite: false, out _, out var set)) return;
        long first = 0, count = 0;
        if (set is not null)
        {
            long length = set.Count;
            if (kind == RangeKind.Rank)
            {
                if (RankRange.TryNormalize(rankStart, rankStop, length, out long start, out count))
                    first = rev ? length - 1 - start : start;
            }
            else
            {
                var (low, high) = kind == RangeKind.Score ? scores.Ranks(set) : lex.Ranks(set);
                long inRange = high - low;
                if (inRange > 0 && offset >= 0 && offset < inRange)
                {
                    count = inRange - offset;
                    if (limit >= 0) count = Math.Min(count, limit);
                    first = rev ? high - 1 - offset : low + offset;
                }
            }
        }

        if (store)
        {
            RedisSortedSet? result = null;
            if (count > 0)
            {
                result = new RedisSortedSet();
                var it = set!.Range(first, count, rev);
                while (it.MoveNext()) result.Set(it.Current.Member, it.Current.Score);
            }
            Store(ctx, ctx.Arg(1), result);
            return;
        }
        if (count == 0)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        WriteRange(ctx, set!, first, count, rev, withScores);
    }

    /// <summary>
    /// Writes elements as a range reply: members, with scores as a flat list on RESP2 and as
    /// [member, score] pairs on RESP3.
    /// </summary>
    private static void WriteRange(CommandContext ctx, RedisSortedSet set, long first, long count, bool reverse, bool withScores)
    {
        var reply = ctx.Reply;
        bool pairs = withScores && reply.IsResp3;
        reply.WriteArrayHeader(checked((int)(withScores && !pairs ? count * 2 : count)));
        var it = set.Range(first, count, reverse);
        while (it.MoveNext())
        {
            if (pairs) reply.WriteArrayHeader(2);
            reply.WriteBulk(it.Current.Member);
            if (withScores) reply.WriteDouble(it.Current.Score);
        }
    }

    /// <summary>Replaces <paramref name="destination"/> (any type, TTL dropped) with the result, or deletes it when empty; replies the size.</summary>
    private static void Store(CommandContext ctx, ReadOnlySpan<byte> destination, RedisSortedSet? result)
    {
        var existing = ctx.Db.GetForWrite(destination);
        if (existing is not null) ctx.Db.Remove(existing);
        long size = result?.Count ?? 0;
        if (size > 0) ctx.Db.Add(destination, result!);
        ctx.Reply.WriteInteger(size);
    }

    private static void RemoveRange(CommandContext ctx, RangeKind kind)
    {
        long rankStart = 0, rankStop = 0;
        ScoreRange scores = default;
        LexRange lex = default;
        switch (kind)
        {
            case RangeKind.Rank:
                if (!ctx.TryGetInt64(2, out rankStart) || !ctx.TryGetInt64(3, out rankStop)) return;
                break;
            case RangeKind.Score:
                if (!ScoreRange.TryParse(ctx.Arg(2), ctx.Arg(3), out scores))
                {
                    ctx.Error(ScoreRange.Error);
                    return;
                }
                break;
            default:
                if (!LexRange.TryParse(ctx.Arg(2), ctx.Arg(3), out lex))
                {
                    ctx.Error(LexRange.Error);
                    return;
                }
                break;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: true, out var entry, out var set)) return;
        long removed = 0;
        if (set is not null)
        {
            long first, count;
            if (kind == RangeKind.Rank)
            {
                RankRange.TryNormalize(rankStart, rankStop, set.Count, out first, out count);
            }
            else
            {
                var (low, high) = kind == RangeKind.Score ? scores.Ranks(set) : lex.Ranks(set);
                first = low;
                count = Math.Max(0, high - low);
            }
            removed = set.RemoveRange(first, count);
            if (removed > 0) ctx.Db.SignalModified(entry!);
        }
        ctx.Reply.WriteInteger(removed);
    }

    // ---- Pops ---------------------------------------------------------------------------------

    /// <summary>What <see cref="PopFirstNonEmpty"/> did.</summary>
    internal enum PopOutcome
    {
        /// <summary>Elements were popped and the reply written.</summary>
        Served,
        /// <summary>Every key was missing; nothing was written (the caller replies, or blocks).</summary>
        NothingToPop,
        /// <summary>A key held another type; WRONGTYPE was written.</summary>
        WrongType,
    }

    /// <summary>
    /// The pop shared by ZPOPMIN/ZPOPMAX and ZMPOP, and by the blocking BZPOPMIN/BZPOPMAX/BZMPOP:
    /// pops from the first non-empty sorted set among <paramref name="keyCount"/> keys starting at
    /// argument <paramref name="firstKeyArg"/>. A key of another type stops the search with WRONGTYPE.
    /// <paramref name="count"/> -1 is a plain single pop. Reply shapes, as Redis 7.0:
    /// emitKey=false, nested=false: flat [member, score, ...] (ZPOPMIN, and ZPOPMIN count on RESP2);
    /// emitKey=false, nested=true: [[member, score], ...] (ZPOPMIN count on RESP3);
    /// emitKey=true, nested=false: [key, member, score] (BZPOPMIN);
    /// emitKey=true, nested=true: [key, [[member, score], ...]] (ZMPOP, BZMPOP).
    /// </summary>
    internal static PopOutcome PopFirstNonEmpty(CommandContext ctx, int firstKeyArg, int keyCount, bool max, long count, bool emitKey, bool nested)
    {
        for (int i = 0; i < keyCount; i++)
        {
            var entry = ctx.Db.GetForWrite(ctx.Arg(firstKeyArg + i));
            if (entry is null) continue;
            if (entry.Value is not RedisSortedSet set)
            {
                ctx.WrongType();
                return PopOutcome.WrongType;
            }
            Pop(ctx, entry, set, max, count, emitKey, nested);
            return PopOutcome.Served;
        }
        return PopOutcome.NothingToPop;
    }

    /// <summary>Pops from one sorted set and writes the reply (see <see cref="PopFirstNonEmpty"/> for the shapes).</summary>
    internal static void Pop(CommandContext ctx, Entry entry, RedisSortedSet set, bool max, long count, bool emitKey, bool nested)
    {
        var reply = ctx.Reply;
        if (count == 0)
        {
            reply.WriteArrayHeader(0);
            return;
        }
        if (count == -1) count = 1;
        long length = set.Count;
        long n = Math.Min(count, length);
        if (emitKey)
        {
            if (nested)
            {
                reply.WriteArrayHeader(2);
                reply.WriteBulk(entry.Key);
                reply.WriteArrayHeader((int)n);
            }
            else
            {
                reply.WriteArrayHeader((int)(n * 2 + 1));
                reply.WriteBulk(entry.Key);
            }
        }
        else reply.WriteArrayHeader((int)(nested ? n : n * 2));
        var it = set.Range(max ? length - 1 : 0, n, reverse: max);
        while (it.MoveNext())
        {
            if (nested) reply.WriteArrayHeader(2);
            reply.WriteBulk(it.Current.Member);
            reply.WriteDouble(it.Current.Score);
        }
        set.RemoveRange(max ? length - n : 0, n);
        ctx.Db.SignalModified(entry);
    }

    private static void ZPop(CommandContext ctx, bool max)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        long count = -1;
        if (ctx.ArgCount == 3)
        {
            if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out count) || count < 0)
            {
                ctx.Error("ERR value is out of range, must be positive");
                return;
            }
        }
        bool nested = ctx.Reply.IsResp3 && count != -1;
        if (PopFirstNonEmpty(ctx, 1, 1, max, count, emitKey: false, nested) == PopOutcome.NothingToPop)
            ctx.Reply.WriteArrayHeader(0);
    }

    private static void ZMPop(CommandContext ctx)
    {
        if (!TryParsePopArguments(ctx, 1, out int keyCount, out bool max, out long count)) return;
        if (PopFirstNonEmpty(ctx, 2, keyCount, max, count, emitKey: true, nested: true) == PopOutcome.NothingToPop)
            ctx.Reply.WriteNullArray();
    }

    /// <summary>
    /// ZMPOP's (and BZMPOP's) "numkeys key... MIN|MAX [COUNT n]" starting at <paramref name="numKeysIndex"/>,
    /// with Redis's errors.
    /// </summary>
    internal static bool TryParsePopArguments(CommandContext ctx, int numKeysIndex, out int keyCount, out bool max, out long count)
    {
        keyCount = 0;
        max = false;
        count = -1;
        if (!RedisNumbers.TryParseInt64(ctx.Arg(numKeysIndex), out long numKeys) || numKeys < 1)
        {
            ctx.Error("ERR numkeys should be greater than 0");
            return false;
        }
        long whereIndex = numKeysIndex + numKeys + 1;
        if (whereIndex >= ctx.ArgCount)
        {
            ctx.SyntaxError();
            return false;
        }
        if (ctx.ArgIs((int)whereIndex, "min"u8)) max = false;
        else if (ctx.ArgIs((int)whereIndex, "max"u8)) max = true;
        else
        {
            ctx.SyntaxError();
            return false;
        }
        for (int j = (int)whereIndex + 1; j < ctx.ArgCount; j++)
        {
            if (count == -1 && ctx.ArgIs(j, "count"u8) && j + 1 < ctx.ArgCount)
            {
                if (!RedisNumbers.TryParseInt64(ctx.Arg(++j), out count) || count < 1)
                {
                    ctx.Error("ERR count should be greater than 0");
                    return false;
                }
            }
            else
            {
                ctx.SyntaxError();
                return false;
            }
        }
        if (count == -1) count = 1;
        keyCount = (int)numKeys;
        return true;
    }

    // ---- ZRANDMEMBER --------------------------------------------------------------------------

    private static void ZRandMember(CommandContext ctx)
    {
        var rng = ctx.Keyspace.Random;
        if (ctx.ArgCount == 2)
        {
            if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var one)) return;
            if (one is null) ctx.Reply.WriteNull();
            else ctx.Reply.WriteBulk(one.ElementAt(rng.NextInt64(one.Count)).Member);
            return;
        }
        if (!ctx.TryGetInt64(2, out long count)) return;
        bool withScores = false;
        if (ctx.ArgCount > 4 || (ctx.ArgCount == 4 && !ctx.ArgIs(3, "withscores"u8)))
        {
            ctx.SyntaxError();
            return;
        }
        if (ctx.ArgCount == 4) withScores = true;
        // Redis's WITHSCORES bound; also more repeated picks than one reply can carry.
        if ((withScores && (count < long.MinValue / 2 || count > long.MaxValue / 2)) || count < -(int.MaxValue / 2))
        {
            ctx.Error("ERR value is out of range");
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        var reply = ctx.Reply;
        if (set is null || count == 0)
        {
            reply.WriteArrayHeader(0);
            return;
        }
        bool pairs = withScores && reply.IsResp3;
        long size = set.Count;
        if (count < 0)
        {
            // Negative: that many picks, repeats allowed.
            long picks = -count;
            reply.WriteArrayHeader((int)(withScores && !pairs ? picks * 2 : picks));
            for (long i = 0; i < picks; i++) WriteMember(reply, set.ElementAt(rng.NextInt64(size)), withScores, pairs);
            return;
        }
        if (count >= size)
        {
            WriteRange(ctx, set, 0, size, reverse: false, withScores);
            return;
        }
        int n = (int)count;
        reply.WriteArrayHeader(withScores && !pairs ? n * 2 : n);
        if (count * 3 > size)
        {
            // Most of the set: a partial Fisher-Yates shuffle of the ranks.
            var ranks = new long[size];
            for (long i = 0; i < size; i++) ranks[i] = i;
            for (int i = 0; i < n; i++)
            {
                long j = i + rng.NextInt64(size - i);
                (ranks[i], ranks[j]) = (ranks[j], ranks[i]);
                WriteMember(reply, set.ElementAt(ranks[i]), withScores, pairs);
            }
            return;
        }
        // A small part of a large set: draw ranks until enough distinct ones came up.
        var picked = new HashSet<long>(n);
        while (picked.Count < n)
        {
            long rank = rng.NextInt64(size);
            if (picked.Add(rank)) WriteMember(reply, set.ElementAt(rank), withScores, pairs);
        }
    }

    private static void WriteMember(RespWriter reply, ZEntry element, bool withScores, bool pairs)
    {
        if (pairs) reply.WriteArrayHeader(2);
        reply.WriteBulk(element.Member);
        if (withScores) reply.WriteDouble(element.Score);
    }

    // ---- ZUNION / ZINTER / ZDIFF ----------------------------------------------------------------

    private enum SetOp { Union, Inter, Diff, InterCard }

    private enum Aggregate { Sum, Min, Max }

    /// <summary>One input of a set operation: a sorted set, a plain set (scores 1), or a missing key (empty).</summary>
    private readonly struct Input(object? value, double weight)
    {
        public readonly object? Value = value;
        public readonly double Weight = weight;

        public long Count => Value switch
        {
            RedisSortedSet z => z.Count,
            IMemberEnumerable s => s.Count,
            _ => 0,
        };

        public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
        {
            score = 1;
            return Value switch
            {
                RedisSortedSet z => z.TryGetScore(member, out score),
                IMemberEnumerable s => s.ContainsMember(member),
                _ => false,
            };
        }

        public IEnumerable<ZEntry> Elements()
        {
            if (Value is RedisSortedSet z)
            {
                var it = z.Range(0, z.Count, reverse: false);
                while (it.MoveNext()) yield return it.Current;
            }
            else if (Value is IMemberEnumerable s)
            {
                foreach (var m in s.EnumerateMembers()) yield return new ZEntry(m, 1);
            }
        }
    }

    /// <summary>Reads numkeys and the input keys (sorted sets or sets) from <paramref name="numKeysIndex"/>; false with the error written.</summary>
    private static bool TryReadInputs(CommandContext ctx, int numKeysIndex, out Input[] inputs)
    {
        inputs = [];
        if (!ctx.TryGetInt64(numKeysIndex, out long numKeys)) return false;
        if (numKeys < 1)
        {
            ctx.Error($"ERR at least 1 input key is needed for '{ctx.Command.FullName}' command");
            return false;
        }
        if (numKeys > ctx.ArgCount - numKeysIndex - 1)
        {
            ctx.SyntaxError();
            return false;
        }
        return TryLookupInputs(ctx, numKeysIndex + 1, (int)numKeys, out inputs);
    }

    private static bool TryLookupInputs(CommandContext ctx, int firstKey, int count, out Input[] inputs)
    {
        inputs = new Input[count];
        for (int i = 0; i < count; i++)
        {
            var entry = ctx.Db.GetForRead(ctx.Arg(firstKey + i));
            object? value = entry?.Value;
            if (value is not null && value is not RedisSortedSet && !(entry!.Type == RedisType.Set && value is IMemberEnumerable))
            {
                ctx.WrongType();
                return false;
            }
            inputs[i] = new Input(value, 1);
        }
        return true;
    }

    private static void SetOperation(CommandContext ctx, SetOp op, bool store)
    {
        int numKeysIndex = store ? 2 : 1;
        if (!TryReadInputs(ctx, numKeysIndex, out var inputs)) return;
        var aggregate = Aggregate.Sum;
        bool withScores = false;
        long limit = 0;
        bool weighted = op is SetOp.Union or SetOp.Inter;
        int j = numKeysIndex + 1 + inputs.Length;
        while (j < ctx.ArgCount)
        {
            int remaining = ctx.ArgCount - j;
            if (weighted && remaining >= inputs.Length + 1 && ctx.ArgIs(j, "weights"u8))
            {
                j++;
                for (int i = 0; i < inputs.Length; i++, j++)
                {
                    if (!RedisNumbers.TryParseDouble(ctx.Arg(j), out double weight))
                    {
                        ctx.Error("ERR weight value is not a float");
                        return;
                    }
                    inputs[i] = new Input(inputs[i].Value, weight);
                }
            }
            else if (weighted && remaining >= 2 && ctx.ArgIs(j, "aggregate"u8))
            {
                if (ctx.ArgIs(j + 1, "sum"u8)) aggregate = Aggregate.Sum;
                else if (ctx.ArgIs(j + 1, "min"u8)) aggregate = Aggregate.Min;
                else if (ctx.ArgIs(j + 1, "max"u8)) aggregate = Aggregate.Max;
                else
                {
                    ctx.SyntaxError();
                    return;
                }
                j += 2;
            }
            else if (!store && op != SetOp.InterCard && ctx.ArgIs(j, "withscores"u8))
            {
                withScores = true;
                j++;
            }
            else if (op == SetOp.InterCard && remaining >= 2 && ctx.ArgIs(j, "limit"u8))
            {
                if (!RedisNumbers.TryParseInt64(ctx.Arg(j + 1), out limit) || limit < 0)
                {
                    ctx.Error("ERR LIMIT can't be negative");
                    return;
                }
                j += 2;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }

        if (op == SetOp.InterCard)
        {
            Intersect(inputs, Aggregate.Sum, limit, cardinalityOnly: true, out long cardinality);
            ctx.Reply.WriteInteger(cardinality);
            return;
        }
        var result = op switch
        {
            SetOp.Union => Union(inputs, aggregate),
            SetOp.Inter => Intersect(inputs, aggregate, 0, cardinalityOnly: false, out _),
            _ => Difference(inputs),
        };
        if (store)
        {
            Store(ctx, ctx.Arg(1), result);
            return;
        }
        WriteRange(ctx, result, 0, result.Count, reverse: false, withScores);
    }

    private static double Weighted(double score, double weight)
    {
        double value = score * weight;
        return double.IsNaN(value) ? 0 : value; // inf * 0, as Redis
    }

    /// <summary>Redis's zunionInterAggregate, with C's comparisons (a NaN value never wins MIN or MAX).</summary>
    private static double Combine(double target, double value, Aggregate aggregate)
    {
        switch (aggregate)
        {
            case Aggregate.Min: return value < target ? value : target;
            case Aggregate.Max: return value > target ? value : target;
            default:
                double sum = target + value;
                return double.IsNaN(sum) ? 0 : sum; // inf + -inf, as Redis
        }
    }

    private static RedisSortedSet Union(Input[] inputs, Aggregate aggregate)
    {
        var scores = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
        foreach (var input in inputs)
        {
            foreach (var element in input.Elements())
            {
                double value = Weighted(element.Score, input.Weight);
                scores[element.Member] = scores.TryGetValue(element.Member, out double current) ? Combine(current, value, aggregate) : value;
            }
        }
        var result = new RedisSortedSet();
        foreach (var (member, score) in scores) result.Set(member, score);
        return result;
    }

    /// <summary>
    /// The intersection. For ZINTERCARD (<paramref name="cardinalityOnly"/>) it only counts, stopping at a
    /// positive <paramref name="limit"/>.
    /// </summary>
    private static RedisSortedSet Intersect(Input[] inputs, Aggregate aggregate, long limit, bool cardinalityOnly, out long cardinality)
    {
        var result = new RedisSortedSet();
        cardinality = 0;
        // Walk the smallest input and probe the others, as Redis does.
        // A stable sort by size (glibc's qsort, which Redis uses, is a merge sort): equal sizes keep
        // their argument order, which decides whose score is the first in the aggregate.
        var order = inputs.Select((input, index) => (input, index))
            .OrderBy(p => p.input.Count).ThenBy(p => p.index).Select(p => p.input).ToArray();
        if (order[0].Count == 0) return result;
        foreach (var element in order[0].Elements())
        {
            double score = Weighted(element.Score, order[0].Weight);
            bool everywhere = true;
            for (int i = 1; i < order.Length && everywhere; i++)
            {
                // Only the first weighted score is cleared of NaN (inf * 0), as in Redis.
                if (order[i].TryGetScore(element.Member, out double other)) score = Combine(score, other * order[i].Weight, aggregate);
                else everywhere = false;
            }
            if (!everywhere) continue;
            cardinality++;
            if (cardinalityOnly)
            {
                if (limit > 0 && cardinality >= limit) break;
                continue;
            }
            result.Set(element.Member, score);
        }
        return result;
    }

    private static RedisSortedSet Difference(Input[] inputs)
    {
        var result = new RedisSortedSet();
        foreach (var element in inputs[0].Elements())
        {
            bool elsewhere = false;
            for (int i = 1; i < inputs.Length && !elsewhere; i++) elsewhere = inputs[i].TryGetScore(element.Member, out _);
            if (!elsewhere) result.Set(element.Member, element.Score);
        }
        return result;
    }

    // ---- ZSCAN ----------------------------------------------------------------------------------

    /// <summary>
    /// ZSCAN. A small (listpack) set is returned whole with cursor 0, as Redis does. A large one is
    /// walked in score order: the cursor encodes the last score returned (order-preserving bits,
    /// plus one), and every call ends on a score boundary, so an element present for the whole
    /// scan is returned at least once however the set changes in between.
    /// </summary>
    private static void ZScan(CommandContext ctx)
    {
        if (!ulong.TryParse(ctx.Arg(2), NumberStyles.None, CultureInfo.InvariantCulture, out ulong cursor))
        {
            ctx.Error("ERR invalid cursor");
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), forWrite: false, out _, out var set)) return;
        var reply = ctx.Reply;
        if (set is null)
        {
            reply.WriteArrayHeader(2);
            reply.WriteBulk("0"u8);
            reply.WriteArrayHeader(0);
            return;
        }
        if (!ScanOptions.TryParse(ctx, 3, allowType: false, out var options)) return;

        long length = set.Count;
        long start = 0;
        if (cursor != 0) start = set.CountBelow(ScoreFromCursor(cursor - 1), inclusive: true);
        bool whole = set.Encoding == "listpack";
        if (whole) start = 0;
        var found = new List<ZEntry>();
        long visited = 0;
        double lastScore = 0;
        ulong next = 0;
        if (start < length)
        {
            var it = set.Range(start, length - start, reverse: false);
            while (it.MoveNext())
            {
                var element = it.Current;
                if (!whole && visited >= options.Count && element.Score != lastScore)
                {
                    next = CursorAfter(lastScore);
                    break;
                }
                visited++;
                lastScore = element.Score;
                if (options.Pattern is null || Glob.Match(options.Pattern, element.Member)) found.Add(element);
            }
        }
        reply.WriteArrayHeader(2);
        Span<byte> text = stackalloc byte[40];
        next.TryFormat(text, out int written, provider: CultureInfo.InvariantCulture);
        reply.WriteBulk(text[..written]);
        reply.WriteArrayHeader(found.Count * 2);
        bool listpack = set?.Encoding == "listpack";
        foreach (var element in found)
        {
            reply.WriteBulk(element.Member);
            reply.WriteBulk(text[..ScanScore(element.Score, listpack, text)]);
        }
    }

    /// <summary>
    /// ZSCAN's score text in Redis 7.0: a listpack keeps the d2string form (integral values within
    /// long long printed as integers), a skiplist replies with "%.17g".
    /// </summary>
    private static int ScanScore(double score, bool listpack, Span<byte> text)
    {
        if (listpack && score == Math.Floor(score) && score >= -9.2233720368547758E18 && score < 9.2233720368547758E18)
            return RedisNumbers.FormatInt64((long)score, text);
        return RedisNumbers.FormatDouble17(score, text);
    }

    // Doubles mapped to unsigned integers in the same order (-0 as 0); never 0 after the +1.
    private static ulong CursorAfter(double score)
    {
        if (score == 0) score = 0.0;
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(score);
        ulong ordered = (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
        return ordered + 1;
    }

    private static double ScoreFromCursor(ulong ordered)
    {
        ulong bits = (ordered & 0x8000_0000_0000_0000UL) != 0 ? ordered & 0x7FFF_FFFF_FFFF_FFFFUL : ~ordered;
        return BitConverter.Int64BitsToDouble((long)bits);
    }
}
