using System.Globalization;
using Magpie.Protocol;
using Magpie.Storage;
using Magpie.Storage.Values;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands.Sorting;

/// <summary>SORT and SORT_RO (Redis's sort.c): BY, GET (#, key*, hash*->field), LIMIT, ASC/DESC, ALPHA, STORE.</summary>
public static class SortCommand
{
    private const string G = "generic";

    public static void Register(CommandTable t)
    {
        t.Add(new() { Name = "sort", Arity = -2, Flags = Write | DenyOom | MovableKeys, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Run(ctx, readOnly: false), Group = "generic", Summary = "Sort the elements in a list, set or sorted set", Since = "1.0.0", Complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).", Acl = "@write @set @sortedset @list @slow @dangerous", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }, new(KeySpecFlags.RO | KeySpecFlags.Access) { BeginUnknown = true, FindUnknown = true, Notes = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort" }, new(KeySpecFlags.OW | KeySpecFlags.Update) { BeginUnknown = true, FindUnknown = true, Notes = "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array" }] });
        t.Add(new() { Name = "sort_ro", Arity = -2, Flags = ReadOnly | MovableKeys, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Run(ctx, readOnly: true), Group = "generic", Summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", Since = "7.0.0", Complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).", Acl = "@read @set @sortedset @list @slow @dangerous", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }, new(KeySpecFlags.RO | KeySpecFlags.Access) { BeginUnknown = true, FindUnknown = true, Notes = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort" }] });
    }

    private sealed class Item
    {
        public required byte[] Value;
        public double Score;
        public byte[]? CompareBy;
    }

    private static void Run(CommandContext ctx, bool readOnly)
    {
        bool desc = false, alpha = false, dontSort = false;
        long limitStart = 0, limitCount = -1;
        byte[]? sortBy = null, storeKey = null;
        var gets = new List<byte[]>();
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            int left = ctx.ArgCount - j - 1;
            if (ctx.ArgIs(j, "asc"u8)) desc = false;
            else if (ctx.ArgIs(j, "desc"u8)) desc = true;
            else if (ctx.ArgIs(j, "alpha"u8)) alpha = true;
            else if (ctx.ArgIs(j, "limit"u8) && left >= 2)
            {
                if (!ctx.TryGetInt64(j + 1, out limitStart) || !ctx.TryGetInt64(j + 2, out limitCount)) return;
                j += 2;
            }
            else if (!readOnly && ctx.ArgIs(j, "store"u8) && left >= 1)
            {
                storeKey = ctx.ArgBytes(j + 1);
                j++;
            }
            else if (ctx.ArgIs(j, "by"u8) && left >= 1)
            {
                sortBy = ctx.ArgBytes(j + 1);
                if (Array.IndexOf(sortBy, (byte)'*') < 0) dontSort = true;
                j++;
            }
            else if (ctx.ArgIs(j, "get"u8) && left >= 1)
            {
                gets.Add(ctx.ArgBytes(j + 1));
                j++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }

        var entry = ctx.Db.GetForRead(ctx.Arg(1));
        object? value = entry?.Value;
        if (value is not null and not RedisList and not RedisSet and not RedisSortedSet)
        {
            ctx.WrongType();
            return;
        }
        if (dontSort && value is RedisSet && storeKey is not null)
        {
            // A set has no order of its own: a stored result is sorted, so replicas agree.
            dontSort = false;
            alpha = true;
            sortBy = null;
        }

        long length = value switch { RedisList l => l.Length, RedisSet s => s.Count, RedisSortedSet z => z.Count, _ => 0 };
        long start = limitStart < 0 ? 0 : limitStart;
        // start + count - 1, saturated: a huge count means "to the end" instead of overflowing.
        long end = limitCount < 0 || limitCount > length ? length - 1 : start + limitCount - 1;
        if (start >= length)
        {
            start = length - 1;
            end = length - 2;
        }
        if (end >= length) end = length - 1;

        var items = new List<Item>();
        if (value is RedisList list && dontSort)
        {
            if (end >= start)
            {
                long n = end - start + 1;
                for (long i = 0; i < n; i++)
                {
                    long index = desc ? length - start - 1 - i : start + i;
                    items.Add(new Item { Value = list[(int)index] });
                }
                end -= start;
                start = 0;
            }
        }
        else if (value is RedisList all)
        {
            for (int i = 0; i < all.Length; i++) items.Add(new Item { Value = all[i] });
        }
        else if (value is RedisSet set)
        {
            foreach (var m in set.EnumerateMembers()) items.Add(new Item { Value = m });
        }
        else if (value is RedisSortedSet zset && dontSort)
        {
            long n = (start != 0 || end != length - 1) ? end - start + 1 : length;
            if (n > 0)
            {
                var range = desc ? zset.Range(length - 1 - start, n, reverse: true) : zset.Range(start, n, reverse: false);
                while (range.MoveNext()) items.Add(new Item { Value = range.Current.Member });
            }
            end -= start;
            start = 0;
        }
        else if (value is RedisSortedSet z)
        {
            var range = z.Range(0, z.Count, reverse: false);
            while (range.MoveNext()) items.Add(new Item { Value = range.Current.Member });
        }

        // keyspace-walk-budget-ms: BY/GET lookups and the comparisons stop with an error past the
        // budget instead of holding the keyspace lock for as long as the list is big.
        var budget = new KeyspaceWalkBudget(ctx.Server.KeyspaceWalkBudgetMs);
        bool conversionError = false;
        if (!dontSort)
        {
            foreach (var item in items)
            {
                if (budget.Step())
                {
                    BudgetError(ctx, budget);
                    return;
                }
                byte[]? by;
                if (sortBy is not null)
                {
                    by = LookupByPattern(ctx, sortBy, item.Value);
                    if (by is null) continue;
                }
                else by = item.Value;
                if (alpha)
                {
                    if (sortBy is not null) item.CompareBy = by;
                }
                else if (!TryStrtod(by, out item.Score)) conversionError = true;
            }
            bool byPattern = sortBy is not null;
            Comparison<Item> compare = (a, b) =>
            {
                int cmp;
                if (!alpha)
                {
                    cmp = a.Score > b.Score ? 1 : a.Score < b.Score ? -1 : a.Value.AsSpan().SequenceCompareTo(b.Value);
                }
                else if (byPattern)
                {
                    if (a.CompareBy is null || b.CompareBy is null)
                        cmp = a.CompareBy == b.CompareBy ? 0 : a.CompareBy is null ? -1 : 1;
                    else cmp = a.CompareBy.AsSpan().SequenceCompareTo(b.CompareBy);
                }
                else cmp = a.Value.AsSpan().SequenceCompareTo(b.Value);
                cmp = Math.Sign(cmp);
                return desc ? -cmp : cmp;
            };
            var array = items.ToArray();
            // Stable, as glibc's qsort (a merge sort) is for the ties Redis leaves to it.
            var keys = Enumerable.Range(0, array.Length).ToArray();
            try
            {
                Array.Sort(keys, (x, y) =>
                {
                    if (budget.Step()) throw new KeyspaceWalkBudgetException();
                    int c = compare(array[x], array[y]);
                    return c != 0 ? c : x.CompareTo(y);
                });
            }
            catch (InvalidOperationException ex) when (ex.InnerException is KeyspaceWalkBudgetException)
            {
                BudgetError(ctx, budget);
                return;
            }
            items = keys.Select(k => array[k]).ToList();
        }

        long outputLength = gets.Count > 0 ? gets.Count * (end - start + 1) : end - start + 1;
        if (conversionError)
        {
            ctx.Error("ERR One or more scores can't be converted into double");
            return;
        }
        if (storeKey is null)
        {
            if (gets.Count == 0)
            {
                ctx.Reply.WriteArrayHeader((int)outputLength);
                for (long j = start; j <= end; j++) ctx.Reply.WriteBulk(items[(int)j].Value);
                return;
            }
            // Looked up before the reply starts, so a spent budget can still answer an error.
            var found = new List<byte[]?>((int)Math.Min(outputLength, 1 << 20));
            for (long j = start; j <= end; j++)
            {
                var item = items[(int)j];
                foreach (var pattern in gets)
                {
                    if (budget.Step())
                    {
                        BudgetError(ctx, budget);
                        return;
                    }
                    found.Add(LookupByPattern(ctx, pattern, item.Value));
                }
            }
            ctx.Reply.WriteArrayHeader(found.Count);
            foreach (var lookedUp in found)
            {
                if (lookedUp is null) ctx.Reply.WriteNull();
                else ctx.Reply.WriteBulk(lookedUp);
            }
            return;
        }
        var result = new RedisList();
        for (long j = start; j <= end; j++)
        {
            var item = items[(int)j];
            if (gets.Count == 0) result.PushTail(item.Value);
            foreach (var pattern in gets)
            {
                if (budget.Step())
                {
                    BudgetError(ctx, budget);
                    return;
                }
                result.PushTail(LookupByPattern(ctx, pattern, item.Value) ?? []);
            }
        }
        var existing = ctx.Db.GetForWrite(storeKey);
        if (existing is not null) ctx.Db.Remove(existing);
        if (outputLength > 0) ctx.Db.Add(storeKey, result);
        ctx.Reply.WriteInteger(outputLength);
    }

    private static void BudgetError(CommandContext ctx, KeyspaceWalkBudget budget) =>
        ctx.Error($"ERR SORT exceeded keyspace-walk-budget-ms ({budget.BudgetMs} ms); sort fewer elements or raise the budget");

    /// <summary>lookupKeyByPattern: "#" is the element; otherwise the first '*' is replaced by it, "->field" reads a hash field.</summary>
    private static byte[]? LookupByPattern(CommandContext ctx, byte[] pattern, byte[] subst)
    {
        if (pattern.Length == 1 && pattern[0] == '#') return subst;
        int star = Array.IndexOf(pattern, (byte)'*');
        if (star < 0) return null;
        int arrow = pattern.AsSpan(star + 1).IndexOf("->"u8);
        byte[]? field = null;
        int fieldLength = 0;
        if (arrow >= 0)
        {
            arrow += star + 1;
            if (arrow + 2 < pattern.Length)
            {
                field = pattern[(arrow + 2)..];
                fieldLength = field.Length;
            }
        }
        int postfix = pattern.Length - (star + 1) - (fieldLength > 0 ? fieldLength + 2 : 0);
        var key = new byte[star + subst.Length + postfix];
        pattern.AsSpan(0, star).CopyTo(key);
        subst.CopyTo(key, star);
        pattern.AsSpan(star + 1, postfix).CopyTo(key.AsSpan(star + subst.Length));
        var entry = ctx.Db.GetForRead(key);
        if (entry is null) return null;
        if (field is not null)
        {
            if (entry.Value is not RedisHash hash) return null;
            return hash.TryGet(field, out var v) ? v : null;
        }
        return entry.Value as byte[];
    }

    /// <summary>strtod as SORT uses it: the whole string a number (leading spaces allowed, "" is 0), no NaN, no overflow or underflow.</summary>
    private static bool TryStrtod(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length == 0) return true;
        int i = 0;
        while (i < s.Length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
        var rest = s[i..];
        if (rest.Length == 0) return false;
        if (RedisNumbers.EqualsIgnoreCase(rest, "inf"u8) || RedisNumbers.EqualsIgnoreCase(rest, "+inf"u8) || RedisNumbers.EqualsIgnoreCase(rest, "infinity"u8) || RedisNumbers.EqualsIgnoreCase(rest, "+infinity"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (RedisNumbers.EqualsIgnoreCase(rest, "-inf"u8) || RedisNumbers.EqualsIgnoreCase(rest, "-infinity"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }
        foreach (var b in rest)
            if (!((b >= '0' && b <= '9') || b == '.' || b == '-' || b == '+' || b == 'e' || b == 'E')) return false;
        if (!double.TryParse(rest, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return false;
        if (double.IsInfinity(value)) return false;
        if (Math.Abs(value) < 2.2250738585072014E-308)
        {
            // Underflow (ERANGE) unless the number is really zero.
            foreach (var b in rest)
            {
                if (b == 'e' || b == 'E') break;
                if (b >= '1' && b <= '9') return false;
            }
        }
        return true;
    }
}
