using Magpie.Protocol;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;
using Magpie.Storage;

namespace Magpie.Server.Commands;

/// <summary>
/// What a command handler sees: the arguments, the reply writer, the client and the node. One
/// instance per connection, reused for every command.
/// </summary>
public sealed class CommandContext
{
    public CommandContext(ServerState server, ClientSession client, RespRequest request)
    {
        Server = server;
        Client = client;
        Request = request;
    }

    public ServerState Server { get; }

    public ClientSession Client { get; }

    public RespRequest Request { get; internal set; }

    public CommandSpec Command { get; internal set; } = null!;

    public RespWriter Reply => Client.Writer;

    public Keyspace Keyspace => Server.Keyspace;

    public Database Db => Server.Keyspace[Client.Database];

    public int ArgCount => Request.Count;

    public ReadOnlySpan<byte> Arg(int index) => Request[index];

    public byte[] ArgBytes(int index) => Request.ToArray(index);

    public string ArgString(int index) => Request.GetString(index);

    /// <summary>Case-insensitive comparison of an argument with a lowercase ASCII keyword.</summary>
    public bool ArgIs(int index, ReadOnlySpan<byte> lowercaseKeyword) => RedisNumbers.EqualsIgnoreCase(Request[index], lowercaseKeyword);

    /// <summary>Set by a handler when an error reply was written, for failed_calls and error stats.</summary>
    public bool Failed { get; private set; }

    /// <summary>Set by QUIT and protocol errors: close once the reply is flushed.</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>
    /// Set by a blocking command (BLPOP, ...) that must wait: the connection stops running commands,
    /// flushes, and awaits this task. Whoever completes it has already written the reply.
    /// </summary>
    public Task? BlockUntil { get; set; }

    /// <summary>Unix milliseconds, read once per command like Redis's cached mstime.</summary>
    public long Now { get; internal set; }

    public void Error(string message)
    {
        Failed = true;
        Server.Stats.TotalErrorReplies++;
        Reply.WriteError(message);
    }

    internal void ResetForCommand()
    {
        Failed = false;
    }

    public bool TryGetInt64(int index, out long value)
    {
        if (RedisNumbers.TryParseInt64(Arg(index), out value)) return true;
        Error(Errors.NotInteger);
        return false;
    }

    public bool TryGetDouble(int index, out double value)
    {
        if (RedisNumbers.TryParseDouble(Arg(index), out value)) return true;
        Error(Errors.NotFloat);
        return false;
    }

    public void WrongType() => Error(Errors.WrongType);

    public void SyntaxError() => Error(Errors.Syntax);

    public void WrongArity() => Error(Errors.WrongArity(Command.FullName));
}
