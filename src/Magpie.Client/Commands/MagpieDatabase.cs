using Magpie.Protocol.Replies;

namespace Magpie.Client;

internal sealed class MagpieDatabase(MagpieConnection connection, int database) : MagpieCommands(database), IMagpieDatabase
{
    public MagpieConnection Connection { get; } = connection;

    protected override Task<RespValue> Send(PendingCommand command) => Connection.SendAsync(command);

    public IMagpieBatch CreateBatch() => new MagpieBatch(Connection, Database);

    public IMagpieTransaction CreateTransaction() => new MagpieTransaction(Connection, Database);
}
