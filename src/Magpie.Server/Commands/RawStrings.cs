using System.Runtime.CompilerServices;

namespace Magpie.Server.Commands;

/// <summary>
/// Strings Redis would hold as a "raw" sds whatever their length: APPEND to and SETRANGE of an existing
/// string unshare it into a raw object, so OBJECT ENCODING says "raw" even for "ab" or "12". Magpie keeps
/// the bytes alone; this remembers, per value array, that it was made that way (weakly, so a replaced
/// value is forgotten with its array, and no field is added to every entry).
/// </summary>
internal static class RawStrings
{
    private static readonly ConditionalWeakTable<byte[], object> Marked = new();
    private static readonly object Mark = new();

    public static byte[] MarkRaw(byte[] value)
    {
        Marked.AddOrUpdate(value, Mark);
        return value;
    }

    public static bool IsRaw(byte[] value) => Marked.TryGetValue(value, out _);
}
