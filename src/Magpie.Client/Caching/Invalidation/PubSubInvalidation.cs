using System.Text;

namespace Magpie.Client.Caching;

/// <summary>
/// Invalidation over a pub/sub channel any Redis has. A message is this process's 32-character id
/// followed by the key, so a process ignores its own writes. Messages sent while a subscriber is
/// disconnected are lost, so every reconnect drops all local copies.
/// </summary>
internal sealed class PubSubInvalidation(MagpieConnection connection, string channel, InvalidationTarget target) : IInvalidationChannel
{
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly MagpieSubscriber _subscriber = (MagpieSubscriber)connection.GetSubscriber();

    public InvalidationMode Mode => InvalidationMode.PubSub;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _subscriber.SubscribeAsync(channel, OnMessage, cancellationToken).ConfigureAwait(false);
        // On RESP2 the subscription has its own socket, so listen to the subscriber, not the main connection.
        _subscriber.Resubscribed += target.Resync;
    }

    public async ValueTask PublishAsync(string key, CancellationToken cancellationToken)
    {
        // While disconnected our write could not reach the server either; don't wait out the sync timeout.
        if (connection.IsUnavailable)
            throw new MagpieConnectionException($"Cannot publish the invalidation of '{key}': {connection.EndPoint} is not connected.");
        await connection.GetDatabase().PublishAsync(channel, _instanceId + key).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnMessage(string _, MagpieValue message)
    {
        var bytes = message.AsMemory().Span;
        if (bytes.Length < 32) return;
        if (Encoding.ASCII.GetString(bytes[..32]) == _instanceId) return;
        target.Invalidate(Encoding.UTF8.GetString(bytes[32..]));
    }

    public ValueTask DisposeAsync()
    {
        _subscriber.Resubscribed -= target.Resync;
        // The handler is removed at once; the UNSUBSCRIBE itself is best effort, so disposing never
        // waits on (or fails because of) a server that is down.
        _subscriber.UnsubscribeAsync(channel, OnMessage).ContinueWith(static t => t.Exception,
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return ValueTask.CompletedTask;
    }
}
