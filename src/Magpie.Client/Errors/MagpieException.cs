namespace Magpie.Client;

/// <summary>Base of every error this client raises.</summary>
public class MagpieException : Exception
{
    public MagpieException(string message) : base(message) { }
    public MagpieException(string message, Exception? inner) : base(message, inner) { }
}
