namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<bool> SetAddAsync(MagpieKey key, MagpieValue value) =>
        Map(Send(Command("SADD", 2).Add(key).Add(value)), static r => r.AsInt64() > 0);

    public Task<long> SetAddAsync(MagpieKey key, MagpieValue[] values)
    {
        var command = Command("SADD", 1 + values.Length).Add(key);
        foreach (var value in values) command.Add(value);
        return Map(Send(command), static r => r.AsInt64());
    }

    public Task<bool> SetRemoveAsync(MagpieKey key, MagpieValue value) =>
        Map(Send(Command("SREM", 2).Add(key).Add(value)), static r => r.AsInt64() > 0);

    /// <summary>RESP3 answers with a set, RESP2 with an array.</summary>
    public Task<MagpieValue[]> SetMembersAsync(MagpieKey key) =>
        Map(Send(Command("SMEMBERS", 1).Add(key)), ToValues);

    public Task<bool> SetContainsAsync(MagpieKey key, MagpieValue value) =>
        Map(Send(Command("SISMEMBER", 2).Add(key).Add(value)), static r => r.AsBoolean());
}
