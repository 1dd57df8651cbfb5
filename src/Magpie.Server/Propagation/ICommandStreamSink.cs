namespace Magpie.Server.Propagation;

/// <summary>
/// One consumer of the node's write stream, Redis's propagate(): the append-only file and the
/// replication backlog. It receives whole RESP commands in execution order, under the keyspace
/// lock, already rewritten as Redis propagates them (absolute expiry times, a script's effects,
/// DEL for expired and evicted keys) and with a SELECT wherever the database changes.
/// </summary>
public interface ICommandStreamSink
{
    void Append(ReadOnlySpan<byte> respCommands);
}
