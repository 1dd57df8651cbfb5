using Magpie.Server.Info;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Commands;

/// <summary>Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, INFO, CONFIG.</summary>
public static class ServerCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        t.Add(new() { Name = "dbsize", Arity = 1, Flags = ReadOnly | Fast, Handler = ctx => ctx.Reply.WriteInteger(ctx.Db.Count), Group = g, Summary = "Return the number of keys in the selected database", Acl = "@keyspace", Tips = ["request_policy:all_shards", "response_policy:agg_sum"] });
        t.Add(new() { Name = "flushdb", Arity = -1, Flags = Write, Handler = FlushDb, Group = g, Summary = "Remove all keys from the current database", Complexity = "O(N) where N is the number of keys in the selected database", Acl = "@keyspace @dangerous", Tips = ["request_policy:all_shards", "response_policy:all_succeeded"], History = [("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")] });
        t.Add(new() { Name = "flushall", Arity = -1, Flags = Write, Handler = FlushAll, Group = g, Summary = "Remove all keys from all databases", Complexity = "O(N) where N is the total number of keys in all databases", Acl = "@keyspace @dangerous", Tips = ["request_policy:all_shards", "response_policy:all_succeeded"], History = [("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")] });
        t.Add(new() { Name = "swapdb", Arity = 3, Flags = Write | Fast, Handler = SwapDb, Group = g, Summary = "Swaps two Redis databases", Since = "4.0.0", Complexity = "O(N) where N is the count of clients watching or blocking on keys from both databases.", Acl = "@keyspace @dangerous" });
        t.Add(new() { Name = "time", Arity = 1, Flags = Loading | Stale | Fast, Handler = Time, Group = g, Summary = "Return the current server time", Since = "2.6.0", Acl = "", Tips = ["nondeterministic_output"] });
        t.Add(new() { Name = "info", Arity = -1, Flags = Loading | Stale, Handler = Info, Group = g, Summary = "Get information and statistics about the server", Acl = "@dangerous", Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], History = [("7.0.0", "Added support for taking multiple section arguments.")] });
        t.Add(new() { Name = "lastsave", Arity = 1, Flags = Loading | Stale | Fast, Handler = PersistenceCommands.LastSave, Group = g, Summary = "Get the UNIX time stamp of the last successful save to disk", Acl = "@admin @dangerous", Tips = ["nondeterministic_output"] });
        t.Add(new() { Name = "config", Arity = -2, Subcommands = CommandSpec.Children(
            new() { Name = "get", Parent = "config", Arity = -3, Flags = Admin | NoScript | Loading | Stale, Handler = ConfigGet, Group = g, Summary = "Get the values of configuration parameters", Since = "2.0.0", Complexity = "O(N) when N is the number of configuration parameters provided", Acl = "", History = [("7.0.0", "Added the ability to pass multiple pattern parameters in one call")] },
            new() { Name = "set", Parent = "config", Arity = -4, Flags = Admin | NoScript | Loading | Stale, Handler = ConfigSet, Group = g, Summary = "Set configuration parameters to the given values", Since = "2.0.0", Complexity = "O(N) when N is the number of configuration parameters provided", Acl = "", Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"], History = [("7.0.0", "Added the ability to set multiple parameters in one call.")] },
            new() { Name = "resetstat", Parent = "config", Arity = 2, Flags = Admin | NoScript | Loading | Stale, Handler = ConfigResetStat, Group = g, Summary = "Reset the stats returned by INFO", Since = "2.0.0", Acl = "" },
            new() { Name = "rewrite", Parent = "config", Arity = 2, Flags = Admin | NoScript | Loading | Stale, Handler = ctx => ctx.Error("ERR The server is running without a config file"), Group = g, Summary = "Rewrite the configuration file with the in memory configuration", Since = "2.8.0", Acl = "" },
            new() { Name = "help", Parent = "config", Arity = 2, Flags = Loading | Stale, Handler = ConfigHelp, Group = g, Summary = "Show helpful text about the different subcommands", Since = "5.0.0", Acl = "" }), Group = g, Summary = "A container for server configuration commands", Since = "2.0.0", Complexity = "Depends on subcommand.", Acl = "" });
        CommandIntrospection.Register(t);
    }

    private static bool TryFlushMode(CommandContext ctx)
    {
        if (ctx.ArgCount == 1) return true;
        if (ctx.ArgCount == 2 && (ctx.ArgIs(1, "sync"u8) || ctx.ArgIs(1, "async"u8))) return true;
        ctx.SyntaxError();
        return false;
    }

    private static void FlushDb(CommandContext ctx)
    {
        if (!TryFlushMode(ctx)) return;
        ctx.Db.Flush();
        ctx.Reply.WriteOk();
    }

    private static void FlushAll(CommandContext ctx)
    {
        if (!TryFlushMode(ctx)) return;
        ctx.Keyspace.FlushAll();
        ctx.Reply.WriteOk();
    }

    private static void SwapDb(CommandContext ctx)
    {
        if (!Magpie.Protocol.RedisNumbers.TryParseInt64(ctx.Arg(1), out long a))
        {
            ctx.Error("ERR invalid first DB index");
            return;
        }
        if (!Magpie.Protocol.RedisNumbers.TryParseInt64(ctx.Arg(2), out long b))
        {
            ctx.Error("ERR invalid second DB index");
            return;
        }
        if (a < 0 || b < 0 || a >= ctx.Keyspace.DatabaseCount || b >= ctx.Keyspace.DatabaseCount)
        {
            ctx.Error(Errors.DbIndexOutOfRange);
            return;
        }
        ctx.Keyspace.SwapDatabases((int)a, (int)b);
        ctx.Reply.WriteOk();
    }

    private static void Time(CommandContext ctx)
    {
        long micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(micros / 1_000_000);
        ctx.Reply.WriteBulk(micros % 1_000_000);
    }

    private static void Info(CommandContext ctx)
    {
        var sections = Enumerable.Range(1, ctx.ArgCount - 1).Select(ctx.ArgString).ToList();
        ctx.Reply.WriteVerbatim(InfoBuilder.Build(ctx.Server, sections));
    }

    private static void ConfigGet(CommandContext ctx)
    {
        var patterns = Enumerable.Range(2, ctx.ArgCount - 2).Select(ctx.ArgString);
        var matches = ctx.Server.Config.Matching(patterns).ToList();
        ctx.Reply.WriteMapHeader(matches.Count);
        foreach (var p in matches)
        {
            ctx.Reply.WriteBulk(p.Name);
            ctx.Reply.WriteBulk(p.Get());
        }
    }

    private static void ConfigSet(CommandContext ctx)
    {
        if (ctx.ArgCount % 2 != 0)
        {
            ctx.WrongArity();
            return;
        }
        // Check every pair first so a bad value changes nothing, as Redis 7 applies CONFIG SET atomically.
        var pairs = new List<(Config.ConfigParameter Param, string Value)>();
        for (int i = 2; i < ctx.ArgCount; i += 2)
        {
            var name = ctx.ArgString(i);
            var param = ctx.Server.Config.Find(name);
            if (param is null)
            {
                ctx.Error($"ERR Unknown option or number of arguments for CONFIG SET - '{name}'");
                return;
            }
            if (!param.Mutable)
            {
                ctx.Error($"ERR CONFIG SET failed (possibly related to argument '{param.Name}') - can't set immutable config");
                return;
            }
            if (pairs.Any(p => p.Param == param))
            {
                ctx.Error($"ERR CONFIG SET failed (possibly related to argument '{param.Name}') - duplicate parameter");
                return;
            }
            pairs.Add((param, ctx.ArgString(i + 1)));
        }
        var previous = pairs.Select(p => (p.Param, Value: p.Param.Get())).ToList();
        foreach (var (param, value) in pairs)
        {
            var error = param.Set!(value);
            if (error is null) continue;
            foreach (var (p, v) in previous) p.Set!(v);
            ctx.Error($"ERR CONFIG SET failed (possibly related to argument '{param.Name}') - {error}");
            return;
        }
        foreach (var group in pairs.Where(p => p.Param.Apply is not null).GroupBy(p => p.Param.Apply))
        {
            var error = group.Key!();
            if (error is null) continue;
            foreach (var (p, v) in previous) p.Set!(v);
            group.Key!();
            ctx.Error($"ERR CONFIG SET failed (possibly related to argument '{group.First().Param.Name}') - {error}");
            return;
        }
        ctx.Reply.WriteOk();
    }

    private static void ConfigResetStat(CommandContext ctx)
    {
        ctx.Server.Stats.Reset();
        ctx.Keyspace.Stats.Reset();
        foreach (var spec in InfoBuilder.AllSpecs(ctx.Server.Commands)) spec.Stats.Reset();
        ctx.Reply.WriteOk();
    }

    private static void ConfigHelp(CommandContext ctx) => HelpReply.Write(ctx, "CONFIG",
        "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
        "RESETSTAT", "    Reset statistics reported by the INFO command.",
        "REWRITE", "    Rewrite the configuration file.");
}
