using Magpie.Protocol.Replies;

namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<bool> HashSetAsync(MagpieKey key, MagpieValue field, MagpieValue value, When when = When.Always)
    {
        if (when == When.Exists) throw new ArgumentException("Redis has no HSET XX; use When.Always or When.NotExists.", nameof(when));
        var command = Command(when == When.NotExists ? "HSETNX" : "HSET", 3, IsPositive).Add(key).Add(field).Add(value);
        return Send(command);
    }

    public Task HashSetAsync(MagpieKey key, HashEntry[] fields)
    {
        var command = Command("HSET", 1 + fields.Length * 2, static r => r).Add(key);
        foreach (var entry in fields) command.Add(entry.Name).Add(entry.Value);
        return Send(command);
    }

    public Task<MagpieValue> HashGetAsync(MagpieKey key, MagpieValue field) =>
        Send(Command("HGET", 2, ToValue).Add(key).Add(field));

    /// <summary>RESP3 answers with a map, RESP2 with a flat array; both are flat field, value lists here.</summary>
    public Task<HashEntry[]> HashGetAllAsync(MagpieKey key) =>
        Send(Command("HGETALL", 1, static reply =>
        {
            var items = reply.Items;
            var entries = new HashEntry[items.Length / 2];
            for (int i = 0; i < entries.Length; i++)
                entries[i] = new HashEntry(ToValue(items[2 * i]), ToValue(items[2 * i + 1]));
            return entries;
        }).Add(key));

    public Task<bool> HashDeleteAsync(MagpieKey key, MagpieValue field) =>
        Send(Command("HDEL", 2, IsPositive).Add(key).Add(field));
}
