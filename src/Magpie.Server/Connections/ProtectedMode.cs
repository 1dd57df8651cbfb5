using System.Net;
using Magpie.Server.Hosting;

namespace Magpie.Server.Connections;

/// <summary>
/// Redis's protected mode: while it is on and the default user has no password, only loopback
/// clients are served; others get Redis's DENIED text and are disconnected.
/// </summary>
public static class ProtectedMode
{
    public const string DeniedText =
        "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
        "In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: " +
        "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
        "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. " +
        "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
        "4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

    public static bool Refuses(ServerState server, EndPoint? remote)
    {
        if (!server.Options.ProtectedMode || !server.Acl.Default.NoPass || !server.Acl.Default.Enabled) return false;
        return remote is IPEndPoint ip && !IsLoopback(ip.Address);
    }

    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4()));

    /// <summary>Listening beyond loopback with no password: the start-up warning's condition.</summary>
    public static bool Exposed(MagpieOptions options) =>
        options.RequirePass.Length == 0 && options.AclFile.Length == 0 &&
        options.BindAddresses().Any(a => a == "*" || (a != "localhost" && IPAddress.TryParse(a, out var ip) && !IsLoopback(ip)));
}
