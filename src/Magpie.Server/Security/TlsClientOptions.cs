using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Magpie.Client;

namespace Magpie.Server.Security;

/// <summary>
/// The client side of a TLS link this node dials (MIGRATE, peer group calls, replication): it
/// presents the node's own certificate (tls-cert-file, as Redis does without tls-client-cert-file)
/// and trusts peers whose certificate chains to tls-ca-cert-file. Like Redis 7.0 it does not check
/// the peer's host name, only the chain. Get one from <see cref="TlsSettings.ForCluster"/> or
/// <see cref="TlsSettings.ForReplication"/> (null there: dial plain TCP).
/// </summary>
public sealed class TlsClientOptions(
    X509Certificate2 certificate,
    X509Certificate2Collection authorities,
    SslProtocols protocols,
    CipherSuitesPolicy? suites)
{
    /// <summary>Opens TLS over a connected socket, blocking up to <paramref name="timeout"/> (for links used under the keyspace lock).</summary>
    /// <exception cref="AuthenticationException">The handshake failed or the peer's certificate is not trusted.</exception>
    /// <exception cref="IOException">The connection failed or timed out.</exception>
    public SslStream Authenticate(Socket socket, string host, TimeSpan timeout)
    {
        int ms = (int)Math.Max(1, timeout.TotalMilliseconds);
        socket.SendTimeout = socket.ReceiveTimeout = ms;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            ssl.AuthenticateAsClient(Create(host));
            return ssl;
        }
        catch
        {
            ssl.Dispose();
            throw;
        }
    }

    /// <summary>Opens TLS over <paramref name="stream"/> (a dialled NetworkStream).</summary>
    public async Task<SslStream> AuthenticateAsync(Stream stream, string host, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(Create(host), cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sets a Magpie.Client connection to dial with these options.</summary>
    public void ApplyTo(MagpieConnectionOptions options)
    {
        options.Ssl = true;
        options.ClientCertificates = [certificate];
        options.CertificateValidation = Validate;
    }

    public SslClientAuthenticationOptions Create(string host) => new()
    {
        TargetHost = host,
        ClientCertificates = [certificate],
        EnabledSslProtocols = protocols,
        CipherSuitesPolicy = suites,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = Validate,
    };

    /// <summary>Trusts a peer whose certificate chains to the CA file (or, without one, the platform's roots); host names are not checked.</summary>
    public bool Validate(object sender, X509Certificate? peer, X509Chain? chain, SslPolicyErrors errors)
    {
        if (peer is null) return false;
        if (authorities.Count == 0) return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        return ChainsTo(peer, authorities);
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (no revocation check).</summary>
    public static bool ChainsTo(X509Certificate certificate, X509Certificate2Collection authorities)
    {
        if (authorities.Count == 0) return false;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
