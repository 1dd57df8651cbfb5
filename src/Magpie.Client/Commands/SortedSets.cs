using Magpie.Protocol.Replies;

namespace Magpie.Client;

internal abstract partial class MagpieCommands
{
    public Task<bool> SortedSetAddAsync(MagpieKey key, MagpieValue member, double score, When when = When.Always) =>
        Map(Send(ZAdd(key, [new SortedSetEntry(member, score)], when)), static r => r.AsInt64() > 0);

    public Task<long> SortedSetAddAsync(MagpieKey key, SortedSetEntry[] entries, When when = When.Always) =>
        Map(Send(ZAdd(key, entries, when)), static r => r.AsInt64());

    public Task<double?> SortedSetScoreAsync(MagpieKey key, MagpieValue member) =>
        Map(Send(Command("ZSCORE", 2).Add(key).Add(member)), static r => r.IsNull ? (double?)null : r.AsDouble());

    public Task<MagpieValue[]> SortedSetRangeByRankAsync(MagpieKey key, long start = 0, long stop = -1, Order order = Order.Ascending) =>
        Map(Send(RangeCommand(key, start, stop, order, withScores: false)), ToValues);

    /// <summary>RESP3 pairs each member with its score in a nested array; RESP2 sends them flat.</summary>
    public Task<SortedSetEntry[]> SortedSetRangeByRankWithScoresAsync(MagpieKey key, long start = 0, long stop = -1, Order order = Order.Ascending) =>
        Map(Send(RangeCommand(key, start, stop, order, withScores: true)), static reply =>
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
        });

    private PendingCommand ZAdd(MagpieKey key, SortedSetEntry[] entries, When when)
    {
        var command = Command("ZADD", 1 + (when != When.Always ? 1 : 0) + entries.Length * 2).Add(key);
        if (when == When.NotExists) command.AddAscii("NX");
        else if (when == When.Exists) command.AddAscii("XX");
        foreach (var entry in entries) command.Add((MagpieValue)entry.Score).Add(entry.Element);
        return command;
    }

    private PendingCommand RangeCommand(MagpieKey key, long start, long stop, Order order, bool withScores)
    {
        var command = Command(order == Order.Ascending ? "ZRANGE" : "ZREVRANGE", withScores ? 4 : 3).Add(key).Add(start).Add(stop);
        if (withScores) command.AddAscii("WITHSCORES");
        return command;
    }
}
