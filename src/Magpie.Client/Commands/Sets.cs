namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<bool> SetAddAsync(MagpieKey key, MagpieValue value) =>
        Send(Command("SADD", 2, IsPositive).Add(key).Add(value));

    public Task<long> SetAddAsync(MagpieKey key, MagpieValue[] values)
    {
        var command = Command("SADD", 1 + values.Length, AsInt64).Add(key);
        foreach (var value in values) command.Add(value);
        return Send(command);
    }

    public Task<bool> SetRemoveAsync(MagpieKey key, MagpieValue value) =>
        Send(Command("SREM", 2, IsPositive).Add(key).Add(value));

    /// <summary>RESP3 answers with a set, RESP2 with an array.</summary>
    public Task<MagpieValue[]> SetMembersAsync(MagpieKey key) =>
        Send(Command("SMEMBERS", 1, ToValues).Add(key));

    public Task<bool> SetContainsAsync(MagpieKey key, MagpieValue value) =>
        Send(Command("SISMEMBER", 2, static r => r.AsBoolean()).Add(key).Add(value));
}
