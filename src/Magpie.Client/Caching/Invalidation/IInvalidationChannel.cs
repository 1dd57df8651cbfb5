namespace Magpie.Client.Caching;

/// <summary>Delivers "key changed" news between processes. Both callbacks run on the connection's reader loop.</summary>
internal interface IInvalidationChannel : IAsyncDisposable
{
    InvalidationMode Mode { get; }

    /// <summary>Starts listening. Throws if the server cannot do this mode.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Tells the other processes that <paramref name="key"/> changed (a no-op where the server does it).</summary>
    ValueTask PublishAsync(string key, CancellationToken cancellationToken);
}

/// <summary>What a channel calls: one key changed, or "you may have missed some; drop everything".</summary>
internal readonly record struct InvalidationTarget(Action<string> Invalidate, Action Resync);
