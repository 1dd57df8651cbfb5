using System.Text.Json;

namespace Magpie.Client.Caching;

/// <summary>Turns values into bytes for remote levels.</summary>
public interface ICacheSerializer
{
    byte[] Serialize<T>(T value);

    T? Deserialize<T>(ReadOnlySpan<byte> payload);
}

/// <summary>System.Text.Json, except that byte arrays pass through untouched.</summary>
public sealed class JsonCacheSerializer(JsonSerializerOptions? options = null) : ICacheSerializer
{
    private readonly JsonSerializerOptions _options = options ?? JsonSerializerOptions.Default;

    public byte[] Serialize<T>(T value) => value is byte[] bytes ? bytes : JsonSerializer.SerializeToUtf8Bytes(value, _options);

    public T? Deserialize<T>(ReadOnlySpan<byte> payload) =>
        typeof(T) == typeof(byte[]) ? (T)(object)payload.ToArray() : JsonSerializer.Deserialize<T>(payload, _options);
}
