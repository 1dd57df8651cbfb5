using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Magpie.Client;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Security;

/// <summary>
/// Two nodes with certificates made by openssl: one with a plain port, a TLS port requiring client
/// certificates, HTTPS and --tls-cluster; one TLS-only (--port 0) with TLS 1.3 only and no client
/// certificates asked. Real clients: redis-cli, redis-py, ioredis, Magpie.Client.
/// </summary>
public sealed class TlsFixture : IAsyncLifetime
{
    public TestCertificates Certs { get; private set; } = null!;
    public MagpieNode Node { get; private set; } = null!;
    public int TlsPort { get; private set; }
    public MagpieNode TlsOnly { get; private set; } = null!;
    public int TlsOnlyPort { get; private set; }

    public async Task InitializeAsync()
    {
        Certs = await TestCertificates.CreateAsync();
        TlsPort = MagpieNode.FreePort();
        TlsOnlyPort = MagpieNode.FreePort();
        var main = MagpieNode.StartAsync("--tls-port", TlsPort.ToString(), "--tls-cert-file", Certs.ServerCert, "--tls-key-file", Certs.ServerKey,
            "--tls-ca-cert-file", Certs.Ca, "--http-tls", "yes", "--tls-cluster", "yes");
        var only = MagpieNode.StartWithArgsAsync(TlsOnlyPort, MagpieNode.FreePort(), "--port", "0", "--tls-port", TlsOnlyPort.ToString(),
            "--tls-cert-file", Certs.ServerCert, "--tls-key-file", Certs.ServerKey, "--tls-ca-cert-file", Certs.Ca,
            "--tls-auth-clients", "no", "--tls-protocols", "TLSv1.3");
        Node = await main;
        TlsOnly = await only;
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await TlsOnly.DisposeAsync();
        Certs.Dispose();
    }
}

public sealed class TlsTests(TlsFixture fx) : IClassFixture<TlsFixture>
{
    private TestCertificates Certs => fx.Certs;

    private Task<ProcessResult> Cli(int port, string[] tls, params string[] command) =>
        Tools.RunAsync("redis-cli", ["-p", port.ToString(), "--tls", "--cacert", Certs.Ca, .. tls, .. command], timeoutSeconds: 30);

    [Fact]
    public async Task Redis_cli_with_a_client_certificate_is_served_and_without_one_is_refused()
    {
        var ok = await Cli(fx.TlsPort, ["--cert", Certs.ClientCert, "--key", Certs.ClientKey], "SET", "cli:tls", "v1");
        Assert.Equal("OK", ok.StdOut.Trim());
        var get = await Cli(fx.TlsPort, ["--cert", Certs.ClientCert, "--key", Certs.ClientKey], "GET", "cli:tls");
        Assert.Equal("v1", get.StdOut.Trim());

        var none = await Cli(fx.TlsPort, [], "PING");
        Assert.DoesNotContain("PONG", none.StdOut);
        var rogue = await Cli(fx.TlsPort, ["--cert", Certs.RogueCert, "--key", Certs.RogueKey], "PING");
        Assert.DoesNotContain("PONG", rogue.StdOut);
        // The plain port still serves, and the refused handshakes left the node unharmed.
        Assert.Equal("v1", await Tools.RedisCliAsync(fx.Node.Port, "GET", "cli:tls"));
    }

    [Fact]
    public async Task Redis_py_with_ssl_and_a_ca()
    {
        const string script = """
            import redis, sys
            r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]), ssl=True, ssl_ca_certs=sys.argv[2],
                            ssl_certfile=sys.argv[3] or None, ssl_keyfile=sys.argv[4] or None, socket_timeout=10)
            r.set('py:tls', 'hello')
            print(r.get('py:tls').decode(), r.ping())
            """;
        var withCert = await Tools.RunAsync(Tools.Python, ["-c", script, fx.TlsPort.ToString(), Certs.Ca, Certs.ClientCert, Certs.ClientKey], timeoutSeconds: 30);
        Assert.True(withCert.ExitCode == 0, withCert.StdErr);
        Assert.Equal("hello True", withCert.StdOut.Trim());
        // The TLS-only node asks for no client certificate.
        var noCert = await Tools.RunAsync(Tools.Python, ["-c", script, fx.TlsOnlyPort.ToString(), Certs.Ca, "", ""], timeoutSeconds: 30);
        Assert.True(noCert.ExitCode == 0, noCert.StdErr);
        Assert.Equal("hello True", noCert.StdOut.Trim());
    }

