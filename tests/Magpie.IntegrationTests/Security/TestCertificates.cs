using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Security;

/// <summary>
/// A throw-away PKI made with openssl: a CA, two server certificates it signed (the second for the
/// reload test), a client certificate it signed, an untrusted self-signed client certificate and
/// the first server key encrypted with a password.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string KeyPassword = "key-secret";

    private TestCertificates(string dir) => Dir = dir;

    public string Dir { get; }

    public string Ca => Path.Combine(Dir, "ca.crt");
    public string ServerCert => Path.Combine(Dir, "server.crt");
    public string ServerKey => Path.Combine(Dir, "server.key");
    public string ServerKeyEncrypted => Path.Combine(Dir, "server.enc.key");
    public string Server2Cert => Path.Combine(Dir, "server2.crt");
    public string Server2Key => Path.Combine(Dir, "server2.key");
    public string ClientCert => Path.Combine(Dir, "client.crt");
    public string ClientKey => Path.Combine(Dir, "client.key");
    public string RogueCert => Path.Combine(Dir, "rogue.crt");
    public string RogueKey => Path.Combine(Dir, "rogue.key");

    public static async Task<TestCertificates> CreateAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "magpie-tls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var certs = new TestCertificates(dir);
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        await File.WriteAllTextAsync(Path.Combine(dir, "ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        await OpenSsl(dir, ["req", "-x509", .. ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Magpie Test CA"]);
        foreach (var (name, cn) in new[] { ("server", "localhost"), ("server2", "magpie-reloaded"), ("client", "magpie-client") })
        {
            await OpenSsl(dir, ["req", .. ec, "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn]);
            await OpenSsl(dir, ["x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", "ext.cnf"]);
        }
        await OpenSsl(dir, ["req", "-x509", .. ec, "-keyout", "rogue.key", "-out", "rogue.crt", "-days", "2", "-subj", "/CN=rogue"]);
        await OpenSsl(dir, ["pkcs8", "-topk8", "-in", "server.key", "-out", "server.enc.key", "-passout", "pass:" + KeyPassword]);
        return certs;
    }

    private static async Task OpenSsl(string dir, string[] args)
    {
        var result = await Tools.RunAsync("openssl", args, timeoutSeconds: 30, workingDirectory: dir);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {result.StdErr}");
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
