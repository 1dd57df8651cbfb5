using Magpie.Server.Hosting;
using Magpie.Server.Notifications;

namespace Magpie.Server.Config;

/// <summary>CONFIG parameters of the introspection features: keyspace notifications, SLOWLOG, LATENCY.</summary>
public static class IntrospectionConfig
{
    public static void Register(ConfigRegistry registry, ServerState server)
    {
        registry.Add("notify-keyspace-events", () => KeyspaceEventClassNames.Format(server.Notifications.Classes), v =>
        {
            if (!KeyspaceEventClassNames.TryParse(v, out var classes)) return KeyspaceEventClassNames.InvalidError;
            server.Notifications.Configure(classes);
            return null;
        });
    }
}
