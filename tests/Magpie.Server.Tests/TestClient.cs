using System.Buffers;
using System.Text;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;

namespace Magpie.Server.Tests;

/// <summary>
/// Runs commands in-process against a node's state, the way a connection would, and returns the
/// raw RESP reply. For testing command logic; the real socket path is covered by the integration tests.
/// </summary>
public sealed class TestClient
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly CommandContext _ctx;

    public TestClient(ServerState? server = null)
    {
        Server = server ?? new ServerState(new MagpieOptions());
        Session = new ClientSession(Server.Clients.NextId(), null, new RespWriter(_output), Server.Keyspace.Clock());
        Server.Clients.Add(Session);
        _ctx = new CommandContext(Server, Session, new RespRequest());
    }

    public ServerState Server { get; }

    public ClientSession Session { get; }

    public CommandContext Context => _ctx;

    /// <summary>Runs one command and returns its RESP reply text.</summary>
    public string Run(params string[] args)
    {
        var bytes = Encoding.UTF8.GetBytes(Encode(args));
        var sequence = new ReadOnlySequence<byte>(bytes);
        var status = RespRequestParser.TryParse(ref sequence, _ctx.Request, Server.MaxBulkLength, out var error);
        Assert.Equal(RespParseStatus.Complete, status);
        lock (Server.Keyspace.Sync) Server.Dispatcher.Execute(_ctx);
        return TakeOutput();
    }

    /// <summary>Whatever was written to this client since the last read (pushes from other clients included).</summary>
    public string TakeOutput()
    {
        var text = Encoding.UTF8.GetString(_output.WrittenSpan);
        _output.Clear();
        return text;
    }

    public static string Encode(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return sb.ToString();
    }

    // Reply builders, to keep assertions readable.
    public static string Bulk(string s) => $"${Encoding.UTF8.GetByteCount(s)}\r\n{s}\r\n";
    public static string Int(long n) => $":{n}\r\n";
    public const string Ok = "+OK\r\n";
    public const string Nil = "$-1\r\n";
    public const string NilArray = "*-1\r\n";
    public static string Err(string message) => $"-{message}\r\n";
    public static string Array(params string[] items) => $"*{items.Length}\r\n{string.Concat(items)}";
    public static string Bulks(params string[] items) => Array(items.Select(Bulk).ToArray());
}
