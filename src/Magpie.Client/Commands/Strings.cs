namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<MagpieValue> StringGetAsync(MagpieKey key) =>
        Send(Command("GET", 1, ToValue).Add(key));

    public Task<bool> StringSetAsync(MagpieKey key, MagpieValue value, TimeSpan? expiry = null, When when = When.Always) =>
        StringSetAsync(key, value, new StringSetOptions { Expiry = expiry, When = when });

    public Task<bool> StringSetAsync(MagpieKey key, MagpieValue value, StringSetOptions options)
    {
        int args = 2 + (options.Expiry.HasValue ? 2 : 0) + (options.When != When.Always ? 1 : 0) + (options.KeepTtl ? 1 : 0);
        var command = Command("SET", args, IsOk).Add(key).Add(value);
        if (options.Expiry is { } expiry) command.AddAscii("PX").Add(Math.Max(1, (long)expiry.TotalMilliseconds));
        if (options.When == When.NotExists) command.AddAscii("NX");
        else if (options.When == When.Exists) command.AddAscii("XX");
        if (options.KeepTtl) command.AddAscii("KEEPTTL");
        // SET replies OK, or null when NX/XX prevented the write.
        return Send(command);
    }

    public Task<long> StringIncrementAsync(MagpieKey key, long value = 1) =>
        Send(value == 1 ? Command("INCR", 1, AsInt64).Add(key) : Command("INCRBY", 2, AsInt64).Add(key).Add(value));

    public Task<double> StringIncrementAsync(MagpieKey key, double value) =>
        Send(Command("INCRBYFLOAT", 2, static r => r.AsDouble()).Add(key).Add((MagpieValue)value));
}
