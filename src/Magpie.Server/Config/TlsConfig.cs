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
    public static void Register(ConfigRegistry registry, TlsSettings tls)
    {
        Func<string?> reload = () => !tls.Needed ? null
            : tls.Reload() is null ? null : "Unable to update TLS configuration. Check server logs.";
        registry.Add("tls-port", () => tls.Port.ToString());
        Add(registry, "tls-cert-file", () => tls.CertFile, v => tls.CertFile = v, reload);
        Add(registry, "tls-key-file", () => tls.KeyFile, v => tls.KeyFile = v, reload);
        Add(registry, "tls-key-file-pass", () => tls.KeyFilePass, v => tls.KeyFilePass = v, reload);
        Add(registry, "tls-ca-cert-file", () => tls.CaCertFile, v => tls.CaCertFile = v, reload);
        registry.Add(new ConfigParameter("tls-auth-clients", () => tls.AuthClients, v =>
        {
            var value = v.ToLowerInvariant();
            if (TlsSettings.CheckAuthClients(value) is not null) return "argument(s) must be one of the following: no, yes, optional";
            tls.AuthClients = value;
            return null;
        }) { Apply = reload });
        registry.Add(new ConfigParameter("tls-protocols", () => tls.Protocols, v =>
        {
            if (!TlsSettings.TryParseProtocols(v, out _, out var error)) return error;
            tls.Protocols = v;
            return null;
        }) { Apply = reload });
        registry.Add(new ConfigParameter("tls-ciphersuites", () => tls.Ciphersuites, v =>
        {
            if (!TlsSettings.TryParseCiphersuites(v, out _, out var error)) return error;
            tls.Ciphersuites = v;
            return null;
        }) { Apply = reload });
        registry.Add(new ConfigParameter("tls-replication", () => tls.Replication ? "yes" : "no", v => SetYesNo(v, b => tls.Replication = b)) { Apply = reload });
        registry.Add(new ConfigParameter("tls-cluster", () => tls.Cluster ? "yes" : "no", v => SetYesNo(v, b => tls.Cluster = b)) { Apply = reload });
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
