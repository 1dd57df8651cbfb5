namespace Magpie.Protocol;

public enum RespParseStatus
{
    /// <summary>A whole command was parsed and consumed.</summary>
    Complete,
    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,
    /// <summary>The input is not valid RESP. The error text is Redis's; the connection should be closed after replying.</summary>
    ProtocolError,
}
