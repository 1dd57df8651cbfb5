using System.Text;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;

namespace Magpie.Server.Introspection;

/// <summary>
/// MONITOR: every command that ran is written to each monitoring client as Redis's
/// replicationFeedMonitors formats it: <c>+1700000000.123456 [0 127.0.0.1:6379] "SET" "k" "v"</c>.
/// </summary>
public sealed class MonitorFeed(ServerState server)
{
    private readonly List<ClientSession> _monitors = [];

    public int Count => _monitors.Count;

    public bool IsMonitor(ClientSession session) => _monitors.Contains(session);

    public void Add(ClientSession session)
    {
        if (!_monitors.Contains(session)) _monitors.Add(session);
    }

    public void Remove(ClientSession session) => _monitors.Remove(session);

    /// <summary>Called by the dispatcher after a command ran, when there are monitors.</summary>
    public void Feed(CommandContext ctx)
    {
        var sb = new StringBuilder("+");
        long micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        sb.Append(micros / 1_000_000).Append('.').Append((micros % 1_000_000).ToString("D6"));
        var client = ctx.Client;
        sb.Append(" [").Append(client.Database).Append(' ').Append(client.HasConnection ? client.RemoteEndPoint : "lua").Append("] ");
        for (int j = 0; j < ctx.ArgCount; j++)
        {
            AppendRepr(sb, ctx.Arg(j));
            if (j != ctx.ArgCount - 1) sb.Append(' ');
        }
        sb.Append("\r\n");
        var line = Encoding.Latin1.GetBytes(sb.ToString());
        long now = ctx.Now;
        foreach (var m in _monitors)
        {
            if (m.Closing) continue;
            m.Writer.WriteRaw(line);
            server.PubSub.Pushed(m, client, now);
        }
    }

    /// <summary>sdscatrepr: a quoted string with C escapes and \xHH for the unprintable.</summary>
    public static void AppendRepr(StringBuilder sb, ReadOnlySpan<byte> s)
    {
        sb.Append('"');
        foreach (byte b in s)
        {
            switch (b)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case 7: sb.Append("\\a"); break;
                case 8: sb.Append("\\b"); break;
                default:
                    if (b >= 32 && b < 127) sb.Append((char)b);
                    else sb.Append("\\x").Append(b.ToString("x2"));
                    break;
            }
        }
        sb.Append('"');
    }
}
