using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>Typed commands, named as StackExchange.Redis names them. Implemented by databases, batches and transactions.</summary>
public interface IMagpieDatabaseAsync
{
    /// <summary>The database number commands run in.</summary>
    int Database { get; }

    /// <summary>Any command, for what has no typed method. Arguments may be strings, bytes, numbers, keys or values.</summary>
    Task<RespValue> ExecuteAsync(string command, params object?[] args);

    Task<MagpieValue> StringGetAsync(MagpieKey key);
    Task<bool> StringSetAsync(MagpieKey key, MagpieValue value, TimeSpan? expiry = null, When when = When.Always);
    Task<bool> StringSetAsync(MagpieKey key, MagpieValue value, StringSetOptions options);
    Task<long> StringIncrementAsync(MagpieKey key, long value = 1);
    Task<double> StringIncrementAsync(MagpieKey key, double value);

    Task<bool> KeyDeleteAsync(MagpieKey key);
    Task<long> KeyDeleteAsync(MagpieKey[] keys);
    Task<bool> KeyExistsAsync(MagpieKey key);
    /// <summary>Sets a time to live; null removes it (PERSIST).</summary>
    Task<bool> KeyExpireAsync(MagpieKey key, TimeSpan? expiry);
    /// <summary>The remaining time to live, or null when the key has none or does not exist.</summary>
    Task<TimeSpan?> KeyTimeToLiveAsync(MagpieKey key);

    Task<bool> HashSetAsync(MagpieKey key, MagpieValue field, MagpieValue value, When when = When.Always);
    Task HashSetAsync(MagpieKey key, HashEntry[] fields);
    Task<MagpieValue> HashGetAsync(MagpieKey key, MagpieValue field);
    Task<HashEntry[]> HashGetAllAsync(MagpieKey key);
    Task<bool> HashDeleteAsync(MagpieKey key, MagpieValue field);

    Task<long> ListLeftPushAsync(MagpieKey key, MagpieValue value);
    Task<long> ListLeftPushAsync(MagpieKey key, MagpieValue[] values);
    Task<long> ListRightPushAsync(MagpieKey key, MagpieValue value);
    Task<long> ListRightPushAsync(MagpieKey key, MagpieValue[] values);
    Task<MagpieValue> ListLeftPopAsync(MagpieKey key);
    Task<MagpieValue> ListRightPopAsync(MagpieKey key);
    Task<MagpieValue[]> ListRangeAsync(MagpieKey key, long start = 0, long stop = -1);

    Task<bool> SetAddAsync(MagpieKey key, MagpieValue value);
    Task<long> SetAddAsync(MagpieKey key, MagpieValue[] values);
    Task<bool> SetRemoveAsync(MagpieKey key, MagpieValue value);
    Task<MagpieValue[]> SetMembersAsync(MagpieKey key);
    Task<bool> SetContainsAsync(MagpieKey key, MagpieValue value);

    Task<bool> SortedSetAddAsync(MagpieKey key, MagpieValue member, double score, When when = When.Always);
    Task<long> SortedSetAddAsync(MagpieKey key, SortedSetEntry[] entries, When when = When.Always);
    Task<double?> SortedSetScoreAsync(MagpieKey key, MagpieValue member);
    Task<MagpieValue[]> SortedSetRangeByRankAsync(MagpieKey key, long start = 0, long stop = -1, Order order = Order.Ascending);
    Task<SortedSetEntry[]> SortedSetRangeByRankWithScoresAsync(MagpieKey key, long start = 0, long stop = -1, Order order = Order.Ascending);

    /// <summary>Publishes a message; returns how many subscribers received it.</summary>
    Task<long> PublishAsync(string channel, MagpieValue message);
}
