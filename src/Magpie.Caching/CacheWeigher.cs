namespace Magpie.Caching;

/// <summary>What an entry costs against a cache's byte budget.</summary>
public static class CacheWeigher
{
    /// <summary>
    /// Fixed cost of one entry beyond its key and value: the node object, its dictionary slot, and the
    /// array and string headers.
    /// </summary>
    public const int EntryOverhead = 128;

    /// <summary>UTF-16 key bytes + value bytes + <see cref="EntryOverhead"/>.</summary>
    public static long Weigh(string key, int valueLength) => 2L * key.Length + valueLength + EntryOverhead;

    /// <summary>The weigher of a byte-budgeted <see cref="WTinyLfuCache{TValue}"/> of byte arrays.</summary>
    public static long Weigh(string key, byte[] value) => Weigh(key, value.Length);
}
