using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Magpie.Server.Hosting;

namespace Magpie.Server.Security;

/// <summary>
/// The node's TLS configuration with Redis's names (tls-cert-file, tls-key-file, tls-ca-cert-file,
/// tls-auth-clients, tls-protocols, tls-ciphersuites, tls-replication, tls-cluster) and the
/// certificates loaded from them. <see cref="Reload"/> swaps everything at once: the next
/// handshake uses the new certificate, connections already open keep theirs.
/// </summary>
public sealed class TlsSettings
{
    private Loaded? _loaded;

    public int Port { get; init; }

    /// <summary>Where a CONFIG SET reload reports what failed ("Check server logs").</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary>The HTTP API answers HTTPS (with the same certificate) instead of HTTP.</summary>
    public bool Http { get; init; }

    public string CertFile { get; set; } = "";

    public string KeyFile { get; set; } = "";

    public string KeyFilePass { get; set; } = "";

    public string CaCertFile { get; set; } = "";

    /// <summary>"yes" (a client certificate is required), "no" or "optional".</summary>
    public string AuthClients { get; set; } = "yes";

    /// <summary>Space separated, e.g. "TLSv1.2 TLSv1.3"; empty: the platform's default (TLS 1.2 and 1.3).</summary>
    public string Protocols { get; set; } = "";

    /// <summary>Colon separated IANA suite names; empty: the platform's default.</summary>
    public string Ciphersuites { get; set; } = "";

    /// <summary>Dial replicas/primaries with TLS (Redis's tls-replication).</summary>
    public bool Replication { get; set; }

    /// <summary>Dial cluster peers (MIGRATE, peer group calls, health probes) with TLS (Redis's tls-cluster).</summary>
    public bool Cluster { get; set; }

    /// <summary>True when some listener or link uses TLS, so a certificate must be loaded.</summary>
    public bool Needed => Port > 0 || Http || Replication || Cluster;

    /// <summary>The client side for outgoing links, built from the same files; null before a successful load.</summary>
    public TlsClientOptions? Client => _loaded?.Client;

    /// <summary>Client options for cluster links when <see cref="Cluster"/> is on, else null (plain TCP).</summary>
    public TlsClientOptions? ForCluster => Cluster ? Client : null;

    /// <summary>Client options for replication links when <see cref="Replication"/> is on, else null.</summary>
    public TlsClientOptions? ForReplication => Replication ? Client : null;

    public static TlsSettings FromOptions(MagpieOptions o) => new()
    {
        Port = o.TlsPort,
        Http = o.HttpTls,
        CertFile = o.TlsCertFile,
        KeyFile = o.TlsKeyFile,
        KeyFilePass = o.TlsKeyFilePass,
        CaCertFile = o.TlsCaCertFile,
        AuthClients = o.TlsAuthClients,
        Protocols = o.TlsProtocols,
        Ciphersuites = o.TlsCiphersuites,
        Replication = o.TlsReplication,
        Cluster = o.TlsCluster,
    };

    /// <summary>Start-up check: one message per problem, naming the option.</summary>
    public static void Check(MagpieOptions o, List<string> errors)
    {
        if (o.TlsPort is < 0 or > 65535) errors.Add($"tls-port: must be between 0 and 65535 (got {o.TlsPort})");
        if (CheckAuthClients(o.TlsAuthClients) is { } a) errors.Add($"tls-auth-clients: {a}");
        if (!TryParseProtocols(o.TlsProtocols, out _, out var p)) errors.Add($"tls-protocols: {p}");
        if (!TryParseCiphersuites(o.TlsCiphersuites, out _, out var c)) errors.Add($"tls-ciphersuites: {c}");
        var settings = FromOptions(o);
        if (!settings.Needed) return;
        if (settings.Reload() is { } error) errors.Add(error);
    }

    public static string? CheckAuthClients(string value) =>
        value is "yes" or "no" or "optional" ? null : $"'{value}' must be one of yes, no, optional";

