using System.Text;
using Magpie.Protocol;
using Magpie.Server.Util;
using Magpie.Storage;
using static Magpie.Server.Commands.CommandFlags;

using K = Magpie.Server.Commands.KeySpecFlags;

namespace Magpie.Server.Commands;

/// <summary>Generic keyspace commands (Redis's "generic" group).</summary>
public static class KeyCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "generic";
        t.Add(new() { Name = "del", Arity = -2, Flags = Write, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = Del, Group = g, Summary = "Delete a key", Complexity = "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).", Acl = "@keyspace", Keys = [new(K.RM | K.Delete) { Index = 1, LastKey = -1 }], Tips = ["request_policy:multi_shard", "response_policy:agg_sum"] });
        t.Add(new() { Name = "unlink", Arity = -2, Flags = Write | Fast, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = Del, Group = g, Summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", Since = "4.0.0", Complexity = "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.", Acl = "@keyspace", Keys = [new(K.RM | K.Delete) { Index = 1, LastKey = -1 }], Tips = ["request_policy:multi_shard", "response_policy:agg_sum"] });
        t.Add(new() { Name = "exists", Arity = -2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = Exists, Group = g, Summary = "Determine if a key exists", Complexity = "O(N) where N is the number of keys to check.", Acl = "@keyspace", Keys = [new(K.RO) { Index = 1, LastKey = -1 }], Tips = ["request_policy:multi_shard", "response_policy:agg_sum"], History = [("3.0.3", "Accepts multiple `key` arguments.")] });
        t.Add(new() { Name = "type", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Type, Group = g, Summary = "Determine the type stored at key", Acl = "@keyspace", Keys = [new(K.RO) { Index = 1 }] });
        t.Add(new() { Name = "expire", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Expire(ctx, relative: true, unitMs: 1000), Group = g, Summary = "Set a key's time to live in seconds", Acl = "@keyspace", Keys = [new(K.RW | K.Update) { Index = 1 }], History = [("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")] });
        t.Add(new() { Name = "pexpire", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Expire(ctx, relative: true, unitMs: 1), Group = g, Summary = "Set a key's time to live in milliseconds", Since = "2.6.0", Acl = "@keyspace", Keys = [new(K.RW | K.Update) { Index = 1 }], History = [("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")] });
        t.Add(new() { Name = "expireat", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Expire(ctx, relative: false, unitMs: 1000), Group = g, Summary = "Set the expiration for a key as a UNIX timestamp", Since = "1.2.0", Acl = "@keyspace", Keys = [new(K.RW | K.Update) { Index = 1 }], History = [("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")] });
        t.Add(new() { Name = "pexpireat", Arity = -3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Expire(ctx, relative: false, unitMs: 1), Group = g, Summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds", Since = "2.6.0", Acl = "@keyspace", Keys = [new(K.RW | K.Update) { Index = 1 }], History = [("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")] });
        t.Add(new() { Name = "ttl", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Ttl(ctx, 1000, absolute: false), Group = g, Summary = "Get the time to live for a key in seconds", Acl = "@keyspace", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"], History = [("2.8.0", "Added the -2 reply.")] });
        t.Add(new() { Name = "pttl", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Ttl(ctx, 1, absolute: false), Group = g, Summary = "Get the time to live for a key in milliseconds", Since = "2.6.0", Acl = "@keyspace", Keys = [new(K.RO | K.Access) { Index = 1 }], Tips = ["nondeterministic_output"], History = [("2.8.0", "Added the -2 reply.")] });
        t.Add(new() { Name = "expiretime", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Ttl(ctx, 1000, absolute: true), Group = g, Summary = "Get the expiration Unix timestamp for a key", Since = "7.0.0", Acl = "@keyspace", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "pexpiretime", Arity = 2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = ctx => Ttl(ctx, 1, absolute: true), Group = g, Summary = "Get the expiration Unix timestamp for a key in milliseconds", Since = "7.0.0", Acl = "@keyspace", Keys = [new(K.RO | K.Access) { Index = 1 }] });
        t.Add(new() { Name = "persist", Arity = 2, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Persist, Group = g, Summary = "Remove the expiration from a key", Since = "2.2.0", Acl = "@keyspace", Keys = [new(K.RW | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "keys", Arity = 2, Flags = ReadOnly, Handler = Keys, Group = g, Summary = "Find all keys matching the given pattern", Complexity = "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.", Acl = "@keyspace @dangerous", Tips = ["request_policy:all_shards", "nondeterministic_output_order"] });
        t.Add(new() { Name = "scan", Arity = -2, Flags = ReadOnly, Handler = Scan, Group = g, Summary = "Incrementally iterate the keys space", Since = "2.8.0", Complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", Acl = "@keyspace", Tips = ["nondeterministic_output", "request_policy:special"], History = [("6.0.0", "Added the `TYPE` subcommand.")] });
        t.Add(new() { Name = "rename", Arity = 3, Flags = Write, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = ctx => Rename(ctx, onlyIfAbsent: false), Group = g, Summary = "Rename a key", Acl = "@keyspace", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }, new(K.OW | K.Update) { Index = 2 }] });
        t.Add(new() { Name = "renamenx", Arity = 3, Flags = Write | Fast, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = ctx => Rename(ctx, onlyIfAbsent: true), Group = g, Summary = "Rename a key, only if the new key does not exist", Acl = "@keyspace", Keys = [new(K.RW | K.Access | K.Delete) { Index = 1 }, new(K.OW | K.Insert) { Index = 2 }], History = [("3.2.0", "The command no longer returns an error when source and destination names are the same.")] });
        t.Add(new() { Name = "randomkey", Arity = 1, Flags = ReadOnly, Handler = RandomKey, Group = g, Summary = "Return a random key from the keyspace", Acl = "@keyspace", Tips = ["request_policy:all_shards", "nondeterministic_output"] });
        t.Add(new() { Name = "touch", Arity = -2, Flags = ReadOnly | Fast, FirstKey = 1, LastKey = -1, KeyStep = 1, Handler = Touch, Group = g, Summary = "Alters the last access time of a key(s). Returns the number of existing keys specified.", Since = "3.2.1", Complexity = "O(N) where N is the number of keys that will be touched.", Acl = "@keyspace", Keys = [new(K.RO) { Index = 1, LastKey = -1 }], Tips = ["request_policy:multi_shard", "response_policy:agg_sum"] });
        t.Add(new() { Name = "copy", Arity = -3, Flags = Write | DenyOom, FirstKey = 1, LastKey = 2, KeyStep = 1, Handler = Copy, Group = g, Summary = "Copy a key", Since = "6.2.0", Complexity = "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", Acl = "@keyspace", Keys = [new(K.RO | K.Access) { Index = 1 }, new(K.OW | K.Update) { Index = 2 }] });
        t.Add(new() { Name = "move", Arity = 3, Flags = Write | Fast, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Move, Group = g, Summary = "Move a key to another database", Acl = "@keyspace", Keys = [new(K.RW | K.Access | K.Update) { Index = 1 }] });
        t.Add(new() { Name = "object", Arity = -2, Subcommands = CommandSpec.Children(
            new() { Name = "encoding", Parent = "object", Arity = 3, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = ObjectEncoding, Group = g, Summary = "Inspect the internal encoding of a Redis object", Since = "2.2.3", Acl = "@keyspace", Keys = [new(K.RO) { Index = 2 }], Tips = ["nondeterministic_output"] },
            new() { Name = "freq", Parent = "object", Arity = 3, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = ObjectFreq, Group = g, Summary = "Get the logarithmic access frequency counter of a Redis object", Since = "4.0.0", Acl = "@keyspace", Keys = [new(K.RO) { Index = 2 }], Tips = ["nondeterministic_output"] },
            new() { Name = "idletime", Parent = "object", Arity = 3, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = ObjectIdleTime, Group = g, Summary = "Get the time since a Redis object was last accessed", Since = "2.2.3", Acl = "@keyspace", Keys = [new(K.RO) { Index = 2 }], Tips = ["nondeterministic_output"] },
            new() { Name = "refcount", Parent = "object", Arity = 3, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = ObjectRefCount, Group = g, Summary = "Get the number of references to the value of the key", Since = "2.2.3", Acl = "@keyspace", Keys = [new(K.RO) { Index = 2 }], Tips = ["nondeterministic_output"] },
            new() { Name = "help", Parent = "object", Arity = 2, Flags = Loading | Stale, Handler = ObjectHelp, Group = g, Summary = "Show helpful text about the different subcommands", Since = "6.2.0", Acl = "@keyspace" }), Group = g, Summary = "A container for object introspection commands", Since = "2.2.3", Complexity = "Depends on subcommand.", Acl = "" });
    }

    private static void Del(CommandContext ctx)
    {
        long removed = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
            if (ctx.Db.Remove(ctx.Arg(i))) removed++;
        ctx.Reply.WriteInteger(removed);
    }

    private static void Exists(CommandContext ctx)
    {
        long found = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
            if (ctx.Db.Lookup(ctx.Arg(i)) is not null) found++;
        ctx.Reply.WriteInteger(found);
    }

    private static void Type(CommandContext ctx)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(1));
        ctx.Reply.WriteSimpleString((entry?.Type ?? RedisType.None).Name());
    }

    private static void Expire(CommandContext ctx, bool relative, long unitMs)
    {
        bool nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "nx"u8)) nx = true;
            else if (ctx.ArgIs(i, "xx"u8)) xx = true;
            else if (ctx.ArgIs(i, "gt"u8)) gt = true;
            else if (ctx.ArgIs(i, "lt"u8)) lt = true;
            else
            {
                ctx.Error($"ERR Unsupported option {ctx.ArgString(i)}");
                return;
            }
        }
        if (nx && (xx || gt || lt))
        {
            ctx.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt)
        {
            ctx.Error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        if (!ctx.TryGetInt64(2, out long time)) return;
        string invalid = string.Format(Errors.InvalidExpire, ctx.Command.Name);
        if (time > long.MaxValue / unitMs || time < long.MinValue / unitMs)
        {
            ctx.Error(invalid);
            return;
        }
        long when = time * unitMs;
        if (relative)
        {
            if ((when > 0 && ctx.Now > long.MaxValue - when) || (when < 0 && ctx.Now < long.MinValue - when))
            {
                ctx.Error(invalid);
                return;
            }
            when += ctx.Now;
        }
        var entry = ctx.Db.GetForWrite(ctx.Arg(1));
        if (entry is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        long current = entry.ExpireAt; // 0: no TTL, which GT/LT treat as infinite
        bool skip = (nx && current != 0) || (xx && current == 0)
            || (gt && (current == 0 || when <= current))
            || (lt && current != 0 && when >= current);
        if (skip)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (when <= ctx.Now) ctx.Db.Remove(entry);
        else
        {
            ctx.Db.SetExpire(entry, when);
            ctx.Db.SignalModified(entry);
        }
        ctx.Reply.WriteInteger(1);
    }

    private static void Ttl(CommandContext ctx, long unitMs, bool absolute)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(1));
        if (entry is null) ctx.Reply.WriteInteger(-2);
        else if (entry.ExpireAt == 0) ctx.Reply.WriteInteger(-1);
        else if (absolute) ctx.Reply.WriteInteger(entry.ExpireAt / unitMs);
        else
        {
            long remaining = Math.Max(0, entry.ExpireAt - ctx.Now);
            ctx.Reply.WriteInteger(unitMs == 1 ? remaining : (remaining + 500) / 1000);
        }
    }

    private static void Persist(CommandContext ctx)
    {
        var entry = ctx.Db.GetForWrite(ctx.Arg(1));
        if (entry is null || entry.ExpireAt == 0)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Db.SetExpire(entry, 0);
        ctx.Db.SignalModified(entry);
        ctx.Reply.WriteInteger(1);
    }

    private static void Keys(CommandContext ctx)
    {
        var pattern = ctx.ArgBytes(1);
        bool all = pattern is [(byte)'*'];
        var matches = new List<byte[]>();
        // KEYS holds the keyspace lock for its whole walk: past keyspace-walk-budget-ms it gives up
        // with an error rather than stall every other client (SCAN walks in bounded steps instead).
        long budget = ctx.Server.KeyspaceWalkBudgetMs;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        int visited = 0;
        foreach (var entry in ctx.Db.AllEntries())
        {
            if (budget > 0 && (++visited & 1023) == 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds > budget)
            {
                ctx.Error($"ERR KEYS exceeded keyspace-walk-budget-ms ({budget} ms) after {visited} keys; use SCAN to walk a large keyspace");
                return;
            }
            if (entry.ExpireAt != 0 && entry.ExpireAt <= ctx.Now) continue;
            if (all || Glob.Match(pattern, entry.Key)) matches.Add(entry.Key);
        }
        ctx.Reply.WriteArrayHeader(matches.Count);
        foreach (var key in matches) ctx.Reply.WriteBulk(key);
    }

    private static void Scan(CommandContext ctx)
    {
        if (!ulong.TryParse(ctx.Arg(1), System.Globalization.NumberStyles.None, null, out ulong cursor))
        {
            ctx.Error("ERR invalid cursor");
            return;
        }
        if (!ScanOptions.TryParse(ctx, 2, allowType: true, out var options)) return;
        var keys = new List<byte[]>();
        var expired = new List<Entry>();
        // A large COUNT is walked in steps of 1024 within keyspace-walk-budget-ms: past it SCAN
        // returns what it has with the cursor to continue from, as a shorter SCAN reply is allowed.
        var budget = new KeyspaceWalkBudget(ctx.Server.KeyspaceWalkBudgetMs);
        ulong next = cursor;
        int remaining = options.Count;
        do
        {
            next = ctx.Db.Scan(next, Math.Min(remaining, 1024), Visit);
            remaining -= 1024;
        }
        while (remaining > 0 && next != 0 && !budget.Spent);

        void Visit(Entry entry)
        {
            if (entry.ExpireAt != 0 && entry.ExpireAt <= ctx.Now)
            {
                expired.Add(entry);
                return;
            }
            if (options.Type != RedisType.None && entry.Type != options.Type) return;
            if (options.Pattern is not null && !Glob.Match(options.Pattern, entry.Key)) return;
            keys.Add(entry.Key);
        }
        foreach (var e in expired) ctx.Db.Remove(e);
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(Encoding.ASCII.GetBytes(next.ToString()));
        ctx.Reply.WriteArrayHeader(keys.Count);
        foreach (var key in keys) ctx.Reply.WriteBulk(key);
    }

    private static void Rename(CommandContext ctx, bool onlyIfAbsent)
    {
        var source = ctx.Db.GetForWrite(ctx.Arg(1));
        if (source is null)
        {
            ctx.Error(Errors.NoSuchKey);
            return;
        }
        bool sameKey = ctx.Arg(1).SequenceEqual(ctx.Arg(2));
        if (sameKey)
        {
            if (onlyIfAbsent) ctx.Reply.WriteInteger(0);
            else ctx.Reply.WriteOk();
            return;
        }
        var target = ctx.Db.Lookup(ctx.Arg(2));
        if (target is not null)
        {
            if (onlyIfAbsent)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            ctx.Db.Remove(target);
        }
        var value = source.Value;
        long expireAt = source.ExpireAt;
        ctx.Db.Remove(source);
        ctx.Db.Add(ctx.Arg(2), value, expireAt);
        if (onlyIfAbsent) ctx.Reply.WriteInteger(1);
        else ctx.Reply.WriteOk();
    }

    private static void RandomKey(CommandContext ctx)
    {
        // Sample until a live key turns up; a database of only expired keys gives up and answers nil.
        for (int tries = 0; tries < 100; tries++)
        {
            var entry = ctx.Db.RandomEntry(ctx.Keyspace.Random);
            if (entry is null) break;
            if (entry.ExpireAt != 0 && entry.ExpireAt <= ctx.Now)
            {
                ctx.Db.Lookup(entry.Key); // deletes it
                continue;
            }
            ctx.Reply.WriteBulk(entry.Key);
            return;
        }
        ctx.Reply.WriteNull();
    }

    private static void Touch(CommandContext ctx)
    {
        long found = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
            if (ctx.Db.GetForWrite(ctx.Arg(i)) is not null) found++;
        ctx.Reply.WriteInteger(found);
    }

    private static void Copy(CommandContext ctx)
    {
        var targetDb = ctx.Db;
        bool replace = false;
        for (int i = 3; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "replace"u8)) replace = true;
            else if (ctx.ArgIs(i, "db"u8) && i + 1 < ctx.ArgCount)
            {
                if (!ctx.TryGetInt64(++i, out long index)) return;
                if (index < 0 || index >= ctx.Keyspace.DatabaseCount)
                {
                    ctx.Error(Errors.DbIndexOutOfRange);
                    return;
                }
                targetDb = ctx.Keyspace[(int)index];
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (targetDb == ctx.Db && ctx.Arg(1).SequenceEqual(ctx.Arg(2)))
        {
            ctx.Error("ERR source and destination objects are the same");
            return;
        }
        var source = ctx.Db.GetForRead(ctx.Arg(1));
        if (source is null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var existing = targetDb.Lookup(ctx.Arg(2));
        if (existing is not null)
        {
            if (!replace)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            targetDb.Remove(existing);
        }
        targetDb.Add(ctx.Arg(2), CloneValue(source.Value), source.ExpireAt);
        ctx.Reply.WriteInteger(1);
    }

    private static void Move(CommandContext ctx)
    {
        if (!ctx.TryGetInt64(2, out long index)) return;
        if (index < 0 || index >= ctx.Keyspace.DatabaseCount)
        {
            ctx.Error(Errors.DbIndexOutOfRange);
            return;
        }
        var target = ctx.Keyspace[(int)index];
        if (target == ctx.Db)
        {
            ctx.Error("ERR source and destination objects are the same");
            return;
        }
        var source = ctx.Db.GetForWrite(ctx.Arg(1));
        if (source is null || target.Lookup(ctx.Arg(1)) is not null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var value = source.Value;
        long expireAt = source.ExpireAt;
        ctx.Db.Remove(source);
        target.Add(ctx.Arg(1), value, expireAt);
        ctx.Reply.WriteInteger(1);
    }

    internal static object CloneValue(object value) =>
        value is byte[] bytes ? bytes.Clone() : ((IRedisValue)value).Clone();

    private static void ObjectEncoding(CommandContext ctx)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(2));
        if (entry is null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        ctx.Reply.WriteBulk(EncodingOf(entry.Value));
    }

    /// <summary>OBJECT ENCODING for a value: Redis's names for the shape it would use.</summary>
    internal static string EncodingOf(object value)
    {
        if (value is not byte[] s) return ((IRedisValue)value).Encoding;
        if (RawStrings.IsRaw(s)) return "raw";
        if (s.Length <= 20 && RedisNumbers.TryParseInt64(s, out _)) return "int";
        return s.Length <= 44 ? "embstr" : "raw";
    }

    private static void ObjectFreq(CommandContext ctx)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(2));
        if (entry is null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (!ctx.Keyspace.Policy.IsLfu())
        {
            ctx.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        ctx.Reply.WriteInteger(AccessClock.LfuDecayed(entry.Access, ctx.Now, ctx.Keyspace.LfuDecayTime));
    }

    private static void ObjectIdleTime(CommandContext ctx)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(2));
        if (entry is null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (ctx.Keyspace.Policy.IsLfu())
        {
            ctx.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        ctx.Reply.WriteInteger(AccessClock.IdleMilliseconds(entry.Access, ctx.Now) / 1000);
    }

    private static void ObjectRefCount(CommandContext ctx)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(2));
        if (entry is null) ctx.Reply.WriteNull();
        // Small integers are Redis's shared objects (refcount INT_MAX) unless an LRU/LFU maxmemory policy is set.
        else ctx.Reply.WriteInteger(IsSharedInteger(ctx, entry.Value) ? int.MaxValue : 1);
    }

    private static bool IsSharedInteger(CommandContext ctx, object value)
    {
        if (value is not byte[] s || EncodingOf(s) != "int" || !RedisNumbers.TryParseInt64(s, out long n) || n < 0 || n >= 10_000) return false;
        var policy = ctx.Keyspace.Policy.Name();
        return ctx.Keyspace.MaxMemory == 0 || !(policy.Contains("lru") || policy.Contains("lfu"));
    }

    private static void ObjectHelp(CommandContext ctx) => HelpReply.Write(ctx, "OBJECT",
        "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
        "    <key>.");
}
