namespace Magpie.Client;

internal sealed class MagpieDatabase(MagpieConnection connection, int database) : MagpieCommands(database), IMagpieDatabase
{
    public MagpieConnection Connection { get; } = connection;

    /// <summary>In cluster mode commands learn their slot as keys are added, so they can be routed.</summary>
    protected override PendingCommand<T> Command<T>(string name, int argCount, Func<Magpie.Protocol.Replies.RespValue, T> convert)
    {
        var command = base.Command(name, argCount, convert);
        Connection.Router?.Track(command);
        return command;
    }

    protected override Task<T> Send<T>(PendingCommand<T> command)
    {
        if (Connection.Router is { } router) router.Send(command);
        else Connection.Enqueue(command);
        return command.Task;
    }

    public IMagpieBatch CreateBatch() => new MagpieBatch(Connection, Database);

    public IMagpieTransaction CreateTransaction() => new MagpieTransaction(Connection, Database);
}
