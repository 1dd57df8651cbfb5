namespace Magpie.Protocol.Replies;

/// <summary>The type of one RESP2/RESP3 reply element, named after its RESP type.</summary>
public enum RespValueKind : byte
{
    Null,
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
    Map,
    Set,
    Double,
    Boolean,
    Verbatim,
    BigNumber,
    Push,
}
