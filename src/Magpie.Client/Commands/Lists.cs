namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<long> ListLeftPushAsync(MagpieKey key, MagpieValue value) => Push("LPUSH", key, value);
    public Task<long> ListLeftPushAsync(MagpieKey key, MagpieValue[] values) => Push("LPUSH", key, values);
    public Task<long> ListRightPushAsync(MagpieKey key, MagpieValue value) => Push("RPUSH", key, value);
    public Task<long> ListRightPushAsync(MagpieKey key, MagpieValue[] values) => Push("RPUSH", key, values);

    public Task<MagpieValue> ListLeftPopAsync(MagpieKey key) => Send(Command("LPOP", 1, ToValue).Add(key));
    public Task<MagpieValue> ListRightPopAsync(MagpieKey key) => Send(Command("RPOP", 1, ToValue).Add(key));

    public Task<MagpieValue[]> ListRangeAsync(MagpieKey key, long start = 0, long stop = -1) =>
        Send(Command("LRANGE", 3, ToValues).Add(key).Add(start).Add(stop));

    private Task<long> Push(string name, MagpieKey key, MagpieValue value) =>
        Send(Command(name, 2, AsInt64).Add(key).Add(value));

    private Task<long> Push(string name, MagpieKey key, MagpieValue[] values)
    {
        var command = Command(name, 1 + values.Length, AsInt64).Add(key);
        foreach (var value in values) command.Add(value);
        return Send(command);
    }
}
