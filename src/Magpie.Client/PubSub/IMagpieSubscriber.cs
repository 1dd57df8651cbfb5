namespace Magpie.Client;

/// <summary>Pub/sub. Handlers run on the connection's reader loop: keep them short and non-blocking.</summary>
public interface IMagpieSubscriber : IAsyncDisposable
{
    /// <summary>Subscribes <paramref name="handler"/> to <paramref name="channel"/>; completes once the server confirmed.</summary>
    Task SubscribeAsync(string channel, Action<string, MagpieValue> handler, CancellationToken cancellationToken = default);

    /// <summary>Removes one handler, or all handlers of the channel when <paramref name="handler"/> is null.</summary>
    Task UnsubscribeAsync(string channel, Action<string, MagpieValue>? handler = null, CancellationToken cancellationToken = default);

    Task<long> PublishAsync(string channel, MagpieValue message);
}
