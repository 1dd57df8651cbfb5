using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Magpie.Client.Tests.Fixtures;
using Magpie.Protocol;

namespace Magpie.Client.Tests.Connection;

/// <summary>Protocol negotiation and TLS: a server without HELLO, and redis-server over TLS.</summary>
public sealed class HandshakeTests
{
    [Fact(Timeout = 30_000)]
    public async Task Server_that_errors_on_HELLO_gets_RESP2_and_AUTH()
    {
        await using var server = new OldServer();
        await using var conn = await MagpieConnection.ConnectAsync(new MagpieConnectionOptions
        {
            Host = "127.0.0.1",
            Port = server.Port,
            Password = "pw",
            SyncTimeout = TimeSpan.FromSeconds(5),
        }).Within();
        Assert.Equal(RespVersion.Resp2, conn.Protocol);
        Assert.True((await conn.GetDatabase().ExecuteAsync("PING").Within()).IsSimple("PONG"u8));
        Assert.Equal(["HELLO", "AUTH", "PING"], server.Received);
    }

    [Fact(Timeout = 30_000)]
    public async Task Forcing_RESP3_on_a_server_without_HELLO_fails_clearly()
    {
        await using var server = new OldServer();
        var ex = await Assert.ThrowsAsync<MagpieConnectionException>(() => MagpieConnection.ConnectAsync(new MagpieConnectionOptions
        {
            Host = "127.0.0.1",
            Port = server.Port,
            Protocol = RespVersion.Resp3,
        }).Within());
        Assert.Contains("unknown command 'HELLO'", ex.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Ssl_connection_to_redis_over_tls()
    {
        var server = new RedisTlsServerFixture();
        await server.InitializeAsync();
        try
        {
            var options = server.CreateOptions(o =>
            {
                o.Ssl = true;
                o.SslHost = "localhost";
                o.CertificateValidation = (_, certificate, _, _) => certificate?.GetCertHashString() == server.Thumbprint;
            });
            await using var conn = await MagpieConnection.ConnectAsync(options).Within();
            var key = TestTimeouts.UniqueKey();
            Assert.True(await conn.GetDatabase().StringSetAsync(key, "secure").Within());
            Assert.Equal("secure", (string?)await conn.GetDatabase().StringGetAsync(key).Within());

            // Without trusting the self-signed certificate the connect fails.
            var untrusted = server.CreateOptions(o => { o.Ssl = true; o.SslHost = "localhost"; });
            await Assert.ThrowsAsync<MagpieConnectionException>(() => MagpieConnection.ConnectAsync(untrusted).Within());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>A minimal RESP2-only server (like Redis 5): HELLO is an unknown command.</summary>
    private sealed class OldServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _loop;

        public OldServer()
        {
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public List<string> Received { get; } = new();

        private async Task ServeAsync()
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var reader = PipeReader.Create(stream);
                var request = new RespRequest();
                while (true)
                {
                    var result = await reader.ReadAsync();
                    var buffer = result.Buffer;
                    while (RespRequestParser.TryParse(ref buffer, request, RespRequestParser.DefaultMaxBulkLength, out _) == RespParseStatus.Complete)
                    {
                        string name = request.GetString(0).ToUpperInvariant();
                        lock (Received) Received.Add(name);
                        var reply = name switch
                        {
                            "HELLO" => "-ERR unknown command 'HELLO', with args beginning with: '3'\r\n",
                            "AUTH" or "SELECT" => "+OK\r\n",
                            "PING" => "+PONG\r\n",
                            _ => "-ERR unknown command\r\n",
                        };
                        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(reply));
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted) return;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The client went away or the test ended.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
    }
}
