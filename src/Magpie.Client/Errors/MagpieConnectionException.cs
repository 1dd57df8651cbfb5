namespace Magpie.Client;

/// <summary>The connection could not be made, or was lost before a command's reply arrived.</summary>
public sealed class MagpieConnectionException : MagpieException
{
    public MagpieConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}
