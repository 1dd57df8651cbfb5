namespace Magpie.Cluster;

/// <summary>
/// The ring's hash: FNV-1a over the bytes, finished with a 64-bit avalanche mix. Stable across
/// processes and machines (unlike <see cref="string.GetHashCode()"/>), so every node computes the same ring.
/// </summary>
internal static class RingHash
{
    public static ulong Of(ReadOnlySpan<byte> data)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in data)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return Mix(hash);
    }

    public static ulong Of(string text) => Of(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Position of a slot on the ring.</summary>
    public static ulong OfSlot(int slot) => Mix(0x9E3779B97F4A7C15UL * (ulong)(slot + 1));

    /// <summary>Position of a node's virtual point on the ring.</summary>
    public static ulong OfPoint(string nodeId, int point) => Of($"{nodeId}#{point}");

    // splitmix64 finaliser: every input bit affects every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
