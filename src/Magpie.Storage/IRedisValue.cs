namespace Magpie.Storage;

/// <summary>
/// A non-string value (hash, list, set, sorted set). Strings are stored as plain byte arrays to
/// save an object per key.
/// </summary>
public interface IRedisValue
{
    RedisType Type { get; }

    /// <summary>OBJECT ENCODING's answer for the current shape (listpack, hashtable, ...).</summary>
    string Encoding { get; }

    /// <summary>Estimated managed bytes held by the value, kept current by the value's own mutations.</summary>
    long EstimatedBytes { get; }

    /// <summary>Number of elements; a value that reaches zero is deleted with its key.</summary>
    long Count { get; }

    /// <summary>A deep copy, for COPY.</summary>
    IRedisValue Clone();
}
