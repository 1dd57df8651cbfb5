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
    private readonly IMagpieSubscriber _subscriber = connection.GetSubscriber();

    public InvalidationMode Mode => InvalidationMode.PubSub;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _subscriber.SubscribeAsync(channel, OnMessage, cancellationToken).ConfigureAwait(false);
        connection.Connected += OnConnected;
    }

    public async ValueTask PublishAsync(string key, CancellationToken cancellationToken) =>
        await connection.GetDatabase().PublishAsync(channel, _instanceId + key).WaitAsync(cancellationToken).ConfigureAwait(false);

    private void OnMessage(string _, MagpieValue message)
    {
        var bytes = message.AsMemory().Span;
        if (bytes.Length < 32) return;
        if (Encoding.ASCII.GetString(bytes[..32]) == _instanceId) return;
        target.Invalidate(Encoding.UTF8.GetString(bytes[32..]));
    }

    // Subscribed after the first connect, so every Connected is a reconnect.
    private void OnConnected(MagpieConnection _) => target.Resync();

    public async ValueTask DisposeAsync()
    {
        connection.Connected -= OnConnected;
        await _subscriber.UnsubscribeAsync(channel, OnMessage).ConfigureAwait(false);
    }
}
