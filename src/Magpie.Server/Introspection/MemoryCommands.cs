using Magpie.Protocol;
using Magpie.Server.Commands;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Introspection;

/// <summary>MEMORY USAGE, STATS, DOCTOR, PURGE, MALLOC-STATS and HELP, from Magpie's entry accounting.</summary>
public static class MemoryCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        t.Add(new() { Name = "memory", Arity = -2, Subcommands = CommandSpec.Children(
            new() { Name = "doctor", Parent = "memory", Arity = 2, Handler = Doctor, Group = g, Summary = "Outputs memory problems report", Since = "4.0.0", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"] },
            new() { Name = "help", Parent = "memory", Arity = 2, Flags = Loading | Stale, Handler = Help, Group = g, Summary = "Show helpful text about the different subcommands", Since = "4.0.0", Acl = "" },
            new() { Name = "malloc-stats", Parent = "memory", Arity = 2, Handler = MallocStats, Group = g, Summary = "Show allocator internal stats", Since = "4.0.0", Complexity = "Depends on how much memory is allocated, could be slow", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"] },
            new() { Name = "purge", Parent = "memory", Arity = 2, Handler = Purge, Group = g, Summary = "Ask the allocator to release memory", Since = "4.0.0", Complexity = "Depends on how much memory is allocated, could be slow", Acl = "", Tips = ["request_policy:all_shards", "response_policy:all_succeeded"] },
            new() { Name = "stats", Parent = "memory", Arity = 2, Handler = Stats, Group = g, Summary = "Show memory usage details", Since = "4.0.0", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"] },
            new() { Name = "usage", Parent = "memory", Arity = -3, Flags = ReadOnly, FirstKey = 2, LastKey = 2, KeyStep = 1, Handler = Usage, Group = g, Summary = "Estimate the memory usage of a key", Since = "4.0.0", Complexity = "O(N) where N is the number of samples.", Acl = "", Keys = [new(KeySpecFlags.RO) { Index = 2 }] }),
            Group = g, Summary = "A container for memory diagnostics commands", Since = "4.0.0", Complexity = "Depends on subcommand.", Acl = "" });
    }

    private static void Usage(CommandContext ctx)
    {
        for (int j = 3; j < ctx.ArgCount; j++)
        {
            if (ctx.ArgIs(j, "samples"u8) && j + 1 < ctx.ArgCount)
            {
                if (!RedisNumbers.TryParseInt64(ctx.Arg(j + 1), out long samples))
                {
                    ctx.Error(Errors.NotInteger);
                    return;
                }
                if (samples < 0)
                {
                    ctx.SyntaxError();
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
        var entry = ctx.Db.Lookup(ctx.Arg(2));
        if (entry is null) ctx.Reply.WriteNull();
        else ctx.Reply.WriteInteger(entry.MemoryBytes);
    }

    private static void Stats(CommandContext ctx)
    {
        var server = ctx.Server;
        var ks = ctx.Keyspace;
        long total = ks.UsedMemory;
        long peak = Math.Max(server.PeakMemory, total);
        long dataset = ks.DatasetBytes;
        long keys = 0;
        var dbs = new List<(int Index, long Main, long Expires)>();
        for (int i = 0; i < ks.DatabaseCount; i++)
        {
            var db = ks[i];
            keys += db.Count;
            if (db.Count > 0) dbs.Add((i, db.Count * 24, db.VolatileCount * 24));
        }
        long startup = 0;
        long clients = server.ClientOutputBytesSample + server.QueryBufferBytes;
        long overhead = Math.Max(0, total - dataset);
        long heap = GC.GetTotalMemory(false);
        long rss = Environment.WorkingSet;
        var w = ctx.Reply;
        w.WriteMapHeader(27 + dbs.Count);
        void Int(string name, long v) { w.WriteBulk(name); w.WriteInteger(v); }
        void Dbl(string name, double v) { w.WriteBulk(name); w.WriteDouble(v); }
        Int("peak.allocated", peak);
        Int("total.allocated", total);
        Int("startup.allocated", startup);
        Int("replication.backlog", 0);
        Int("clients.slaves", 0);
        Int("clients.normal", clients);
        Int("cluster.links", 0);
        Int("aof.buffer", 0);
        Int("lua.caches", 0);
        Int("functions.caches", 0);
        foreach (var (index, main, expires) in dbs)
        {
            w.WriteBulk("db." + index);
            w.WriteMapHeader(3);
            Int("overhead.hashtable.main", main);
            Int("overhead.hashtable.expires", expires);
            Int("overhead.hashtable.slot-to-keys", 0);
        }
        Int("overhead.total", overhead);
        Int("keys.count", keys);
        Int("keys.bytes-per-key", keys == 0 ? 0 : total / keys);
        Int("dataset.bytes", dataset);
        Dbl("dataset.percentage", total == 0 ? 0 : 100.0 * dataset / total);
        Dbl("peak.percentage", peak == 0 ? 0 : 100.0 * total / peak);
        Int("allocator.allocated", heap);
        Int("allocator.active", heap);
        Int("allocator.resident", rss);
        Dbl("allocator-fragmentation.ratio", 1.0);
        Int("allocator-fragmentation.bytes", 0);
        Dbl("allocator-rss.ratio", heap == 0 ? 0 : (double)rss / heap);
        Int("allocator-rss.bytes", rss - heap);
        Dbl("rss-overhead.ratio", 1.0);
        Int("rss-overhead.bytes", 0);
        Dbl("fragmentation", total == 0 ? 0 : (double)rss / total);
        Int("fragmentation.bytes", rss - total);
    }

    private static void Doctor(CommandContext ctx)
    {
        if (ctx.Keyspace.UsedMemory < 5 * 1024 * 1024)
            ctx.Reply.WriteVerbatim("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n");
        else
            ctx.Reply.WriteVerbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
    }

    private static void MallocStats(CommandContext ctx)
    {
        var info = GC.GetGCMemoryInfo();
        var text = "___ Begin .NET GC statistics ___\n" +
            $"Heap size: {info.HeapSizeBytes}\nCommitted: {info.TotalCommittedBytes}\nFragmented: {info.FragmentedBytes}\n" +
            $"Total allocated: {GC.GetTotalAllocatedBytes()}\nGen0 collections: {GC.CollectionCount(0)}\nGen1 collections: {GC.CollectionCount(1)}\nGen2 collections: {GC.CollectionCount(2)}\n" +
            $"Server GC: {System.Runtime.GCSettings.IsServerGC}\n--- End .NET GC statistics ---\n";
        ctx.Reply.WriteBulk(text);
    }

    private static void Purge(CommandContext ctx)
    {
        // The allocator here is the GC: ask it (without blocking the node) to give memory back.
        GC.Collect(2, GCCollectionMode.Optimized, blocking: false, compacting: false);
        ctx.Reply.WriteOk();
    }

    private static void Help(CommandContext ctx) => HelpReply.Write(ctx, "MEMORY",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).");
}
