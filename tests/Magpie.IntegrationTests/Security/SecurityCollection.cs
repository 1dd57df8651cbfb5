namespace Magpie.IntegrationTests.Security;

/// <summary>
/// Security tests start their own nodes and measure CPU time or push many connections; they run one
/// class at a time so their bounds hold on a busy machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecurityCollection
{
    public const string Name = "Security processes";
}
