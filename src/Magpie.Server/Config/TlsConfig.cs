using Magpie.Server.Security;

namespace Magpie.Server.Config;

/// <summary>
/// CONFIG GET/SET for the tls-* parameters, with Redis's names. Setting a file (or the protocols,
/// suites, CA or client-auth mode) reloads the TLS files once per CONFIG SET: the next handshake
/// uses the new certificate. A reload that fails changes nothing and answers Redis's
/// "Unable to update TLS configuration" error.
/// </summary>
internal static class TlsConfig
{
    private static readonly Action<Microsoft.Extensions.Logging.ILogger, string, Exception?> Reloaded =
        Microsoft.Extensions.Logging.LoggerMessage.Define<string>(Microsoft.Extensions.Logging.LogLevel.Information, new(1, "TlsReloaded"), "TLS configuration reloaded; new handshakes use {CertFile}");

    private static readonly Action<Microsoft.Extensions.Logging.ILogger, string, Exception?> ReloadFailed =
        Microsoft.Extensions.Logging.LoggerMessage.Define<string>(Microsoft.Extensions.Logging.LogLevel.Warning, new(2, "TlsReloadFailed"), "TLS configuration not changed: {Error}");

    public static void Register(ConfigRegistry registry, Hosting.ServerState server)
    {
        // Read through the server each time: NodeHost replaces ServerState.Tls after construction with the instance Kestrel shares.
        Func<string?> reload = () =>
        {
            if (!server.Tls.Needed) return null;
            var error = server.Tls.Reload();
            if (server.Tls.Logger is { } logger)
            {
                if (error is null) Reloaded(logger, server.Tls.CertFile, null);
                else ReloadFailed(logger, error, null);
            }
            return error is null ? null : "Unable to update TLS configuration. Check server logs.";
        };
        registry.Add("tls-port", () => server.Tls.Port.ToString());
        Add(registry, "tls-cert-file", () => server.Tls.CertFile, v => server.Tls.CertFile = v, reload);
        Add(registry, "tls-key-file", () => server.Tls.KeyFile, v => server.Tls.KeyFile = v, reload);
        Add(registry, "tls-key-file-pass", () => server.Tls.KeyFilePass, v => server.Tls.KeyFilePass = v, reload);
        Add(registry, "tls-ca-cert-file", () => server.Tls.CaCertFile, v => server.Tls.CaCertFile = v, reload);
        registry.Add(new ConfigParameter("tls-auth-clients", () => server.Tls.AuthClients, v =>
        {
            var value = v.ToLowerInvariant();
            if (TlsSettings.CheckAuthClients(value) is not null) return "argument(s) must be one of the following: no, yes, optional";
            server.Tls.AuthClients = value;
            return null;
        }) { Apply = reload });
        registry.Add(new ConfigParameter("tls-protocols", () => server.Tls.Protocols, v =>
        {
            if (!TlsSettings.TryParseProtocols(v, out _, out var error)) return error;
            server.Tls.Protocols = v;
            return null;
        }) { Apply = reload });
        registry.Add(new ConfigParameter("tls-ciphersuites", () => server.Tls.Ciphersuites, v =>
        {
            if (!TlsSettings.TryParseCiphersuites(v, out _, out var error)) return error;
            server.Tls.Ciphersuites = v;
            return null;
        }) { Apply = reload });
        registry.Add(new ConfigParameter("tls-replication", () => server.Tls.Replication ? "yes" : "no", v => SetYesNo(v, b => server.Tls.Replication = b)) { Apply = reload });
        registry.Add(new ConfigParameter("tls-cluster", () => server.Tls.Cluster ? "yes" : "no", v => SetYesNo(v, b => server.Tls.Cluster = b)) { Apply = reload });
    }

    private static void Add(ConfigRegistry registry, string name, Func<string> get, Action<string> set, Func<string?> reload) =>
        registry.Add(new ConfigParameter(name, get, v =>
        {
            set(v);
            return null;
        }) { Apply = reload });

    private static string? SetYesNo(string value, Action<bool> apply)
    {
        if (value.Equals("yes", StringComparison.OrdinalIgnoreCase)) apply(true);
        else if (value.Equals("no", StringComparison.OrdinalIgnoreCase)) apply(false);
        else return "argument must be 'yes' or 'no'";
        return null;
    }
}
