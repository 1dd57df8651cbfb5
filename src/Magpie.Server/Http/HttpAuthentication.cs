using System.Security.Cryptography;
using System.Text;
using Magpie.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Magpie.Server.Http;

/// <summary>
/// The HTTP API asks for the same credentials as the RESP port: once the default user has a password
/// (or is off), every request but /health needs HTTP Basic with an enabled ACL user and its password,
/// or the --http-token as a bearer token. Without a password or token the API stays open, as RESP does.
/// </summary>
public static class HttpAuthentication
{
    public static async Task Middleware(HttpContext http, Func<Task> next)
    {
        var server = http.RequestServices.GetService(typeof(ServerState)) as ServerState;
        if (server is null || http.Request.Path.StartsWithSegments("/health") || Allowed(server, http.Request.Headers.Authorization.ToString()))
        {
            await next();
            return;
        }
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"magpie\", charset=\"UTF-8\"";
        await http.Response.WriteAsync("authentication required\n");
    }

    public static bool Allowed(ServerState server, string authorization)
    {
        var token = server.Options.HttpToken;
        bool required = server.Acl.AuthRequired || token.Length > 0;
        if (!required) return true;
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (token.Length == 0) return false;
            var given = Encoding.UTF8.GetBytes(authorization[7..].Trim());
            return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(token));
        }
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            }
            catch (FormatException)
            {
                return false;
            }
            int colon = decoded.IndexOf(':');
            if (colon < 0) return false;
            return server.Acl.Authenticate(decoded[..colon], decoded[(colon + 1)..]);
        }
        return false;
    }
}
