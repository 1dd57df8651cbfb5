using System.Text;
using Magpie.Protocol;
using Magpie.Protocol.Replies;
using Microsoft.Extensions.Logging;

namespace Magpie.Client;

/// <summary>
/// Subscriptions for one connection. On RESP3 they ride the main socket and messages arrive as
/// pushes; on RESP2 a subscribed socket can do nothing else, so a dedicated one is opened. Either
/// way the channels are subscribed again after every reconnect.
/// </summary>
internal sealed class MagpieSubscriber : IMagpieSubscriber
{
    private readonly MagpieConnection _main;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Action<string, MagpieValue>[]> _handlers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _setup = new(1, 1);
    private MagpieConnection? _channel; // the connection subscriptions live on

    public MagpieSubscriber(MagpieConnection main, ILogger logger)
    {
        _main = main;
        _logger = logger;
    }

    public async Task SubscribeAsync(string channel, Action<string, MagpieValue> handler, CancellationToken cancellationToken = default)
    {
        var connection = await GetChannelConnectionAsync(cancellationToken).ConfigureAwait(false);
        bool first;
        lock (_handlers)
        {
            first = !_handlers.TryGetValue(channel, out var existing);
            _handlers[channel] = first ? [handler] : [.. existing!, handler];
        }
        if (first) await SendSubscriptionAsync(connection, "SUBSCRIBE", channel).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UnsubscribeAsync(string channel, Action<string, MagpieValue>? handler = null, CancellationToken cancellationToken = default)
    {
        bool last;
        lock (_handlers)
        {
            if (!_handlers.TryGetValue(channel, out var existing)) return;
            var remaining = handler is null ? [] : existing.Where(h => h != handler).ToArray();
            last = remaining.Length == 0;
            if (last) _handlers.Remove(channel);
            else _handlers[channel] = remaining;
        }
        if (last && _channel is { } connection)
            await SendSubscriptionAsync(connection, "UNSUBSCRIBE", channel).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Raised when the subscription socket came back and channels were subscribed again: messages may have been missed.</summary>
    internal event Action? Resubscribed;

    public Task<long> PublishAsync(string channel, MagpieValue message) => _main.GetDatabase().PublishAsync(channel, message);

    private async Task<MagpieConnection> GetChannelConnectionAsync(CancellationToken ct)
    {
        if (_channel is { } ready) return ready;
        await _setup.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_channel is { } raced) return raced;
            // The protocol is known only once the main socket is up.
            await _main.WaitForConnectionAsync(ct).ConfigureAwait(false);
            MagpieConnection connection;
            if (_main.Protocol == RespVersion.Resp3)
            {
                connection = _main;
            }
            else
            {
                var options = _main.Options.Clone();
                options.Protocol = RespVersion.Resp2;
                connection = MagpieConnection.CreateSubscriberConnection(options, _logger);
            }
            connection.PushReceived += OnPush;
            connection.Connected += Resubscribe;
            _channel = connection;
            return connection;
        }
        finally
        {
            _setup.Release();
        }
    }

    private static Task SendSubscriptionAsync(MagpieConnection connection, string verb, string channel)
    {
        var command = PendingCommand.Raw(verb, 1).Add(channel);
        command.ReplyIsPush = true;
        return connection.SendAsync(command);
    }

    private void Resubscribe(MagpieConnection connection)
    {
        string[] channels;
        lock (_handlers) channels = _handlers.Keys.ToArray();
        foreach (var channel in channels)
        {
            SendSubscriptionAsync(connection, "SUBSCRIBE", channel).ContinueWith(
                t => ClientLog.ResubscribeFailed(_logger, channel, t.Exception!.GetBaseException().Message),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        Resubscribed?.Invoke();
    }

    /// <summary>["message", channel, payload] or ["pmessage", pattern, channel, payload]; other pushes are not ours.</summary>
    private void OnPush(RespValue push)
    {
        if (push.Count < 3) return;
        var kind = push[0].Span;
        int channelIndex;
        if (kind.SequenceEqual("message"u8)) channelIndex = 1;
        else if (kind.SequenceEqual("pmessage"u8) && push.Count >= 4) channelIndex = 2;
        else return;
        string channel = Encoding.UTF8.GetString(push[channelIndex].Span);
        Action<string, MagpieValue>[]? handlers;
        lock (_handlers) _handlers.TryGetValue(channel, out handlers);
        if (handlers is null) return;
        var payload = MagpieValue.FromReply(push[channelIndex + 1].Bytes);
        foreach (var handler in handlers)
        {
            try { handler(channel, payload); }
            catch (Exception ex) { ClientLog.SubscriptionHandlerFailed(_logger, channel, ex); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } connection)
        {
            connection.PushReceived -= OnPush;
            connection.Connected -= Resubscribe;
            if (!ReferenceEquals(connection, _main)) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
