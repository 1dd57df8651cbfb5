namespace Magpie.Groups;

/// <summary>Turns typed values into the bytes a group stores, and back.</summary>
public interface ICacheSerializer<T>
{
    byte[] Serialize(T value);

    T Deserialize(ReadOnlySpan<byte> bytes);
}
