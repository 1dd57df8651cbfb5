using Magpie.Server.Commands;

namespace Magpie.Server.Persistence;

/// <summary>
/// Told of every write command that completed without an error, under the keyspace lock, in the
/// order commands ran (<see cref="Hosting.ServerState.Propagate"/>). Persistence counts changes
/// here; the append-only file and replication stream commands from the same point.
/// </summary>
public interface ICommandPropagator
{
    void Propagate(CommandContext ctx);
}
