using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// The typed commands, written once: each builds its RESP encoding with the conversion of its reply.
/// Subclasses decide what "send" means: now (database), on Execute (batch), or inside MULTI/EXEC (transaction).
/// </summary>
internal abstract partial class MagpieCommands : IMagpieDatabaseAsync
{
    protected static readonly Func<RespValue, long> AsInt64 = static r => r.AsInt64();
    protected static readonly Func<RespValue, bool> IsPositive = static r => r.AsInt64() > 0;
    protected static readonly Func<RespValue, bool> IsOk = static r => !r.IsNull && r.AsBoolean();
    protected static readonly Func<RespValue, MagpieValue> ToValue = static r => r.IsNull ? MagpieValue.Null : MagpieValue.FromReply(r.Bytes ?? ToBytes(r));
    protected static readonly Func<RespValue, MagpieValue[]> ToValues = static r => ConvertValues(r);

    protected MagpieCommands(int database) => Database = database;

    public int Database { get; }

    /// <summary>Sends (or queues) a command and returns the task of its converted reply.</summary>
    protected abstract Task<T> Send<T>(PendingCommand<T> command);

    protected virtual PendingCommand<T> Command<T>(string name, int argCount, Func<RespValue, T> convert) => new(name, argCount, Database, convert);

    public Task<RespValue> ExecuteAsync(string command, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var pending = Command(parts[0].ToUpperInvariant(), parts.Length - 1 + args.Length, static r => r);
        for (int i = 1; i < parts.Length; i++) pending.AddAscii(parts[i]);
        foreach (var arg in args) pending.AddObject(arg);
        return Send(pending);
    }

    public Task<long> PublishAsync(string channel, MagpieValue message) =>
        Send(Command("PUBLISH", 2, AsInt64).Add(channel).Add(message));

    private static MagpieValue[] ConvertValues(RespValue reply)
    {
        if (reply.IsNull) return [];
        var items = reply.Items;
        var values = new MagpieValue[items.Length];
        for (int i = 0; i < values.Length; i++) values[i] = ToValue(items[i]);
        return values;
    }

    private static byte[] ToBytes(RespValue reply) => System.Text.Encoding.UTF8.GetBytes(reply.ToString());
}