    [Fact]
    public async Task Ioredis_with_tls()
    {
        const string script = """
            const Redis = require('ioredis'); const fs = require('fs');
            const [port, ca, cert, key] = process.argv.slice(1);
            const r = new Redis({ host: '127.0.0.1', port: +port, maxRetriesPerRequest: 1, retryStrategy: () => null,
              tls: { ca: fs.readFileSync(ca), cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
            (async () => { await r.set('io:tls', 'node'); console.log(await r.get('io:tls')); r.disconnect(); })()
              .catch(e => { console.error(e); process.exit(1); });
            """;
        var result = await Tools.RunAsync("node", ["-e", script, fx.TlsPort.ToString(), Certs.Ca, Certs.ClientCert, Certs.ClientKey],
            timeoutSeconds: 30, env: new Dictionary<string, string> { ["NODE_PATH"] = NodeModules() });
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Equal("node", result.StdOut.Trim());
    }

    [Fact]
    public async Task Magpie_client_with_tls_and_a_client_certificate()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Certs.Ca);
        using var client = X509Certificate2.CreateFromPemFile(Certs.ClientCert, Certs.ClientKey);
        await using var connection = await MagpieConnection.ConnectAsync(new MagpieConnectionOptions
        {
            Host = "127.0.0.1",
            Port = fx.TlsPort,
            Ssl = true,
            SslHost = "localhost",
            ClientCertificates = [client],
            CertificateValidation = (_, cert, _, _) => cert is not null && ChainsTo(cert, ca),
        });
        var db = connection.GetDatabase();
        Assert.True(await db.StringSetAsync("client:tls", "magpie"));
        Assert.Equal("magpie", (string?)await db.StringGetAsync("client:tls"));
    }

    [Fact]
    public async Task A_plaintext_client_on_the_tls_port_is_dropped_without_harm()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fx.TlsPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync("PING\r\nSET plain:attack x\r\n"u8.ToArray());
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        int total = 0;
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) break;
                total += n;
            }
        }
        catch (IOException) { /* reset: also dropped */ }
        Assert.DoesNotContain("PONG", Encoding.ASCII.GetString(buffer, 0, Math.Min(total, buffer.Length)));
        Assert.Equal("0", await Tools.RedisCliAsync(fx.Node.Port, "EXISTS", "plain:attack"));
        Assert.Equal("PONG", await Tools.RedisCliAsync(fx.Node.Port, "PING"));
        Assert.False(fx.Node.HasExited);
    }

    [Fact]
    public async Task Tls_only_node_has_no_plain_port_and_refuses_tls_1_2()
    {
        // --port 0 with --tls-port: nothing listens in clear (the fixture's plain --port was not given).
        using var tls12 = new TcpClient();
        await tls12.ConnectAsync(IPAddress.Loopback, fx.TlsOnlyPort);
        using var ssl = new SslStream(tls12.GetStream(), false, (_, _, _, _) => true);
        await Assert.ThrowsAnyAsync<Exception>(() => ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12,
        }).WaitAsync(TimeSpan.FromSeconds(15)));
        var get = await Cli(fx.TlsOnlyPort, [], "CONFIG", "GET", "tls-protocols");
        Assert.Equal("tls-protocols\nTLSv1.3", get.StdOut.Trim());
        var port = await Cli(fx.TlsOnlyPort, [], "CONFIG", "GET", "port");
        Assert.Equal("port\n0", port.StdOut.Trim());
    }

    [Fact]
    public async Task Config_get_shows_tls_settings_with_redis_names()
    {
        var all = await Tools.RedisCliAsync(fx.Node.Port, "CONFIG", "GET", "tls-*");
        var pairs = ToPairs(all);
        Assert.Equal(fx.TlsPort.ToString(), pairs["tls-port"]);
        Assert.Equal(Certs.ServerCert, pairs["tls-cert-file"]);
        Assert.Equal(Certs.ServerKey, pairs["tls-key-file"]);
        Assert.Equal(Certs.Ca, pairs["tls-ca-cert-file"]);
        Assert.Equal("yes", pairs["tls-auth-clients"]);
        Assert.Equal("yes", pairs["tls-cluster"]);
        Assert.Equal("no", pairs["tls-replication"]);
        var bad = await Tools.RedisCliAsync(fx.Node.Port, "CONFIG", "SET", "tls-auth-clients", "maybe");
        Assert.StartsWith("ERR CONFIG SET failed (possibly related to argument 'tls-auth-clients')", bad);
    }

    [Fact]
    public async Task Config_set_reloads_the_certificate_for_the_next_handshake()
    {
        Assert.Contains("CN=localhost", await PresentedSubject());
        try
        {
            Assert.Equal("OK", await Tools.RedisCliAsync(fx.Node.Port, "CONFIG", "SET", "tls-cert-file", Certs.Server2Cert, "tls-key-file", Certs.Server2Key));
            Assert.Contains("CN=magpie-reloaded", await PresentedSubject());

            // A file that does not load changes nothing.
            var bad = await Tools.RedisCliAsync(fx.Node.Port, "CONFIG", "SET", "tls-cert-file", Path.Combine(Certs.Dir, "missing.crt"));
            Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.", bad);
            Assert.Equal($"tls-cert-file\n{Certs.Server2Cert}", await Tools.RedisCliAsync(fx.Node.Port, "CONFIG", "GET", "tls-cert-file"));
            Assert.Contains("CN=magpie-reloaded", await PresentedSubject());

            // An encrypted key with its password (tls-key-file-pass).
            Assert.Equal("OK", await Tools.RedisCliAsync(fx.Node.Port, "CONFIG", "SET", "tls-cert-file", Certs.ServerCert,
                "tls-key-file", Certs.ServerKeyEncrypted, "tls-key-file-pass", TestCertificates.KeyPassword));
            Assert.Contains("CN=localhost", await PresentedSubject());
        }
        finally
        {
            await Tools.RedisCliAsync(fx.Node.Port, "CONFIG", "SET", "tls-cert-file", Certs.ServerCert, "tls-key-file", Certs.ServerKey, "tls-key-file-pass", "");
        }
    }

    [Fact]
    public async Task Https_serves_the_http_api()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Certs.Ca);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && ChainsTo(cert, ca) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        var body = await http.GetStringAsync($"https://localhost:{fx.Node.HttpPort}/health");
        Assert.Contains("ok", body);
    }

    [Fact]
    public async Task Migrate_with_tls_cluster_dials_the_target_over_tls()
    {
        await Tools.RedisCliAsync(fx.Node.Port, "SET", "mig:tls", "moved");
        var reply = await Tools.RedisCliAsync(fx.Node.Port, "MIGRATE", "127.0.0.1", fx.TlsOnlyPort.ToString(), "mig:tls", "0", "5000");
        Assert.Equal("OK", reply);
        var get = await Cli(fx.TlsOnlyPort, [], "GET", "mig:tls");
        Assert.Equal("moved", get.StdOut.Trim());
        Assert.Equal("0", await Tools.RedisCliAsync(fx.Node.Port, "EXISTS", "mig:tls"));
    }

    [Fact]
    public async Task A_replica_with_tls_replication_syncs_over_tls_and_a_plaintext_one_cannot()
    {
        var set = await Cli(fx.TlsOnlyPort, [], "SET", "repl:tls", "over-tls");
        Assert.Equal("OK", set.StdOut.Trim());
        await using var replica = await MagpieNode.StartAsync("--replicaof", $"127.0.0.1 {fx.TlsOnlyPort}", "--tls-replication", "yes",
            "--tls-cert-file", Certs.ClientCert, "--tls-key-file", Certs.ClientKey, "--tls-ca-cert-file", Certs.Ca);
        await using var plain = await MagpieNode.StartAsync("--replicaof", $"127.0.0.1 {fx.TlsOnlyPort}");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Tools.RedisCliAsync(replica.Port, "GET", "repl:tls") != "over-tls" && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal("over-tls", await Tools.RedisCliAsync(replica.Port, "GET", "repl:tls"));
        Assert.Contains("master_link_status:up", await Tools.RedisCliAsync(replica.Port, "INFO", "replication"));
        // The live stream arrives over the same TLS link.
        Assert.Equal("OK", (await Cli(fx.TlsOnlyPort, [], "SET", "repl:tls:live", "streamed")).StdOut.Trim());
        while (await Tools.RedisCliAsync(replica.Port, "GET", "repl:tls:live") != "streamed" && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal("streamed", await Tools.RedisCliAsync(replica.Port, "GET", "repl:tls:live"));
        // Without --tls-replication the handshake never completes: the link stays down, the node serves on.
        Assert.Contains("master_link_status:down", await Tools.RedisCliAsync(plain.Port, "INFO", "replication"));
        Assert.Equal("", await Tools.RedisCliAsync(plain.Port, "GET", "repl:tls"));
        Assert.Equal("PONG", await Tools.RedisCliAsync(plain.Port, "PING"));
    }

    private async Task<string> PresentedSubject()
    {
        using var client = X509Certificate2.CreateFromPemFile(Certs.ClientCert, Certs.ClientKey);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fx.TlsPort);
        string subject = "";
        using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            subject = cert?.Subject ?? "";
            return true;
        });
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", ClientCertificates = [client] })
            .WaitAsync(TimeSpan.FromSeconds(15));
        await ssl.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[16];
        int n = await ssl.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("+PONG\r\n", Encoding.ASCII.GetString(buffer, 0, n));
        return subject;
    }

    private static bool ChainsTo(X509Certificate cert, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
    }

    private static Dictionary<string, string> ToPairs(string lines)
    {
        var parts = lines.Split('\n');
        var map = new Dictionary<string, string>();
        for (int i = 0; i + 1 < parts.Length; i += 2) map[parts[i]] = parts[i + 1];
        return map;
    }

    private static string NodeModules()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Magpie.slnx"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "tests", "Magpie.IntegrationTests", "node", "node_modules");
    }
}
