using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Magpie.Groups;

/// <summary>UTF-8 JSON through System.Text.Json; pass a <see cref="JsonTypeInfo{T}"/> for source-generated (trim-safe) use.</summary>
public sealed class JsonCacheSerializer<T> : ICacheSerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    public JsonCacheSerializer(JsonSerializerOptions? options = null)
    {
        options ??= JsonSerializerOptions.Web;
        _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    public JsonCacheSerializer(JsonTypeInfo<T> typeInfo) => _typeInfo = typeInfo;

    public static JsonCacheSerializer<T> Default { get; } = new();

    public byte[] Serialize(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _typeInfo);

    public T Deserialize(ReadOnlySpan<byte> bytes) =>
        JsonSerializer.Deserialize(bytes, _typeInfo) ?? throw new JsonException($"Cached JSON for {typeof(T).Name} was null.");
}
