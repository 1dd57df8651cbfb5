using System.Net;
using System.Net.Sockets;

namespace Magpie.Client.Tests.Fixtures;

/// <summary>
/// A server the client suite runs against. Subclasses start a real process (redis-server, a Magpie
/// node) on a free loopback port; the abstract test classes take the fixture as a type parameter,
/// so the whole suite runs once per server kind.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string EndPoint => $"{Host}:{Port}";

    /// <summary>Whether the server implements RESP3 CLIENT TRACKING (BCAST); tests of that path check this.</summary>
    public abstract bool SupportsClientTracking { get; }

    /// <summary>A short name for messages ("redis", "magpie").</summary>
    public abstract string Name { get; }

    public async Task InitializeAsync()
    {
        Port = GetFreePort();
        await StartAsync().ConfigureAwait(false);
    }

    public Task DisposeAsync() => StopAsync();

    /// <summary>Starts the server on <see cref="Port"/> and returns once it accepts connections.</summary>
    public abstract Task StartAsync();

    /// <summary>Kills the server abruptly (no graceful shutdown), as a crash would.</summary>
    public abstract Task StopAsync();

    public MagpieConnectionOptions CreateOptions(Action<MagpieConnectionOptions>? configure = null)
    {
        var options = new MagpieConnectionOptions
        {
            Host = Host,
            Port = Port,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SyncTimeout = TimeSpan.FromSeconds(5),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        };
        configure?.Invoke(options);
        return options;
    }

    public Task<MagpieConnection> ConnectAsync(Action<MagpieConnectionOptions>? configure = null) =>
        MagpieConnection.ConnectAsync(CreateOptions(configure)).WaitAsync(TimeSpan.FromSeconds(10));

    protected static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Host, Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }
        }
    }
}
