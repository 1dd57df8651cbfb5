namespace Magpie.Storage;

/// <summary>Estimates of managed memory, matching the 64-bit CLR's object layout.</summary>
public static class MemorySize
{
    /// <summary>An <see cref="Entry"/> object plus its share of the bucket array.</summary>
    public const long EntryOverhead = 64 + 12;

    /// <summary>Managed size of an <see cref="Entry"/> object alone (checked by a unit test).</summary>
    public const long EntryObject = 64;

    /// <summary>Object header plus method table pointer.</summary>
    public const long ObjectHeader = 16;

    /// <summary>A byte[] of the given length: header, length, data, rounded up to 8 bytes.</summary>
    public static long Array(long length) => (24 + length + 7) & ~7L;

    /// <summary>A reference array or list slot.</summary>
    public const long Reference = 8;
}
