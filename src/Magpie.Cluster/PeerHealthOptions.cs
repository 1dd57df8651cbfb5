namespace Magpie.Cluster;

/// <summary>
/// How quickly peers are marked down and up again. A silent peer is marked down within
/// <c>ProbeInterval + ProbeTimeout</c> (times <see cref="FailuresBeforeDown"/>) by the probe loop
/// alone, and at once when requests to it fail.
/// </summary>
public sealed class PeerHealthOptions
{
    /// <summary>Time between two probes of every peer.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A probe that has not answered after this long has failed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Consecutive failures (request errors, timeouts, failed probes) that mark a peer down.</summary>
    public int FailuresBeforeDown { get; set; } = 1;

    public void Validate()
    {
        if (ProbeInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ProbeInterval), "must be positive");
        if (ProbeTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ProbeTimeout), "must be positive");
        if (FailuresBeforeDown < 1) throw new ArgumentOutOfRangeException(nameof(FailuresBeforeDown), "must be at least 1");
    }
}