    /// <summary>
    /// Loads the certificate, key and CA from the configured files; on success the next handshake
    /// uses them, on failure nothing changes and the reason is returned (naming the option).
    /// </summary>
    public string? Reload()
    {
        if (CertFile.Length == 0) return "tls-cert-file: must be set when TLS is used (tls-port, http-tls, tls-replication or tls-cluster)";
        if (KeyFile.Length == 0) return "tls-key-file: must be set when TLS is used";
        if (CheckAuthClients(AuthClients) is { } a) return $"tls-auth-clients: {a}";
        if (CaCertFile.Length == 0 && ((Port > 0 && AuthClients != "no") || Cluster || Replication))
            return "tls-ca-cert-file: must be set when tls-auth-clients is yes or optional, or tls-cluster or tls-replication is on";
        if (!TryParseProtocols(Protocols, out var protocols, out var p)) return $"tls-protocols: {p}";
        if (!TryParseCiphersuites(Ciphersuites, out var suites, out var c)) return $"tls-ciphersuites: {c}";
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = KeyFilePass.Length > 0
                ? X509Certificate2.CreateFromEncryptedPemFile(CertFile, KeyFilePass, KeyFile)
                : X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
            chain.ImportFromPemFile(CertFile);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"tls-cert-file/tls-key-file: can't load '{CertFile}' with key '{KeyFile}': {ex.Message}";
        }
        var intermediates = new X509Certificate2Collection();
        foreach (var extra in chain)
            if (extra.Thumbprint != certificate.Thumbprint) intermediates.Add(extra);
        var authorities = new X509Certificate2Collection();
        if (CaCertFile.Length > 0)
        {
            try
            {
                authorities.ImportFromPemFile(CaCertFile);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                return $"tls-ca-cert-file: can't load '{CaCertFile}': {ex.Message}";
            }
            if (authorities.Count == 0) return $"tls-ca-cert-file: '{CaCertFile}' holds no certificate";
        }
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        _loaded = new Loaded(context, authorities, AuthClients, protocols, suites,
            new TlsClientOptions(certificate, authorities, protocols, suites));
        return null;
    }

    /// <summary>Options for one incoming RESP handshake (Kestrel's TLS middleware asks per connection).</summary>
    public SslServerAuthenticationOptions ServerOptions()
    {
        var loaded = _loaded ?? throw new InvalidOperationException("TLS certificates are not loaded");
        bool ask = loaded.AuthClients != "no";
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = loaded.Certificate,
            ClientCertificateRequired = ask,
            EnabledSslProtocols = loaded.Protocols,
            CipherSuitesPolicy = loaded.Suites,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => loaded.AcceptsClient(certificate),
        };
    }

    /// <summary>Options for one incoming HTTPS handshake: the same certificate, no client certificate asked.</summary>
    public SslServerAuthenticationOptions HttpsOptions()
    {
        var loaded = _loaded ?? throw new InvalidOperationException("TLS certificates are not loaded");
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = loaded.Certificate,
            EnabledSslProtocols = loaded.Protocols,
            CipherSuitesPolicy = loaded.Suites,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public static bool TryParseProtocols(string text, out SslProtocols protocols, out string? error)
    {
        protocols = SslProtocols.None;
        error = null;
        foreach (var word in text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            switch (word.ToLowerInvariant())
            {
                case "tlsv1.2": protocols |= SslProtocols.Tls12; break;
                case "tlsv1.3": protocols |= SslProtocols.Tls13; break;
                case "tlsv1" or "tlsv1.1":
                    error = $"'{word}' is not supported (TLSv1.2 and TLSv1.3 are)";
                    return false;
                default:
                    error = $"'{word}' is not a protocol (use TLSv1.2 and/or TLSv1.3)";
                    return false;
            }
        }
        return true;
    }

    public static bool TryParseCiphersuites(string text, out CipherSuitesPolicy? policy, out string? error)
    {
        policy = null;
        error = null;
        var names = text.Split([':', ' ', ','], StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) return true;
        var suites = new List<TlsCipherSuite>();
        foreach (var name in names)
        {
            if (!Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite) || int.TryParse(name, out _))
            {
                error = $"'{name}' is not a cipher suite name (e.g. TLS_AES_256_GCM_SHA384)";
                return false;
            }
            suites.Add(suite);
        }
        if (OperatingSystem.IsWindows())
        {
            error = "cipher suite lists are not supported on this platform";
            return false;
        }
        policy = new CipherSuitesPolicy(suites);
        return true;
    }

    private sealed record Loaded(
        SslStreamCertificateContext Certificate,
        X509Certificate2Collection Authorities,
        string AuthClients,
        SslProtocols Protocols,
        CipherSuitesPolicy? Suites,
        TlsClientOptions Client)
    {
        public bool AcceptsClient(X509Certificate? certificate)
        {
            if (certificate is null) return AuthClients != "yes";
            if (AuthClients == "no") return true;
            return TlsClientOptions.ChainsTo(certificate, Authorities);
        }
    }
}
