using Magpie.Storage.Persistence;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>DUMP and RESTORE: values in Redis's DUMP payload format (RDB 10 + version + CRC-64).</summary>
public static class DumpRestoreCommands
{
    public const string BusyKey = "BUSYKEY Target key name already exists.";

    public static void Register(CommandTable t)
    {
        const string g = "generic";
        t.Add(new() { Name = "dump", Arity = 2, Flags = ReadOnly, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Dump, Group = "generic", Summary = "Return a serialized version of the value stored at the specified key.", Since = "2.6.0", Complexity = "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).", Acl = "@keyspace @read @slow", Keys = [new(KeySpecFlags.RO | KeySpecFlags.Access) { Index = 1 }], Tips = ["nondeterministic_output"] });
        t.Add(new() { Name = "restore", Arity = -4, Flags = Write | DenyOom, FirstKey = 1, LastKey = 1, KeyStep = 1, Handler = Restore, Group = "generic", Summary = "Create a key using the provided serialized value, previously obtained using DUMP.", Since = "2.6.0", Complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).", Acl = "@keyspace @write @slow @dangerous", Keys = [new(KeySpecFlags.OW | KeySpecFlags.Update) { Index = 1 }], History = [("3.0.0", "Added the `REPLACE` modifier."), ("5.0.0", "Added the `ABSTTL` modifier."), ("5.0.0", "Added the `IDLETIME` and `FREQ` options.")] });
    }

    private static void Dump(CommandContext ctx)
    {
        var entry = ctx.Db.GetForRead(ctx.Arg(1));
        if (entry is null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        byte[] payload;
        try
        {
            payload = DumpPayload.Create(entry.Value);
        }
        catch (NotSupportedException ex)
        {
            // A type the RDB writer can't encode yet (streams): a clear error, not an internal one.
            ctx.Error("ERR " + ex.Message);
            return;
        }
        ctx.Reply.WriteBulk(payload);
    }

    private static void Restore(CommandContext ctx)
    {
        bool replace = false, absTtl = false;
        long idle = -1, freq = -1;
        for (int j = 4; j < ctx.ArgCount; j++)
        {
            int additional = ctx.ArgCount - j - 1;
            if (ctx.ArgIs(j, "replace"u8)) replace = true;
            else if (ctx.ArgIs(j, "absttl"u8)) absTtl = true;
            else if (ctx.ArgIs(j, "idletime"u8) && additional >= 1 && freq == -1)
            {
                if (!ctx.TryGetInt64(j + 1, out idle)) return;
                if (idle < 0)
                {
                    ctx.Error("ERR Invalid IDLETIME value, must be >= 0");
                    return;
                }
                j++;
            }
            else if (ctx.ArgIs(j, "freq"u8) && additional >= 1 && idle == -1)
            {
                if (!ctx.TryGetInt64(j + 1, out freq)) return;
                if (freq < 0 || freq > 255)
                {
                    ctx.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
                j++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        var key = ctx.Arg(1);
        var existing = ctx.Db.GetForWrite(key);
        if (!replace && existing is not null)
        {
            ctx.Error(BusyKey);
            return;
        }
        if (!ctx.TryGetInt64(2, out long ttl)) return;
        if (ttl < 0)
        {
            ctx.Error("ERR Invalid TTL value, must be >= 0");
            return;
        }
        if (!DumpPayload.TryRead(ctx.Arg(3), key, out var value, out var error))
        {
            ctx.Error("ERR " + error);
            return;
        }
        if (existing is not null) ctx.Db.Remove(existing);
        if (ttl != 0 && !absTtl) ttl += ctx.Now;
        if (ttl != 0 && ttl <= ctx.Now)
        {
            // Already expired: like Redis, the key is not created (an existing one was deleted by REPLACE).
            ctx.Reply.WriteOk();
            return;
        }
        var entry = ctx.Db.Add(key, value, ttl);
        AccessHints.Apply(entry, ctx.Keyspace, freq, idle);
        ctx.Reply.WriteOk();
    }
}
