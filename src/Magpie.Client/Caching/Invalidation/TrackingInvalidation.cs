using System.Text;
using Magpie.Protocol;
using Magpie.Protocol.Replies;

namespace Magpie.Client.Caching;

/// <summary>
/// Server-assisted invalidation: "CLIENT TRACKING on BCAST PREFIX p NOLOOP" on the RESP3 connection
/// makes the server push ["invalidate", [keys]] whenever another client writes a key under the prefix
/// (NOLOOP: not for this connection's own writes). A null key list means "flush everything". Tracking
/// lives on the socket, so it is turned on again, and local copies dropped, after every reconnect.
/// </summary>
internal sealed class TrackingInvalidation(MagpieConnection connection, string prefix, InvalidationTarget target) : IInvalidationChannel
{
    public InvalidationMode Mode => InvalidationMode.Tracking;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await connection.WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (connection.Protocol != RespVersion.Resp3)
            throw new NotSupportedException($"CLIENT TRACKING push invalidation needs RESP3; {connection.EndPoint} speaks RESP2.");
        connection.PushReceived += OnPush;
        try
        {
            await EnableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            connection.PushReceived -= OnPush;
            throw;
        }
        connection.Connected += OnReconnected;
    }

    public ValueTask PublishAsync(string key, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private Task EnableAsync() =>
        connection.GetDatabase().ExecuteAsync("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", prefix, "NOLOOP");

    private void OnPush(RespValue push)
    {
        if (push.Count < 2 || !push[0].Span.SequenceEqual("invalidate"u8)) return;
        var keys = push[1];
        if (keys.IsNull)
        {
            target.Resync(); // FLUSHALL / FLUSHDB, or the server dropped tracking state
            return;
        }
        foreach (var key in keys.Items)
        {
            var name = Encoding.UTF8.GetString(key.Span);
            if (name.StartsWith(prefix, StringComparison.Ordinal)) target.Invalidate(name[prefix.Length..]);
        }
    }

    private void OnReconnected(MagpieConnection _)
    {
        target.Resync();
        EnableAsync().ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public ValueTask DisposeAsync()
    {
        connection.PushReceived -= OnPush;
        connection.Connected -= OnReconnected;
        return ValueTask.CompletedTask;
    }
}
