namespace Magpie.Client;

internal sealed class MagpieDatabase(MagpieConnection connection, int database) : MagpieCommands(database), IMagpieDatabase
{
    public MagpieConnection Connection { get; } = connection;

    protected override Task<T> Send<T>(PendingCommand<T> command)
    {
        Connection.Enqueue(command);
        return command.Task;
    }

    public IMagpieBatch CreateBatch() => new MagpieBatch(Connection, Database);

    public IMagpieTransaction CreateTransaction() => new MagpieTransaction(Connection, Database);
}
