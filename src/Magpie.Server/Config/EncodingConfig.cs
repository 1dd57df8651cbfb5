using Magpie.Storage.Values;

namespace Magpie.Server.Config;

/// <summary>
/// The encoding thresholds of Redis 7.0, settable with CONFIG SET (the "ziplist" names are aliases of
/// the "listpack" ones) and read by the value types when they decide to convert. Process-wide, as a
/// node is one process. Lists are always "quicklist" in 7.0, so the list options are kept and
/// reported but change no encoding.
/// </summary>
public static class EncodingConfig
{
    public static int ListMaxListpackSize { get; set; } = -2;

    public static int ListCompressDepth { get; set; }

    public static void Register(ConfigRegistry r)
    {
        foreach (var kind in (string[])["listpack", "ziplist"])
        {
            r.Add($"hash-max-{kind}-entries", () => RedisHash.MaxListpackEntries.ToString(), v => SetSize(v, n => RedisHash.MaxListpackEntries = n));
            r.Add($"hash-max-{kind}-value", () => RedisHash.MaxListpackValue.ToString(), v => SetSize(v, n => RedisHash.MaxListpackValue = n));
            r.Add($"zset-max-{kind}-entries", () => RedisSortedSet.MaxListpackEntries.ToString(), v => SetSize(v, n => RedisSortedSet.MaxListpackEntries = n));
            r.Add($"zset-max-{kind}-value", () => RedisSortedSet.MaxListpackValue.ToString(), v => SetSize(v, n => RedisSortedSet.MaxListpackValue = n));
            r.Add($"list-max-{kind}-size", () => ListMaxListpackSize.ToString(), v => SetInt(v, int.MinValue, n => ListMaxListpackSize = n));
        }
        r.Add("set-max-intset-entries", () => RedisSet.MaxIntsetEntries.ToString(), v => SetSize(v, n => RedisSet.MaxIntsetEntries = n));
        r.Add("list-compress-depth", () => ListCompressDepth.ToString(), v => SetInt(v, 0, n => ListCompressDepth = n));
    }

    private static string? SetSize(string value, Action<int> apply) => SetInt(value, 0, apply);

    private static string? SetInt(string value, int min, Action<int> apply)
    {
        if (!long.TryParse(value, out long n) || n < min) return "argument couldn't be parsed into an integer";
        apply((int)Math.Min(n, int.MaxValue));
        return null;
    }
}
