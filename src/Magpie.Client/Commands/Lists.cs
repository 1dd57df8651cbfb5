namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<long> ListLeftPushAsync(MagpieKey key, MagpieValue value) => Push("LPUSH", key, value);
    public Task<long> ListLeftPushAsync(MagpieKey key, MagpieValue[] values) => Push("LPUSH", key, values);
    public Task<long> ListRightPushAsync(MagpieKey key, MagpieValue value) => Push("RPUSH", key, value);
    public Task<long> ListRightPushAsync(MagpieKey key, MagpieValue[] values) => Push("RPUSH", key, values);

    public Task<MagpieValue> ListLeftPopAsync(MagpieKey key) => Map(Send(Command("LPOP", 1).Add(key)), ToValue);
    public Task<MagpieValue> ListRightPopAsync(MagpieKey key) => Map(Send(Command("RPOP", 1).Add(key)), ToValue);

    public Task<MagpieValue[]> ListRangeAsync(MagpieKey key, long start = 0, long stop = -1) =>
        Map(Send(Command("LRANGE", 3).Add(key).Add(start).Add(stop)), ToValues);

    private Task<long> Push(string name, MagpieKey key, MagpieValue value) =>
        Map(Send(Command(name, 2).Add(key).Add(value)), static r => r.AsInt64());

    private Task<long> Push(string name, MagpieKey key, MagpieValue[] values)
    {
        var command = Command(name, 1 + values.Length).Add(key);
        foreach (var value in values) command.Add(value);
        return Map(Send(command), static r => r.AsInt64());
    }
}
