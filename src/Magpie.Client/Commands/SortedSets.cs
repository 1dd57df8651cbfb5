using Magpie.Protocol.Replies;

namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<bool> SortedSetAddAsync(MagpieKey key, MagpieValue member, double score, When when = When.Always) =>
        Send(ZAdd(key, [new SortedSetEntry(member, score)], when, IsPositive));

    public Task<long> SortedSetAddAsync(MagpieKey key, SortedSetEntry[] entries, When when = When.Always) =>
        Send(ZAdd(key, entries, when, AsInt64));

    public Task<double?> SortedSetScoreAsync(MagpieKey key, MagpieValue member) =>
        Send(Command("ZSCORE", 2, static r => r.IsNull ? (double?)null : r.AsDouble()).Add(key).Add(member));

    public Task<MagpieValue[]> SortedSetRangeByRankAsync(MagpieKey key, long start = 0, long stop = -1, Order order = Order.Ascending) =>
        Send(RangeCommand(key, start, stop, order, ToValues));

    /// <summary>RESP3 pairs each member with its score in a nested array; RESP2 sends them flat.</summary>
    public Task<SortedSetEntry[]> SortedSetRangeByRankWithScoresAsync(MagpieKey key, long start = 0, long stop = -1, Order order = Order.Ascending) =>
        Send(RangeCommand(key, start, stop, order, static reply =>
        {
            var items = reply.Items;
            if (items.Length > 0 && items[0].Kind == RespValueKind.Array)
            {
                var nested = new SortedSetEntry[items.Length];
                for (int i = 0; i < nested.Length; i++) nested[i] = new SortedSetEntry(ToValue(items[i][0]), items[i][1].AsDouble());
                return nested;
            }
            var flat = new SortedSetEntry[items.Length / 2];
            for (int i = 0; i < flat.Length; i++) flat[i] = new SortedSetEntry(ToValue(items[2 * i]), items[2 * i + 1].AsDouble());
            return flat;
        }, withScores: true));

    private PendingCommand<T> ZAdd<T>(MagpieKey key, SortedSetEntry[] entries, When when, Func<RespValue, T> convert)
    {
        var command = Command("ZADD", 1 + (when != When.Always ? 1 : 0) + entries.Length * 2, convert).Add(key);
        if (when == When.NotExists) command.AddAscii("NX");
        else if (when == When.Exists) command.AddAscii("XX");
        foreach (var entry in entries) command.Add((MagpieValue)entry.Score).Add(entry.Element);
        return command;
    }

    private PendingCommand<T> RangeCommand<T>(MagpieKey key, long start, long stop, Order order, Func<RespValue, T> convert, bool withScores = false)
    {
        var command = Command(order == Order.Ascending ? "ZRANGE" : "ZREVRANGE", withScores ? 4 : 3, convert).Add(key).Add(start).Add(stop);
        if (withScores) command.AddAscii("WITHSCORES");
        return command;
    }
}
