namespace Magpie.Client;

/// <summary>Fluent argument building that keeps the command's concrete type.</summary>
internal static class PendingCommandArguments
{
    public static TCommand Add<TCommand>(this TCommand command, MagpieKey key) where TCommand : PendingCommand
    {
        command.AppendKey(key);
        return command;
    }

    public static TCommand Add<TCommand>(this TCommand command, MagpieValue value) where TCommand : PendingCommand
    {
        command.AppendValue(value);
        return command;
    }

    public static TCommand Add<TCommand>(this TCommand command, string text) where TCommand : PendingCommand
    {
        command.AppendValue(text);
        return command;
    }

    public static TCommand Add<TCommand>(this TCommand command, long number) where TCommand : PendingCommand
    {
        command.AppendNumber(number);
        return command;
    }

    public static TCommand AddAscii<TCommand>(this TCommand command, string word) where TCommand : PendingCommand
    {
        command.AppendAscii(word);
        return command;
    }

    public static TCommand AddObject<TCommand>(this TCommand command, object? arg) where TCommand : PendingCommand
    {
        command.AppendObject(arg);
        return command;
    }
}
