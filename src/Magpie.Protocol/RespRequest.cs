using System.Buffers;
using System.Text;

namespace Magpie.Protocol;

/// <summary>
/// One parsed command: its arguments as byte ranges in a buffer that is reused from command
/// to command, so parsing allocates nothing once the buffer has grown to the working size.
/// </summary>
public sealed class RespRequest
{
    private byte[] _bytes = new byte[256];
    private int _used;
    private Range[] _args = new Range[16];

    /// <summary>Number of arguments, the command name included.</summary>
    public int Count { get; private set; }

    /// <summary>True when the command came as an inline (telnet-style) line.</summary>
    public bool IsInline { get; internal set; }

    public ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(_args[index]);

    public ReadOnlyMemory<byte> GetMemory(int index) => _bytes.AsMemory(_args[index]);

    /// <summary>Copies an argument out, for values that outlive the request.</summary>
    public byte[] ToArray(int index) => this[index].ToArray();

    public string GetString(int index) => Encoding.UTF8.GetString(this[index]);

    /// <summary>
    /// Arguments of a multibulk still to arrive (0 when no command is half-read). The parser keeps
    /// its progress here between reads.
    /// </summary>
    public long PendingArguments { get; internal set; }

    /// <summary>Declared length of a bulk argument that is still arriving, 0 when none.</summary>
    public long PendingBulkLength { get; internal set; }

    /// <summary>Bytes of the arguments this request holds so far.</summary>
    public long ArgumentBytes => _used;

    public void Clear()
    {
        PendingArguments = 0;
        PendingBulkLength = 0;
        Count = 0;
        _used = 0;
        IsInline = false;
    }

    /// <summary>Makes room for a new argument of <paramref name="length"/> bytes and returns it to fill.</summary>
    internal Span<byte> AddArgument(int length)
    {
        if (Count == _args.Length) Array.Resize(ref _args, _args.Length * 2);
        if (_used + length > _bytes.Length)
        {
            var grown = new byte[Math.Max(_bytes.Length * 2, _used + length)];
            _bytes.AsSpan(0, _used).CopyTo(grown);
            _bytes = grown;
        }
        _args[Count++] = new Range(_used, _used + length);
        var span = _bytes.AsSpan(_used, length);
        _used += length;
        return span;
    }

    internal void AddArgument(in ReadOnlySequence<byte> source) => source.CopyTo(AddArgument((int)source.Length));

    internal void AddArgument(ReadOnlySpan<byte> source) => source.CopyTo(AddArgument(source.Length));

    /// <summary>Adds an argument (a command built in-process, e.g. by a script's redis.call).</summary>
    public void Append(ReadOnlySpan<byte> argument) => AddArgument(argument);

    /// <summary>Replaces the contents with the given arguments (EXEC replaying queued commands).</summary>
    public void Load(IReadOnlyList<byte[]> args)
    {
        Clear();
        foreach (var a in args) AddArgument(a);
    }

    /// <summary>Shrinks buffers that a huge command grew, so one big value doesn't pin memory forever.</summary>
    public void TrimIfLarge(int keepBytes = 1 << 20)
    {
        if (PendingArguments > 0) return; // a half-read command keeps what it has
        if (_bytes.Length > keepBytes) _bytes = new byte[256];
        if (_args.Length > 4096) _args = new Range[16];
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Count; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(GetString(i));
        }
        return sb.ToString();
    }
}
