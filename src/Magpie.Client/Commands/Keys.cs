namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<bool> KeyDeleteAsync(MagpieKey key) =>
        Map(Send(Command("DEL", 1).Add(key)), static r => r.AsInt64() > 0);

    public Task<long> KeyDeleteAsync(MagpieKey[] keys)
    {
        var command = Command("DEL", keys.Length);
        foreach (var key in keys) command.Add(key);
        return Map(Send(command), static r => r.AsInt64());
    }

    public Task<bool> KeyExistsAsync(MagpieKey key) =>
        Map(Send(Command("EXISTS", 1).Add(key)), static r => r.AsInt64() > 0);

    public Task<bool> KeyExpireAsync(MagpieKey key, TimeSpan? expiry)
    {
        var command = expiry is { } ttl
            ? Command("PEXPIRE", 2).Add(key).Add(Math.Max(1, (long)ttl.TotalMilliseconds))
            : Command("PERSIST", 1).Add(key);
        return Map(Send(command), static r => r.AsInt64() > 0);
    }

    public Task<TimeSpan?> KeyTimeToLiveAsync(MagpieKey key) =>
        // PTTL: -2 no such key, -1 no expiry.
        Map(Send(Command("PTTL", 1).Add(key)), static r => r.AsInt64() is var ms and >= 0 ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null);
}
