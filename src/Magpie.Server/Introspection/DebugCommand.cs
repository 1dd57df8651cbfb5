using System.Text;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Config;
using Magpie.Storage.Persistence;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Introspection;

/// <summary>
/// DEBUG, as Redis 7.0 answers it: refused unless enable-debug-command is "yes" (or "local" and the
/// client is on loopback); then SLEEP, RELOAD, OBJECT, SET-ACTIVE-EXPIRE, DIGEST, DIGEST-VALUE,
/// PROTOCOL, CHANGE-REPL-ID, STRINGMATCH-TEST, QUICKLIST-PACKED-THRESHOLD, LISTPACK, QUICKLIST,
/// ERROR, LOG, HELP.
/// </summary>
public static class DebugCommand
{
    public const string NotAllowed = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

    public static void Register(CommandTable t)
    {
        t.Add(new() { Name = "debug", Arity = -2, Flags = Admin | NoScript | Loading | Stale, Handler = Debug, Group = "server", Summary = "A container for debugging commands", Since = "1.0.0", Complexity = "Depends on subcommand.", Acl = "", DocFlags = ["syscmd"] });
    }

    private static bool Allowed(CommandContext ctx)
    {
        var mode = ctx.Server.Options.EnableDebugCommand;
        if (mode.Equals("yes", StringComparison.OrdinalIgnoreCase)) return true;
        if (!mode.Equals("local", StringComparison.OrdinalIgnoreCase)) return false;
        var peer = ctx.Client.RemoteEndPoint;
        return !ctx.Client.HasConnection || peer.StartsWith("127.", StringComparison.Ordinal) || peer.StartsWith("[::1]", StringComparison.Ordinal) || peer.StartsWith("::1", StringComparison.Ordinal);
    }

    private static void Debug(CommandContext ctx)
    {
        if (!Allowed(ctx))
        {
            ctx.Error(NotAllowed);
            return;
        }
        var sub = ctx.ArgString(1).ToLowerInvariant();
        int argc = ctx.ArgCount;
        switch (sub)
        {
            case "help" when argc == 2: Help(ctx); return;
            case "sleep" when argc == 3: Sleep(ctx); return;
            case "reload": Reload(ctx); return;
            case "object" when argc == 3: ObjectInfo(ctx); return;
            case "set-active-expire" when argc == 3:
                ctx.Keyspace.ActiveExpireEnabled = Atoi(ctx.ArgString(2)) != 0;
                ctx.Reply.WriteOk();
                return;
            case "digest" when argc == 2:
                ctx.Reply.WriteSimpleString(DatasetDigest.Hex(DatasetDigest.Dataset(ctx.Keyspace)));
                return;
            case "digest-value":
                ctx.Reply.WriteArrayHeader(argc - 2);
                for (int j = 2; j < argc; j++)
                {
                    var digest = new byte[20];
                    // Logically expired keys count too, as in Redis: no lookup that deletes them.
                    var entry = ctx.Db.Lookup(ctx.Arg(j));
                    if (entry is not null) DatasetDigest.Value(digest, entry);
                    ctx.Reply.WriteSimpleString(DatasetDigest.Hex(digest));
                }
                return;
            case "protocol" when argc == 3: Protocol(ctx); return;
            case "change-repl-id" when argc == 2: ctx.Reply.WriteOk(); return;
            case "stringmatch-test" when argc == 2: ctx.Reply.WriteSimpleString("Apparently Redis did not crash: test passed"); return;
            case "quicklist-packed-threshold" when argc == 3:
                if (!MemoryUnits.TryParse(ctx.ArgString(2), out long size) || size < 0 || size > (1L << 32) - (1 << 20))
                    ctx.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
                else ctx.Reply.WriteOk();
                return;
            case "listpack" when argc == 3: Encoded(ctx, "listpack", "Listpack structure printed on stdout"); return;
            case "quicklist" when argc is 3 or 4: Encoded(ctx, "quicklist", "Quicklist structure printed on stdout"); return;
            case "error" when argc == 3: ctx.Error(ctx.ArgString(2)); return;
            case "log" when argc == 3: ctx.Reply.WriteOk(); return;
        }
        ctx.Error($"ERR unknown subcommand or wrong number of arguments for '{ctx.ArgString(1)}'. Try DEBUG HELP.");
    }

