using System.Buffers;
using System.CommandLine;
using System.Text;
using Magpie.Client;
using Magpie.Protocol;
using Magpie.Protocol.Replies;

namespace Magpie;

/// <summary>
/// `magpie cli`: a small redis-cli. Runs one command given as arguments, or reads commands line by
/// line (with redis-cli's quoting) from the terminal or a pipe.
/// </summary>
internal static class CliCommand
{
    public static Command Create()
    {
        var command = new Command("cli", "Talk to a Magpie (or Redis) node: run one command, or read commands from standard input.");
        var host = new Option<string>("--host") { Description = "server host (default 127.0.0.1)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "server port (default 6379)", DefaultValueFactory = _ => 6379 };
        var words = new Argument<string[]>("command") { Description = "command and arguments, e.g. SET greeting hello", Arity = ArgumentArity.ZeroOrMore };
        command.Options.Add(host);
        command.Options.Add(port);
        command.Arguments.Add(words);
        command.SetAction(async (parse, ct) =>
        {
            var options = new MagpieConnectionOptions { Host = parse.GetValue(host)!, Port = parse.GetValue(port) };
            MagpieConnection connection;
            try
            {
                connection = await MagpieConnection.ConnectAsync(options, cancellationToken: ct);
            }
            catch (Exception ex) when (ex is MagpieException or IOException or TimeoutException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
            await using (connection)
            {
                var args = parse.GetValue(words) ?? [];
                if (args.Length > 0) return await RunAsync(connection, args.Select(Encoding.UTF8.GetBytes).ToArray()) ? 0 : 1;
                bool interactive = !Console.IsInputRedirected;
                while (true)
                {
                    if (interactive) Console.Write($"{options.Host}:{options.Port}> ");
                    var line = Console.ReadLine();
                    if (line is null) return 0;
                    if (!TrySplit(line, out var parts))
                    {
                        Console.WriteLine("Invalid argument(s)");
                        continue;
                    }
                    if (parts.Length == 0) continue;
                    if (parts.Length == 1 && Encoding.UTF8.GetString(parts[0]).Equals("quit", StringComparison.OrdinalIgnoreCase)) return 0;
                    await RunAsync(connection, parts);
                }
            }
        });
        return command;
    }

    private static async Task<bool> RunAsync(MagpieConnection connection, byte[][] parts)
    {
        try
        {
            var reply = await connection.GetDatabase().ExecuteAsync(Encoding.UTF8.GetString(parts[0]), parts[1..]);
            Console.Write(ReplyFormatter.Format(reply));
            return true;
        }
        catch (MagpieServerException ex)
        {
            Console.WriteLine($"(error) {ex.Error}");
            return false;
        }
    }

    /// <summary>Splits a line with redis-cli's quoting rules (the server's inline-command parser).</summary>
    private static bool TrySplit(string line, out byte[][] parts)
    {
        var request = new RespRequest();
        var sequence = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(line + "\n"));
        parts = [];
        var status = RespRequestParser.TryParse(ref sequence, request, RespRequestParser.DefaultMaxBulkLength, out _);
        if (status == RespParseStatus.ProtocolError) return false;
        parts = Enumerable.Range(0, request.Count).Select(request.ToArray).ToArray();
        return true;
    }
}
