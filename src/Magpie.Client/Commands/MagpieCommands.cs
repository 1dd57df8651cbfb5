using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// The typed commands, written once: each builds its RESP encoding and converts the reply. Subclasses
/// decide what "send" means: now (database), on Execute (batch), or inside MULTI/EXEC (transaction).
/// </summary>
internal abstract partial class MagpieCommands : IMagpieDatabaseAsync
{
    protected MagpieCommands(int database) => Database = database;

    public int Database { get; }

    /// <summary>Sends (or queues) a command and returns the task of its reply.</summary>
    protected abstract Task<RespValue> Send(PendingCommand command);

    protected PendingCommand Command(string name, int argCount) => new(name, argCount, Database);

    public Task<RespValue> ExecuteAsync(string command, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var pending = Command(parts[0].ToUpperInvariant(), parts.Length - 1 + args.Length);
        for (int i = 1; i < parts.Length; i++) pending.AddAscii(parts[i]);
        foreach (var arg in args) pending.AddObject(arg);
        return Send(pending);
    }

    public Task<long> PublishAsync(string channel, MagpieValue message) =>
        Map(Send(Command("PUBLISH", 2).Add(channel).Add(message)), static r => r.AsInt64());

    /// <summary>Converts a reply once it arrives. One small state machine per call; no closure for static converters.</summary>
    protected static async Task<T> Map<T>(Task<RespValue> reply, Func<RespValue, T> convert) =>
        convert(await reply.ConfigureAwait(false));

    protected static MagpieValue ToValue(RespValue reply) => reply.IsNull ? MagpieValue.Null : MagpieValue.FromReply(reply.Bytes ?? ToBytes(reply));

    protected static MagpieValue[] ToValues(RespValue reply)
    {
        if (reply.IsNull) return [];
        var items = reply.Items;
        var values = new MagpieValue[items.Length];
        for (int i = 0; i < values.Length; i++) values[i] = ToValue(items[i]);
        return values;
    }

    protected static bool IsOk(RespValue reply) => !reply.IsNull && reply.AsBoolean();

    private static byte[] ToBytes(RespValue reply) => System.Text.Encoding.UTF8.GetBytes(reply.ToString());
}
