using System.Collections.Concurrent;
using Magpie.Client;
using Magpie.Cluster;
using Microsoft.Extensions.Logging;

namespace Magpie.Server.Peers;

/// <summary>
/// One <see cref="MagpieConnection"/> per peer RESP endpoint, created on first use and reused by every
/// group call and health probe. A first connect that fails is forgotten, so the next call tries again
/// at once; a connection that drops later reconnects by itself in the background.
/// </summary>
/// <remarks>
/// When the cluster's nodes require a password, every peer link authenticates with
/// <paramref name="user"/> and <paramref name="password"/> (--peer-user/--peer-password, the
/// counterpart of Redis's masteruser/masterauth); replication and MIGRATE are to reuse them.
/// With --tls-cluster they dial with TLS (<see cref="Security.TlsClientOptions"/>).
/// </remarks>
public sealed class PeerConnections(TimeSpan peerTimeout, ILoggerFactory loggerFactory, string? user = null, string? password = null, Security.TlsSettings? tls = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<MagpieConnection>>> _connections = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger("Magpie.Peers");
    private volatile bool _disposed;

    /// <summary>The database of <paramref name="peer"/>'s connection, connecting first if needed.</summary>
    public async Task<IMagpieDatabase> DatabaseAsync(NodeInfo peer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _connections.GetOrAdd(peer.Endpoint, endpoint => new Lazy<Task<MagpieConnection>>(() => ConnectAsync(endpoint)));
        try
        {
            var connection = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return connection.GetDatabase();
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            _connections.TryRemove(new KeyValuePair<string, Lazy<Task<MagpieConnection>>>(peer.Endpoint, lazy));
            throw;
        }
    }

    private Task<MagpieConnection> ConnectAsync(string endpoint)
    {
        if (!PeerList.TrySplitEndpoint(endpoint, out string host, out int port)) throw new ArgumentException($"'{endpoint}' is not host:port");
        var options = new MagpieConnectionOptions
        {
            Host = host,
            Port = port,
            ConnectTimeout = peerTimeout,
            SyncTimeout = peerTimeout,
            ClientName = "magpie-peer",
            User = string.IsNullOrEmpty(user) ? null : user,
            Password = string.IsNullOrEmpty(password) ? null : password,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        };
        // --tls-cluster: peer links present this node's certificate and check the peer's against the CA.
        tls?.ForCluster?.ApplyTo(options);
        return MagpieConnection.ConnectAsync(options, _logger);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var lazy in _connections.Values)
        {
            if (!lazy.IsValueCreated) continue;
            try
            {
                var connection = await lazy.Value.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MagpieException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // It never connected: nothing to close.
            }
        }
        _connections.Clear();
    }
}
