namespace Magpie.Server.Commands;

/// <summary>Redis's error texts, word for word.</summary>
public static class Errors
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string Syntax = "ERR syntax error";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string NoSuchKey = "ERR no such key";
    public const string IndexOutOfRange = "ERR index out of range";
    public const string InvalidExpire = "ERR invalid expire time in '{0}' command";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string Oom = "OOM command not allowed when used memory > 'maxmemory'.";
    public const string NotInMulti = "ERR {0} without MULTI";
    public const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";
    public const string NestedMulti = "ERR MULTI calls can not be nested";
    public const string WatchInMulti = "ERR WATCH inside MULTI is not allowed";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

    public static string WrongArity(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string UnknownSubcommand(string subcommand, string container) =>
        $"ERR unknown subcommand '{Truncate(subcommand)}'. Try {container.ToUpperInvariant()} HELP.";

    public static string UnknownCommand(string name, IEnumerable<string> args) =>
        $"ERR unknown command '{Truncate(name)}', with args beginning with: {string.Concat(args.Select(a => $"'{Truncate(a)}' "))}";

    private static string Truncate(string s) => s.Length > 128 ? s[..128] : s;
}
