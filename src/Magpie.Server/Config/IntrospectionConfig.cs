using Magpie.Server.Hosting;
using Magpie.Server.Notifications;

namespace Magpie.Server.Config;

/// <summary>CONFIG parameters of the introspection features: keyspace notifications, SLOWLOG, LATENCY.</summary>
public static class IntrospectionConfig
{
    private static string? SetLong(string value, long min, long max, Action<long> apply)
    {
        if (!long.TryParse(value, out long n)) return "argument couldn't be parsed into an integer";
        if (n < min || n > max) return $"argument must be between {min} and {max} inclusive";
        apply(n);
        return null;
    }

    public static void Register(ConfigRegistry registry, ServerState server)
    {
        registry.Add("notify-keyspace-events", () => KeyspaceEventClassNames.Format(server.Notifications.Classes), v =>
        {
            if (!KeyspaceEventClassNames.TryParse(v, out var classes)) return KeyspaceEventClassNames.InvalidError;
            server.Notifications.Configure(classes);
            return null;
        });
        registry.Add("enable-debug-command", () => server.Options.EnableDebugCommand);
        var slow = server.Introspection.SlowLog;
        registry.Add("slowlog-log-slower-than", () => slow.LogSlowerThan.ToString(), v => SetLong(v, -1, long.MaxValue, n => slow.LogSlowerThan = n));
        registry.Add("slowlog-max-len", () => slow.MaxLength.ToString(), v => SetLong(v, 0, long.MaxValue, n => { slow.MaxLength = (int)Math.Min(n, int.MaxValue); slow.Trim(); }));
        var latency = server.Introspection.Latency;
        registry.Add("latency-monitor-threshold", () => latency.ThresholdMs.ToString(), v => SetLong(v, 0, long.MaxValue, n => latency.ThresholdMs = n));
        registry.Add("latency-tracking", () => server.Introspection.LatencyTracking ? "yes" : "no", v =>
        {
            if (v.Equals("yes", StringComparison.OrdinalIgnoreCase)) server.Introspection.LatencyTracking = true;
            else if (v.Equals("no", StringComparison.OrdinalIgnoreCase)) server.Introspection.LatencyTracking = false;
            else return "argument must be 'yes' or 'no'";
            return null;
        });
    }
}
