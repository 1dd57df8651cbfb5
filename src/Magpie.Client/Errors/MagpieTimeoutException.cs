namespace Magpie.Client;

/// <summary>A command's reply did not arrive within the sync timeout. The message says which command, where, and how busy the connection was.</summary>
public sealed class MagpieTimeoutException : MagpieException
{
    public MagpieTimeoutException(string command, string endpoint, long elapsedMs, int queued, int inFlight, bool connected)
        : base($"Timeout after {elapsedMs} ms waiting for reply to {command} on {endpoint} ({queued} commands queued, {inFlight} in flight{(connected ? "" : ", disconnected")})")
    {
        Command = command;
        EndPoint = endpoint;
        ElapsedMilliseconds = elapsedMs;
        Queued = queued;
        InFlight = inFlight;
    }

    public string Command { get; }
    public string EndPoint { get; }
    public long ElapsedMilliseconds { get; }
    public int Queued { get; }
    public int InFlight { get; }
}
