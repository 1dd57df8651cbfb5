using System.Buffers;
using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// The replies parsed from one socket read, completed together on one thread-pool work item: one
/// thread hop per read instead of one per command, and callers' continuations never run on the
/// reader loop. Continuations must not block on a later reply (as with any multiplexer).
/// </summary>
internal sealed class CompletionBatch : IThreadPoolWorkItem
{
    private PendingCommand[] _commands;
    private RespValue[] _replies;

    public CompletionBatch(int capacity)
    {
        _commands = ArrayPool<PendingCommand>.Shared.Rent(capacity);
        _replies = ArrayPool<RespValue>.Shared.Rent(capacity);
    }

    public int Count { get; private set; }

    public void Add(PendingCommand command, in RespValue reply)
    {
        _commands[Count] = command;
        _replies[Count] = reply;
        Count++;
    }

    public void Execute()
    {
        for (int i = 0; i < Count; i++) _commands[i].Complete(_replies[i]);
        ArrayPool<PendingCommand>.Shared.Return(_commands, clearArray: true);
        ArrayPool<RespValue>.Shared.Return(_replies, clearArray: true);
        _commands = [];
        _replies = [];
    }
}