    private static int Atoi(string s)
    {
        int i = 0, sign = 1, n = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        if (i < s.Length && (s[i] == '-' || s[i] == '+')) sign = s[i++] == '-' ? -1 : 1;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && n < 100_000_000) n = n * 10 + (s[i++] - '0');
        return sign * n;
    }

    private static void Sleep(CommandContext ctx)
    {
        // strtod: a bad number sleeps 0 seconds.
        double.TryParse(ctx.ArgString(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds);
        if (seconds > 0) Thread.Sleep(TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
        ctx.Reply.WriteOk();
    }

    private static void Reload(CommandContext ctx)
    {
        bool flush = true, save = true;
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            if (ctx.ArgIs(j, "merge"u8)) { }
            else if (ctx.ArgIs(j, "noflush"u8)) flush = false;
            else if (ctx.ArgIs(j, "nosave"u8)) save = false;
            else
            {
                ctx.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        var persistence = ctx.Server.Persistence;
        var keyspace = ctx.Keyspace;
        if (persistence.RdbPath is { } path)
        {
            if (save && persistence.Save() is not null)
            {
                ctx.Error("ERR");
                return;
            }
            if (flush) keyspace.FlushAll();
            try
            {
                RdbFileLoader.LoadFile(path, keyspace);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException)
            {
                ctx.Error("ERR Error trying to load the RDB dump");
                return;
            }
        }
        else
        {
            // Persistence off (no --data-dir): the same save and load, through memory.
            if (!save)
            {
                ctx.Error("ERR Error trying to load the RDB dump");
                return;
            }
            var buffer = new MemoryStream();
            try
            {
                RdbFileWriter.WriteKeyspace(buffer, keyspace);
            }
            catch (NotSupportedException ex)
            {
                // Nothing was flushed yet: the dataset is untouched.
                ctx.Error("ERR " + ex.Message);
                return;
            }
            if (flush) keyspace.FlushAll();
            buffer.Position = 0;
            RdbFileLoader.Load(buffer, keyspace);
        }
        ctx.Reply.WriteOk();
    }

    private static void ObjectInfo(CommandContext ctx)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(2));
        if (entry is null)
        {
            ctx.Error("ERR no such key");
            return;
        }
        string encoding = KeyCommands.EncodingOf(entry.Value);
        long idle = Magpie.Storage.AccessClock.IdleMilliseconds(entry.Access, ctx.Now) / 1000;
        long serialized = entry.Value is byte[] s ? s.Length : Math.Max(1, entry.MemoryBytes / 2);
        var text = $"Value at:0x{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(entry.Value):x12} refcount:1 encoding:{encoding} serializedlength:{serialized} lru:{entry.Access & 0xFFFFFF} lru_seconds_idle:{idle}";
        if (entry.Value is Magpie.Storage.Values.RedisList list)
            text += $" ql_nodes:{Math.Max(1, (list.Length + 127) / 128)} ql_avg_node:{(double)list.Length / Math.Max(1, (list.Length + 127) / 128):F2} ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:{entry.MemoryBytes}";
        ctx.Reply.WriteSimpleString(text);
    }

    private static void Encoded(CommandContext ctx, string encoding, string done)
    {
        var entry = ctx.Db.Lookup(ctx.Arg(2));
        if (entry is null)
        {
            ctx.Error("ERR no such key");
            return;
        }
        if (KeyCommands.EncodingOf(entry.Value) != encoding) ctx.Error(encoding == "listpack" ? "ERR Not a listpack encoded object." : "ERR Not a quicklist encoded object.");
        else ctx.Reply.WriteSimpleString(done);
    }

    private static void Protocol(CommandContext ctx)
    {
        var w = ctx.Reply;
        switch (ctx.ArgString(2).ToLowerInvariant())
        {
            case "string": w.WriteBulk("Hello World"u8); break;
            case "integer": w.WriteInteger(12345); break;
            case "double": w.WriteDouble(3.141); break;
            case "bignum":
                if (w.IsResp3) w.WriteRaw("(1234567999999999999999999999999999999\r\n"u8);
                else w.WriteBulk("1234567999999999999999999999999999999"u8);
                break;
            case "null": w.WriteNull(); break;
            case "array":
                w.WriteArrayHeader(3);
                for (int j = 0; j < 3; j++) w.WriteInteger(j);
                break;
            case "set":
                w.WriteSetHeader(3);
                for (int j = 0; j < 3; j++) w.WriteInteger(j);
                break;
            case "map":
                w.WriteMapHeader(3);
                for (int j = 0; j < 3; j++)
                {
                    w.WriteInteger(j);
                    w.WriteBoolean(j == 1);
                }
                break;
            case "attrib":
                if (w.IsResp3)
                {
                    w.WriteRaw("|1\r\n"u8);
                    w.WriteBulk("key-popularity"u8);
                    w.WriteArrayHeader(2);
                    w.WriteBulk("key:123"u8);
                    w.WriteInteger(90);
                }
                w.WriteBulk("Some real reply following the attribute"u8);
                break;
            case "push":
                if (!w.IsResp3)
                {
                    ctx.Error("ERR RESP2 is not supported by this command");
                    return;
                }
                w.WritePushHeader(2);
                w.WriteBulk("server-cpu-usage"u8);
                w.WriteInteger(42);
                w.WriteBulk("Some real reply following the push reply"u8);
                break;
            case "true": w.WriteBoolean(true); break;
            case "false": w.WriteBoolean(false); break;
            case "verbatim": w.WriteVerbatim("This is a verbatim\nstring"); break;
            default:
                ctx.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
                break;
        }
    }

    private static void Help(CommandContext ctx) => HelpReply.Write(ctx, "DEBUG",
        "AOF-FLUSH-SLEEP <microsec>",
        "    Server will sleep before flushing the AOF, this is used for testing.",
        "ASSERT",
        "    Crash by assertion failed.",
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "CONFIG-REWRITE-FORCE-ALL",
        "    Like CONFIG REWRITE but writes all configuration options, including",
        "    keywords not listed in original configuration file or default values.",
        "CRASH-AND-RECOVER [<milliseconds>]",
        "    Hard crash and restart after a <milliseconds> delay (default 0).",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LEAK <string>",
        "    Create a memory leak of the input string.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "HTSTATS <dbid>",
        "    Return hash table statistics of the specified Redis database.",
        "HTSTATS-KEY <key>",
        "    Like HTSTATS but for the hash table stored at <key>'s value.",
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "REPLICATE <string>",
        "    Replicates the provided string to replicas, allowing data divergence.",
        "MALLCTL <key> [<val>]",
        "    Get or set a malloc tuning integer.",
        "MALLCTL-STR <key> [<val>]",
        "    Get or set a malloc tuning string.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "DROP-CLUSTER-PACKET-FILTER <packet-type>",
        "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
        "OOM",
        "    Crash the server simulating an out-of-memory error.",
        "PANIC",
        "    Crash the server simulating a panic.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "RESTART [<milliseconds>]",
        "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
        "SDSLEN <key>",
        "    Show low level SDS string info representing `key` and value.",
        "SEGFAULT",
        "    Crash the server with sigsegv.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
        "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "STRINGMATCH-TEST",
        "    Run a fuzz tester against the stringmatchlen() function.",
        "STRUCTSIZE",
        "    Return the size of different Redis core C structures.",
        "LISTPACK <key>",
        "    Show low level info about the listpack encoding of <key>.",
        "QUICKLIST <key> [<0|1>]",
        "    Show low level info about the quicklist encoding of <key>.",
        "    The optional argument (0 by default) sets the level of detail",
        "CLIENT-EVICTION",
        "    Show low level client eviction pools info (maxmemory-clients).",
        "PAUSE-CRON <0|1>",
        "    Stop periodic cron job processing.",
        "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
        "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
        "    In case NEVER is provided the last observed peak will never be reset",
        "    In case RESET is provided the peak reset time will be restored to the default value",
        "REPLYBUFFER RESIZING <0|1>",
        "    Enable or disable the reply buffer resize cron job",
        "CLUSTERLINK KILL <to|from|all> <node-id>",
        "    Kills the link based on the direction to/from (both) with the provided node.");
}
