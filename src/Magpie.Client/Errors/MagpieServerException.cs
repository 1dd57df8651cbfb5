namespace Magpie.Client;

/// <summary>The server answered a command with an error reply ("ERR ...", "WRONGTYPE ...").</summary>
public class MagpieServerException : MagpieException
{
    public MagpieServerException(string command, string error) : base($"{error} (command {command})")
    {
        Command = command;
        Error = error;
    }

    public string Command { get; }

    /// <summary>The error text as the server sent it.</summary>
    public string Error { get; }

    /// <summary>The error code: the first word, e.g. "ERR", "WRONGTYPE", "MOVED".</summary>
    public string Code => Error.IndexOf(' ') is var i and > 0 ? Error[..i] : Error;

    internal static MagpieServerException From(string command, string error)
    {
        if (MagpieRedirectException.TryParse(command, error, out var redirect)) return redirect;
        return new MagpieServerException(command, error);
    }
}
