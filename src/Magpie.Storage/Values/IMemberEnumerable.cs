namespace Magpie.Storage.Values;

/// <summary>
/// A value whose members can be read as a plain set. ZUNION, ZINTER and ZDIFF accept SET values as
/// inputs (every member with score 1), so the set type implements this.
/// </summary>
public interface IMemberEnumerable
{
    /// <summary>Number of members.</summary>
    long Count { get; }

    bool ContainsMember(ReadOnlySpan<byte> member);

    /// <summary>Every member once, in no particular order. The arrays must not be modified.</summary>
    IEnumerable<byte[]> EnumerateMembers();
}
