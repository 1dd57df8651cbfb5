using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Security;

/// <summary>requirepass, AUTH, HELLO AUTH, ACL files, the HTTP API's credentials and protected mode, with real clients.</summary>
[Collection(SecurityCollection.Name)]
public class AuthenticationTests
{
    [Fact]
    public async Task Requirepass_locks_resp_until_auth_with_real_clients()
    {
        await using var node = await MagpieNode.StartAsync("--requirepass", "s3cret");
        using var conn = await RawConnection.OpenAsync(node.Port);
        Assert.Equal("-NOAUTH Authentication required.\r\n", await conn.RequestAsync("GET", "k"));
        Assert.StartsWith("-NOAUTH HELLO must be called with the client already authenticated", await conn.RequestAsync("HELLO", "3"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", await conn.RequestAsync("AUTH", "nope"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", await conn.RequestAsync("HELLO", "3", "AUTH", "bob", "x"));
        Assert.StartsWith("%7\r\n", await conn.RequestAsync("HELLO", "3", "AUTH", "default", "s3cret"));
        Assert.Equal("+OK\r\n", await conn.RequestAsync("SET", "k", "v"));

        var cli = await Tools.RunAsync("redis-cli", ["-p", node.Port.ToString(), "-a", "s3cret", "--no-auth-warning", "GET", "k"]);
        Assert.Equal("v", cli.StdOut.Trim());
        var denied = await Tools.RunAsync("redis-cli", ["-p", node.Port.ToString(), "GET", "k"]);
        Assert.Contains("NOAUTH", denied.StdOut + denied.StdErr);

        var py = await Tools.RunAsync(Tools.Python, ["-c",
            "import redis,sys\n" +
            $"r=redis.Redis(port={node.Port}, password='s3cret')\nprint(r.get('k').decode())\n" +
            $"r.execute_command('ACL','SETUSER','app','on','>apppw','~app:*','+@string')\n" +
            $"a=redis.Redis(port={node.Port}, username='app', password='apppw')\na.set('app:1','x')\nprint(a.get('app:1').decode())\n" +
            "try:\n  a.set('other','x')\nexcept redis.exceptions.NoPermissionError as e:\n  print('denied')\n"]);
        Assert.True(py.ExitCode == 0, py.StdErr);
        Assert.Equal("v\nx\ndenied", py.StdOut.Trim());

        var user = await Tools.RunAsync("redis-cli", ["-p", node.Port.ToString(), "--user", "app", "--pass", "apppw", "--no-auth-warning", "GET", "app:1"]);
        Assert.Equal("x", user.StdOut.Trim());

        // CONFIG SET requirepass "" opens the node again.
        Assert.Equal("+OK\r\n", await conn.RequestAsync("CONFIG", "SET", "requirepass", ""));
        using var fresh = await RawConnection.OpenAsync(node.Port);
        Assert.Equal("+PONG\r\n", await fresh.RequestAsync("PING"));
    }

    [Fact]
    public async Task Http_api_requires_credentials_once_a_password_is_set()
    {
        await using var node = await MagpieNode.StartAsync("--requirepass", "s3cret", "--http-token", "tok-123");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.HttpPort}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        var anonymous = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString());

        using var basic = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("default:s3cret")));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(basic)).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("default:nope")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok-123");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(bearer)).StatusCode);
    }

    [Fact]
    public async Task Acl_file_is_loaded_saved_and_reloaded()
    {
        var dir = Directory.CreateTempSubdirectory("magpie-acl-");
        try
        {
            var file = Path.Combine(dir.FullName, "users.acl");
            await File.WriteAllTextAsync(file, "user default on nopass ~* &* +@all\nuser reader on >rpw ~* resetchannels -@all +@read\n");
            await using var node = await MagpieNode.StartAsync("--aclfile", file);
            using var conn = await RawConnection.OpenAsync(node.Port);
            Assert.Equal("+OK\r\n", await conn.RequestAsync("AUTH", "reader", "rpw"));
            Assert.Equal("-NOPERM this user has no permissions to run the 'set' command\r\n", await conn.RequestAsync("SET", "a", "b"));
            Assert.Equal("$-1\r\n", await conn.RequestAsync("GET", "a"));

            using var admin = await RawConnection.OpenAsync(node.Port);
            Assert.Equal("+OK\r\n", await admin.RequestAsync("ACL", "SETUSER", "writer", "on", ">wpw", "~w:*", "+set"));
            Assert.Equal("+OK\r\n", await admin.RequestAsync("ACL", "SAVE"));
            var saved = await File.ReadAllTextAsync(file);
            Assert.Contains("user writer on #" + Sha256("wpw") + " ~w:* resetchannels -@all +set", saved);

            await File.WriteAllTextAsync(file, "user default on nopass ~* &* +@all\n");
            Assert.Equal("+OK\r\n", await admin.RequestAsync("ACL", "LOAD"));
            Assert.Equal("*1\r\n$7\r\ndefault\r\n", await admin.RequestAsync("ACL", "USERS"));
            // The reader no longer exists: its connection was closed.
            Assert.True(await conn.IsClosedByServerAsync());

            await File.WriteAllTextAsync(file, "user broken on +nosuch\n");
            Assert.StartsWith("-ERR " + file + ":1: Error in ACL SETUSER modifier '+nosuch'", await admin.RequestAsync("ACL", "LOAD"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Protected_mode_refuses_clients_that_are_not_on_loopback()
    {
        var external = Dns.GetHostAddresses(Dns.GetHostName()).Concat(NonLoopbackAddresses())
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        var bind = external is null ? "127.0.0.1" : $"127.0.0.1 {external}";
        await using var node = await MagpieNode.StartAsync("--bind", bind);
        using var local = await RawConnection.OpenAsync(node.Port);
        Assert.Equal("+PONG\r\n", await local.RequestAsync("PING"));
        Assert.EndsWith("$3\r\nyes\r\n", await local.RequestAsync("CONFIG", "GET", "protected-mode"));
        if (external is null) return; // no other interface on this machine: only the loopback half can be shown
        Assert.Contains("WARNING: listening on", node.Log);

        using var remote = new TcpClient();
        await remote.ConnectAsync(external, node.Port);
        var stream = remote.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var reply = await ReadAllAsync(stream);
        Assert.StartsWith("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user.", reply);

        // With a password, the same client is served (and asked to authenticate).
        Assert.Equal("+OK\r\n", await local.RequestAsync("CONFIG", "SET", "requirepass", "pw"));
        using var remote2 = new TcpClient();
        await remote2.ConnectAsync(external, node.Port);
        await remote2.GetStream().WriteAsync("PING\r\nQUIT\r\n"u8.ToArray());
        Assert.StartsWith("-NOAUTH Authentication required.", await ReadAllAsync(remote2.GetStream()));
    }

    private static IEnumerable<IPAddress> NonLoopbackAddresses() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address);

    private static async Task<string> ReadAllAsync(NetworkStream stream)
    {
        var sb = new StringBuilder();
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) sb.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
        return sb.ToString();
    }

    private static string Sha256(string s) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(s)));
}
