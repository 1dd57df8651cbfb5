namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>
/// Multi-process cluster tests measure failover against peer timeouts and count origin calls; they run
/// alone, not beside other test classes, so a busy 2-core machine does not turn a slow answer into a
/// peer marked down (and a second load).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster processes";
}
