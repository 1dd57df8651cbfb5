using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Magpie.Client.Tests.Fixtures;

/// <summary>redis-server listening only on TLS, with a self-signed certificate made for the run.</summary>
public sealed class RedisTlsServerFixture : RedisServerFixture
{
    private readonly string _directory = Directory.CreateTempSubdirectory("magpie-tls-").FullName;

    public RedisTlsServerFixture()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        Thumbprint = certificate.Thumbprint;
    }

    public string Thumbprint { get; }

    private string CertificatePath => Path.Combine(_directory, "server.crt");
    private string KeyPath => Path.Combine(_directory, "server.key");

    public override string Name => "redis-tls";

    protected override IEnumerable<string> Arguments() =>
    [
        "--port", "0", "--tls-port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--tls-cert-file", CertificatePath, "--tls-key-file", KeyPath, "--tls-ca-cert-file", CertificatePath, "--tls-auth-clients", "no",
    ];
}
