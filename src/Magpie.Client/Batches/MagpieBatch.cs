namespace Magpie.Client;

internal sealed class MagpieBatch(MagpieConnection connection, int database) : MagpieCommands(database), IMagpieBatch
{
    private readonly List<PendingCommand> _commands = new();

    protected override Task<T> Send<T>(PendingCommand<T> command)
    {
        lock (_commands) _commands.Add(command);
        return command.Task;
    }

    public void Execute()
    {
        PendingCommand[] commands;
        lock (_commands)
        {
            commands = _commands.ToArray();
            _commands.Clear();
        }
        if (commands.Length > 0) connection.SendAll(commands);
    }
}
