namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<bool> KeyDeleteAsync(MagpieKey key) =>
        Send(Command("DEL", 1, IsPositive).Add(key));

    public Task<long> KeyDeleteAsync(MagpieKey[] keys)
    {
        var command = Command("DEL", keys.Length, AsInt64);
        foreach (var key in keys) command.Add(key);
        return Send(command);
    }

    public Task<bool> KeyExistsAsync(MagpieKey key) =>
        Send(Command("EXISTS", 1, IsPositive).Add(key));

    public Task<bool> KeyExpireAsync(MagpieKey key, TimeSpan? expiry)
    {
        var command = expiry is { } ttl
            ? Command("PEXPIRE", 2, IsPositive).Add(key).Add(Math.Max(1, (long)ttl.TotalMilliseconds))
            : Command("PERSIST", 1, IsPositive).Add(key);
        return Send(command);
    }

    public Task<TimeSpan?> KeyTimeToLiveAsync(MagpieKey key) =>
        // PTTL: -2 no such key, -1 no expiry.
        Send(Command("PTTL", 1, static r => r.AsInt64() is var ms and >= 0 ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null).Add(key));
}
