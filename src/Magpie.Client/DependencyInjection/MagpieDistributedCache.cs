using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Caching.Distributed;

namespace Magpie.Client.DependencyInjection;

/// <summary>
/// <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> over a Magpie/Redis database.
/// A value is stored as a 17-byte header (version, absolute expiry in Unix ms or -1, sliding window in
/// ms or -1) followed by the data; the key's server TTL is the nearer of the two, and a read with a
/// sliding window pushes the TTL out again. The synchronous methods exist because the interface has
/// them; they block on the async path, so ASP.NET code should use the async ones.
/// </summary>
public sealed class MagpieDistributedCache(IMagpieDatabase database, string keyPrefix = "") : IBufferDistributedCache
{
    private const byte Version = 1;
    private const int HeaderSize = 17;

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var writer = new ArrayBufferWriter<byte>();
        return await TryGetAsync(key, writer, token).ConfigureAwait(false) ? writer.WrittenSpan.ToArray() : null;
    }

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var value = await database.StringGetAsync(keyPrefix + key).WaitAsync(token).ConfigureAwait(false);
        if (value.IsNull) return false;
        var bytes = value.AsMemory();
        if (bytes.Length < HeaderSize || bytes.Span[0] != Version) return false;
        await SlideAsync(key, bytes.Span, token).ConfigureAwait(false);
        destination.Write(bytes.Span[HeaderSize..]);
        return true;
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        SetAsync(key, new ReadOnlySequence<byte>(value), options, token).AsTask();

    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        var now = DateTimeOffset.UtcNow;
        long absolute = AbsoluteExpiration(options, now)?.ToUnixTimeMilliseconds() ?? -1;
        long sliding = options.SlidingExpiration is { } s ? (long)s.TotalMilliseconds : -1;
        var stored = new byte[HeaderSize + value.Length];
        stored[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(stored.AsSpan(1), absolute);
        BinaryPrimitives.WriteInt64LittleEndian(stored.AsSpan(9), sliding);
        value.CopyTo(stored.AsSpan(HeaderSize));
        var ttl = TimeToLive(absolute, sliding, now);
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            await RemoveAsync(key, token).ConfigureAwait(false);
            return;
        }
        await database.StringSetAsync(keyPrefix + key, stored, ttl).WaitAsync(token).ConfigureAwait(false);
    }

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        var value = await database.StringGetAsync(keyPrefix + key).WaitAsync(token).ConfigureAwait(false);
        if (!value.IsNull && value.GetByteCount() >= HeaderSize) await SlideAsync(key, value.AsMemory().Span, token).ConfigureAwait(false);
    }

    public Task RemoveAsync(string key, CancellationToken token = default) =>
        database.KeyDeleteAsync(keyPrefix + key).WaitAsync(token);

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public bool TryGet(string key, IBufferWriter<byte> destination) => TryGetAsync(key, destination).AsTask().GetAwaiter().GetResult();

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options).AsTask().GetAwaiter().GetResult();

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <summary>With a sliding window, each read pushes the server TTL out to min(now + window, absolute expiry).</summary>
    private Task SlideAsync(string key, ReadOnlySpan<byte> stored, CancellationToken token)
    {
        long absolute = BinaryPrimitives.ReadInt64LittleEndian(stored[1..]);
        long sliding = BinaryPrimitives.ReadInt64LittleEndian(stored[9..]);
        if (sliding <= 0) return Task.CompletedTask;
        var ttl = TimeToLive(absolute, sliding, DateTimeOffset.UtcNow);
        return ttl is { } t && t > TimeSpan.Zero ? database.KeyExpireAsync(keyPrefix + key, t).WaitAsync(token) : Task.CompletedTask;
    }

    private static TimeSpan? TimeToLive(long absoluteUnixMs, long slidingMs, DateTimeOffset now)
    {
        TimeSpan? ttl = null;
        if (absoluteUnixMs >= 0) ttl = DateTimeOffset.FromUnixTimeMilliseconds(absoluteUnixMs) - now;
        if (slidingMs > 0 && (ttl is null || ttl > TimeSpan.FromMilliseconds(slidingMs))) ttl = TimeSpan.FromMilliseconds(slidingMs);
        return ttl;
    }

    private static DateTimeOffset? AbsoluteExpiration(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        if (options.AbsoluteExpirationRelativeToNow is { } relative) return now + relative;
        return options.AbsoluteExpiration;
    }
}
