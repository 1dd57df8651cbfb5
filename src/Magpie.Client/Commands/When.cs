namespace Magpie.Client;

/// <summary>When a write applies: always, only if the key (or field/member) exists, or only if it does not.</summary>
public enum When
{
    Always,
    Exists,
    NotExists,
}

/// <summary>Sort order for ranged sorted-set reads.</summary>
public enum Order
{
    Ascending,
    Descending,
}
