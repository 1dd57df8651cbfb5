using Magpie.Storage;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands.HyperLogLog;

/// <summary>PFADD, PFCOUNT and PFMERGE on HLL strings in Redis's exact representation (see <see cref="Hll"/>).</summary>
public static class HyperLogLogCommands
{
    private const string G = "hyperloglog";
    private const string NotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    private const string Corrupted = "INVALIDOBJ Corrupted HLL object detected";

    public static void Register(CommandTable t)
    {
        t.Add(new() { Name = "pfadd", Arity = -2, Flags = Write | DenyOom | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = PfAdd, Group = "hyperloglog", Summary = "Adds the specified elements to the specified HyperLogLog.", Since = "2.8.9", Complexity = "O(1) to add every element.", Acl = "@write @hyperloglog @fast", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Insert) { Index = 1 }] });
        t.Add(new() { Name = "pfcount", Arity = -2, Flags = ReadOnly, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = PfCount, Group = "hyperloglog", Summary = "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", Since = "2.8.9", Complexity = "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.", Acl = "@read @hyperloglog @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Access) { Index = 1, LastKey = -1, Notes = "RW because it may change the internal representation of the key, and propagate to replicas" }] });
        t.Add(new() { Name = "pfmerge", Arity = -2, Flags = Write | DenyOom, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = PfMerge, Group = "hyperloglog", Summary = "Merge N different HyperLogLogs into a single one.", Since = "2.8.9", Complexity = "O(N) to merge N HyperLogLogs, but with high constant times.", Acl = "@write @hyperloglog @slow", Keys = [new(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Insert) { Index = 1 }, new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 2, LastKey = -1 }] });
    }

    /// <summary>The HLL string at a key: false (error written) when the key holds something else.</summary>
    private static bool TryGetHll(CommandContext ctx, ReadOnlySpan<byte> key, bool forWrite, out Entry? entry)
    {
        entry = forWrite ? ctx.Db.GetForWrite(key) : ctx.Db.GetForRead(key);
        if (entry is null) return true;
        if (entry.Value is not byte[] bytes)
        {
            ctx.WrongType();
            return false;
        }
        if (!Hll.IsValid(bytes))
        {
            ctx.Error(NotHll);
            return false;
        }
        return true;
    }

    private static void PfAdd(CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!TryGetHll(ctx, key, forWrite: true, out var entry)) return;
        int updated = 0;
        byte[] hll;
        if (entry is null)
        {
            hll = Hll.CreateEmpty();
            updated++;
        }
        else hll = entry.StringValue;
        int length = hll.Length;
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            int result = Hll.Add(ref hll, ref length, ctx.Arg(j));
            if (result == 1) updated++;
            else if (result == -1)
            {
                ctx.Error(Corrupted);
                return;
            }
        }
        if (updated > 0)
        {
            if (length != hll.Length) hll = hll[..length];
            Hll.InvalidateCache(hll);
            if (entry is null) ctx.Db.Add(key, hll);
            else ctx.Db.Replace(entry, hll);
        }
        ctx.Reply.WriteInteger(updated > 0 ? 1 : 0);
    }

    private static void PfCount(CommandContext ctx)
    {
        if (ctx.ArgCount > 2)
        {
            Span<byte> max = stackalloc byte[Hll.Registers];
            max.Clear();
            for (int j = 1; j < ctx.ArgCount; j++)
            {
                if (!TryGetHll(ctx, ctx.Arg(j), forWrite: false, out var e)) return;
                if (e is null) continue;
                if (!Hll.MergeInto(max, e.StringValue))
                {
                    ctx.Error(Corrupted);
                    return;
                }
            }
            ctx.Reply.WriteInteger((long)Hll.CountRaw(max));
            return;
        }
        if (!TryGetHll(ctx, ctx.Arg(1), forWrite: false, out var entry)) return;
        if (entry is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var hll = entry.StringValue;
        ulong card;
        if (Hll.CacheValid(hll)) card = Hll.CachedCardinality(hll);
        else
        {
            card = Hll.Count(hll, out bool invalid);
            if (invalid)
            {
                ctx.Error(Corrupted);
                return;
            }
            // The cached cardinality is part of the string, as in Redis: GET shows it.
            Hll.SetCachedCardinality(hll, card);
            ctx.Db.SignalModified(entry);
        }
        ctx.Reply.WriteInteger((long)card);
    }

    private static void PfMerge(CommandContext ctx)
    {
        var max = new byte[Hll.Registers];
        bool useDense = false;
        for (int j = 1; j < ctx.ArgCount; j++)
        {
            if (!TryGetHll(ctx, ctx.Arg(j), forWrite: false, out var e)) return;
            if (e is null) continue;
            if (e.StringValue[4] == Hll.Dense) useDense = true;
            if (!Hll.MergeInto(max, e.StringValue))
            {
                ctx.Error(Corrupted);
                return;
            }
        }
        var key = ctx.Arg(1);
        var entry = ctx.Db.GetForWrite(key);
        var hll = entry?.StringValue ?? Hll.CreateEmpty();
        if (useDense && hll[4] != Hll.Dense)
        {
            var dense = Hll.SparseToDense(hll);
            if (dense is null)
            {
                ctx.Error(Corrupted);
                return;
            }
            hll = dense;
        }
        int length = hll.Length;
        for (int j = 0; j < Hll.Registers; j++)
        {
            if (max[j] == 0) continue;
            Hll.Set(ref hll, ref length, j, max[j]);
        }
        if (length != hll.Length) hll = hll[..length];
        Hll.InvalidateCache(hll);
        if (entry is null) ctx.Db.Add(key, hll);
        else ctx.Db.Replace(entry, hll);
        ctx.Reply.WriteOk();
    }
}
