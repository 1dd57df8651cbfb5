using System.Text;
using Magpie.Server.Commands;

namespace Magpie.Server.Introspection;

/// <summary>
/// SLOWLOG: commands that ran at least slowlog-log-slower-than microseconds, newest first, at most
/// slowlog-max-len of them, with arguments truncated as Redis does (32 arguments, 128 bytes each).
/// </summary>
public sealed class SlowLog
{
    public const int MaxArgs = 32;
    public const int MaxArgBytes = 128;

    private readonly LinkedList<SlowLogEntry> _entries = new();
    private long _nextId;

    /// <summary>slowlog-log-slower-than in microseconds; negative turns the log off, 0 logs every command.</summary>
    public long LogSlowerThan { get; set; } = 10_000;

    public int MaxLength { get; set; } = 128;

    public int Count => _entries.Count;

    public IEnumerable<SlowLogEntry> Entries => _entries;

    /// <summary>Called by the dispatcher after each command (under the keyspace lock).</summary>
    public void Record(CommandContext ctx, long micros)
    {
        int argc = ctx.ArgCount;
        int kept = Math.Min(argc, MaxArgs);
        var args = new byte[kept][];
        for (int j = 0; j < kept; j++)
        {
            if (kept != argc && j == kept - 1)
            {
                args[j] = Encoding.ASCII.GetBytes($"... ({argc - kept + 1} more arguments)");
                continue;
            }
            var arg = ctx.Arg(j);
            if (arg.Length > MaxArgBytes)
            {
                var suffix = Encoding.ASCII.GetBytes($"... ({arg.Length - MaxArgBytes} more bytes)");
                var cut = new byte[MaxArgBytes + suffix.Length];
                arg[..MaxArgBytes].CopyTo(cut);
                suffix.CopyTo(cut, MaxArgBytes);
                args[j] = cut;
            }
            else args[j] = arg.ToArray();
        }
        var client = ctx.Client;
        _entries.AddFirst(new SlowLogEntry(_nextId++, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), micros, args,
            client.HasConnection ? client.RemoteEndPoint : "", client.Name ?? ""));
        while (_entries.Count > MaxLength) _entries.RemoveLast();
    }

    /// <summary>slowlog-max-len lowered: drops the oldest entries at once, as Redis does.</summary>
    public void Trim()
    {
        while (_entries.Count > MaxLength) _entries.RemoveLast();
    }

    public void Reset() => _entries.Clear();
}

public sealed record SlowLogEntry(long Id, long UnixSeconds, long Micros, byte[][] Args, string Peer, string ClientName);
