namespace Magpie.Client;

/// <summary>
/// A cluster node answered MOVED (the slot lives elsewhere for good) or ASK (for this one command,
/// during a migration). Carries the slot and the endpoint to retry on.
/// </summary>
public sealed class MagpieRedirectException : MagpieServerException
{
    private MagpieRedirectException(string command, string error, bool isAsk, int slot, string endPoint) : base(command, error)
    {
        IsAsk = isAsk;
        Slot = slot;
        EndPoint = endPoint;
    }

    /// <summary>True for ASK (retry once with ASKING), false for MOVED (update the slot map).</summary>
    public bool IsAsk { get; }

    public int Slot { get; }

    /// <summary>"host:port" of the node that owns the slot.</summary>
    public string EndPoint { get; }

    /// <summary>Parses "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381".</summary>
    internal static bool TryParse(string command, string error, out MagpieRedirectException redirect)
    {
        redirect = null!;
        bool moved = error.StartsWith("MOVED ", StringComparison.Ordinal);
        if (!moved && !error.StartsWith("ASK ", StringComparison.Ordinal)) return false;
        var parts = error.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !int.TryParse(parts[1], out int slot)) return false;
        redirect = new MagpieRedirectException(command, error, !moved, slot, parts[2]);
        return true;
    }
}
