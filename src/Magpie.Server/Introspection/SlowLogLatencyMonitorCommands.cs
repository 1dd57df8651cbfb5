using System.Text;
using Magpie.Protocol;
using Magpie.Server.Commands;
using static Magpie.Server.Commands.CommandFlags;

namespace Magpie.Server.Introspection;

/// <summary>SLOWLOG, LATENCY and MONITOR, with Redis 7.0's metadata, replies and error texts.</summary>
public static class SlowLogLatencyMonitorCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        t.Add(new() { Name = "slowlog", Arity = -2, Subcommands = CommandSpec.Children(
            new() { Name = "get", Parent = "slowlog", Arity = -2, Flags = Admin | Loading | Stale, Handler = SlowLogGet, Group = g, Summary = "Get the slow log's entries", Since = "2.2.12", Complexity = "O(N) where N is the number of entries returned", Acl = "", Tips = ["request_policy:all_nodes", "nondeterministic_output"], History = [("4.0.0", "Added client IP address, port and name to the reply.")] },
            new() { Name = "help", Parent = "slowlog", Arity = 2, Flags = Loading | Stale, Handler = SlowLogHelp, Group = g, Summary = "Show helpful text about the different subcommands", Since = "6.2.0", Acl = "" },
            new() { Name = "len", Parent = "slowlog", Arity = 2, Flags = Admin | Loading | Stale, Handler = ctx => ctx.Reply.WriteInteger(ctx.Server.Introspection.SlowLog.Count), Group = g, Summary = "Get the slow log's length", Since = "2.2.12", Acl = "", Tips = ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"] },
            new() { Name = "reset", Parent = "slowlog", Arity = 2, Flags = Admin | Loading | Stale, Handler = SlowLogReset, Group = g, Summary = "Clear all entries from the slow log", Since = "2.2.12", Complexity = "O(N) where N is the number of entries in the slowlog", Acl = "", Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"] }),
            Group = g, Summary = "A container for slow log commands", Since = "2.2.12", Complexity = "Depends on subcommand.", Acl = "" });
        t.Add(new() { Name = "latency", Arity = -2, Subcommands = CommandSpec.Children(
            new() { Name = "doctor", Parent = "latency", Arity = 2, Flags = Admin | NoScript | Loading | Stale, Handler = LatencyDoctor, Group = g, Summary = "Return a human readable latency analysis report.", Since = "2.8.13", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            new() { Name = "graph", Parent = "latency", Arity = 3, Flags = Admin | NoScript | Loading | Stale, Handler = LatencyGraph, Group = g, Summary = "Return a latency graph for the event.", Since = "2.8.13", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            new() { Name = "help", Parent = "latency", Arity = 2, Flags = Loading | Stale, Handler = LatencyHelp, Group = g, Summary = "Show helpful text about the different subcommands.", Since = "2.8.13", Acl = "" },
            new() { Name = "histogram", Parent = "latency", Arity = -2, Flags = Admin | NoScript | Loading | Stale, Handler = LatencyHistogramCommand, Group = g, Summary = "Return the cumulative distribution of latencies of a subset of commands or all.", Since = "7.0.0", Complexity = "O(N) where N is the number of commands with latency information being retrieved.", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            new() { Name = "history", Parent = "latency", Arity = 3, Flags = Admin | NoScript | Loading | Stale, Handler = LatencyHistory, Group = g, Summary = "Return timestamp-latency samples for the event.", Since = "2.8.13", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            new() { Name = "latest", Parent = "latency", Arity = 2, Flags = Admin | NoScript | Loading | Stale, Handler = LatencyLatest, Group = g, Summary = "Return the latest latency samples for all events.", Since = "2.8.13", Acl = "", Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            new() { Name = "reset", Parent = "latency", Arity = -2, Flags = Admin | NoScript | Loading | Stale, Handler = LatencyReset, Group = g, Summary = "Reset latency data for one or more events.", Since = "2.8.13", Acl = "", Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"] }),
            Group = g, Summary = "A container for latency diagnostics commands", Since = "2.8.13", Complexity = "Depends on subcommand.", Acl = "" });
        t.Add(new() { Name = "monitor", Arity = 1, Flags = Admin | NoScript | Loading | Stale, Handler = Monitor, Group = g, Summary = "Listen for all requests received by the server in real time", Since = "1.0.0", Complexity = "", Acl = "" });
    }

    private static void SlowLogGet(CommandContext ctx)
    {
        var log = ctx.Server.Introspection.SlowLog;
        long count = 10;
        if (ctx.ArgCount > 3)
        {
            ctx.Error($"ERR unknown subcommand or wrong number of arguments for '{ctx.ArgString(1)}'. Try SLOWLOG HELP.");
            return;
        }
        if (ctx.ArgCount == 3)
        {
            if (!RedisNumbers.TryParseInt64(ctx.Arg(2), out count) || count < -1)
            {
                ctx.Error("ERR count should be greater than or equal to -1");
                return;
            }
            if (count == -1) count = log.Count;
        }
        int n = (int)Math.Min(count, log.Count);
        var w = ctx.Reply;
        w.WriteArrayHeader(n);
        foreach (var e in log.Entries.Take(n))
        {
            w.WriteArrayHeader(6);
            w.WriteInteger(e.Id);
            w.WriteInteger(e.UnixSeconds);
            w.WriteInteger(e.Micros);
            w.WriteArrayHeader(e.Args.Length);
            foreach (var a in e.Args) w.WriteBulk(a);
            w.WriteBulk(e.Peer);
            w.WriteBulk(e.ClientName);
        }
    }

    private static void SlowLogReset(CommandContext ctx)
    {
        ctx.Server.Introspection.SlowLog.Reset();
        ctx.Reply.WriteOk();
    }

    private static void SlowLogHelp(CommandContext ctx)
    {
        var w = ctx.Reply;
        string[] lines =
        [
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help.",
        ];
        w.WriteArrayHeader(lines.Length);
        foreach (var l in lines) w.WriteSimpleString(l);
    }

    private static void LatencyHelp(CommandContext ctx) => HelpReply.Write(ctx, "LATENCY",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.");

    private static void LatencyLatest(CommandContext ctx)
    {
        var w = ctx.Reply;
        var events = ctx.Server.Introspection.Latency.Events.ToList();
        w.WriteArrayHeader(events.Count);
        foreach (var (name, e) in events)
        {
            var (time, latency) = e.Latest;
            w.WriteArrayHeader(4);
            w.WriteBulk(name);
            w.WriteInteger(time);
            w.WriteInteger(latency);
            w.WriteInteger(e.Max);
        }
    }

    private static void LatencyHistory(CommandContext ctx)
    {
        var w = ctx.Reply;
        var e = ctx.Server.Introspection.Latency.Find(ctx.ArgString(2));
        if (e is null)
        {
            w.WriteArrayHeader(0);
            return;
        }
        var samples = e.History().ToList();
        w.WriteArrayHeader(samples.Count);
        foreach (var (time, latency) in samples)
        {
            w.WriteArrayHeader(2);
            w.WriteInteger(time);
            w.WriteInteger(latency);
        }
    }

    private static void LatencyReset(CommandContext ctx)
    {
        var names = new List<string>();
        for (int i = 2; i < ctx.ArgCount; i++) names.Add(ctx.ArgString(i));
        ctx.Reply.WriteInteger(ctx.Server.Introspection.Latency.Reset(names));
    }

    private static void LatencyGraph(CommandContext ctx)
    {
        string name = ctx.ArgString(2);
        var e = ctx.Server.Introspection.Latency.Find(name);
        if (e is null)
        {
            ctx.Error($"ERR No samples available for event '{name}'");
            return;
        }
        ctx.Reply.WriteVerbatim(LatencyReport.Graph(name, e));
    }

    private static void LatencyDoctor(CommandContext ctx) => ctx.Reply.WriteVerbatim(LatencyReport.Doctor(ctx.Server.Introspection.Latency));

    private static void LatencyHistogramCommand(CommandContext ctx)
    {
        var specs = new List<CommandSpec>();
        void AddWithSubs(CommandSpec spec)
        {
            if (spec.Subcommands is null) { if (spec.Stats.LatencyBuckets is not null) specs.Add(spec); return; }
            foreach (var sub in spec.Subcommands.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
                if (sub.Stats.LatencyBuckets is not null) specs.Add(sub);
        }
        if (ctx.ArgCount == 2)
            foreach (var spec in ctx.Server.Commands.All.OrderBy(s => s.Name, StringComparer.Ordinal)) AddWithSubs(spec);
        else
            for (int i = 2; i < ctx.ArgCount; i++)
            {
                var name = ctx.ArgString(i);
                int bar = name.IndexOf('|');
                var spec = ctx.Server.Commands.Find(bar < 0 ? name : name[..bar]);
                if (spec is null) continue;
                if (bar >= 0)
                {
                    if (spec.Subcommands?.GetValueOrDefault(name[(bar + 1)..]) is { Stats.LatencyBuckets: not null } sub) specs.Add(sub);
                }
                else AddWithSubs(spec);
            }
        var w = ctx.Reply;
        w.WriteMapHeader(specs.Count);
        foreach (var spec in specs)
        {
            w.WriteBulk(spec.FullName);
            LatencyHistogram.Write(w, spec.Stats.LatencyBuckets!);
        }
    }

    private static void Monitor(CommandContext ctx)
    {
        ctx.Server.Introspection.Monitors.Add(ctx.Client);
        ctx.Reply.WriteOk();
    }
}
