namespace Magpie.Protocol.Replies;

/// <summary>The bytes received are not valid RESP; the connection they came from cannot be trusted further.</summary>
public sealed class RespProtocolException(string message) : Exception(message);
