using Magpie.Server.Propagation;

namespace Magpie.Server.Replication;

/// <summary>
/// Redis's replication backlog: the last <see cref="Size"/> bytes of the write stream in a ring,
/// and the stream's offset (INFO's master_repl_offset), so a replica that lost its link for a short
/// while asks PSYNC for the bytes after its offset and gets <c>+CONTINUE</c> instead of a full sync.
/// Everything appended is also handed to the replicas attached to this node. Called under the
/// keyspace lock. Inactive (nothing kept, offset still) until the first replica attaches, as Redis.
/// </summary>
public sealed class ReplicationBacklog : ICommandStreamSink
{
    private readonly ReplicationManager _manager;
    private byte[] _ring = [];
    private int _start;     // index of the oldest byte
    private long _histlen;

    internal ReplicationBacklog(ReplicationManager manager, long size)
    {
        _manager = manager;
        Size = size;
    }

    /// <summary>repl-backlog-size; a change takes effect now, dropping history (as a resize does in Redis).</summary>
    public long Size { get; private set; }

    /// <summary>The stream offset: bytes ever appended (master_repl_offset).</summary>
    public long Offset { get; internal set; }

    /// <summary>True once a replica attached (or this node synced from a primary).</summary>
    public bool Active { get; private set; }

    public long HistoryLength => _histlen;

    /// <summary>Offset of the oldest byte held (repl_backlog_first_byte_offset); Offset + 1 when empty.</summary>
    public long FirstByteOffset => Active ? Offset - _histlen + 1 : 0;

    /// <summary>
    /// The node's own writes (the propagation stream). A replica ignores them: its stream is its
    /// primary's, appended by the link with <see cref="AppendFromPrimary"/>, so its offsets stay the primary's.
    /// </summary>
    public void Append(ReadOnlySpan<byte> respCommands)
    {
        if (_manager.IsReplica || !Active) return;
        TrackSelect(respCommands);
        Write(respCommands);
    }

    /// <summary>The database the stream has selected (the last SELECT appended), for a full sync's repl-stream-db.</summary>
    public int StreamDb { get; private set; }

    private void TrackSelect(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> prefix = "*2\r\n$6\r\nselect\r\n$"u8;
        if (bytes.Length <= prefix.Length || !Magpie.Protocol.RedisNumbers.EqualsIgnoreCase(bytes[..prefix.Length], prefix)) return;
        var rest = bytes[prefix.Length..];
        int crlf = rest.IndexOf("\r\n"u8);
        if (crlf < 0 || !int.TryParse(rest[..crlf], out int len) || rest.Length < crlf + 2 + len) return;
        if (int.TryParse(rest.Slice(crlf + 2, len), out int db)) StreamDb = db;
    }

    /// <summary>Bytes received from this node's primary (already applied), kept for chained replicas.</summary>
    internal void AppendFromPrimary(ReadOnlySpan<byte> bytes)
    {
        if (!Active) Activate();
        Write(bytes);
    }

    /// <summary>A message the primary itself adds to the stream (PING, REPLCONF GETACK).</summary>
    internal void AppendControl(ReadOnlySpan<byte> bytes)
    {
        if (!Active) return;
        Write(bytes);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        Offset += bytes.Length;
        int size = _ring.Length;
        if (size > 0)
        {
            var src = bytes.Length > size ? bytes[^size..] : bytes;
            int end = (int)((_start + _histlen) % size);
            int first = Math.Min(src.Length, size - end);
            src[..first].CopyTo(_ring.AsSpan(end));
            src[first..].CopyTo(_ring);
            _histlen += src.Length;
            if (_histlen > size)
            {
                _start = (int)((_start + (_histlen - size)) % size);
                _histlen = size;
            }
        }
        _manager.FeedReplicas(bytes);
    }

    internal void Activate()
    {
        if (Active) return;
        Active = true;
        _ring = new byte[Size];
        _start = 0;
        _histlen = 0;
        // From now on the write stream is produced for us (it costs nothing while nobody listens);
        // the first command that reaches us is preceded by a SELECT.
        _manager.Server.CommandStream.AddSink(this);
    }

    internal void Resize(long size)
    {
        Size = size;
        if (!Active) return;
        _ring = new byte[size];
        _start = 0;
        _histlen = 0;
    }

    /// <summary>Empties the history and sets the offset (a replica after a full sync).</summary>
    internal void Reset(long offset)
    {
        Offset = offset;
        _start = 0;
        _histlen = 0;
    }

    /// <summary>True when the bytes from <paramref name="psyncOffset"/> (the next byte a replica wants) are all held.</summary>
    public bool CanServe(long psyncOffset) => Active && psyncOffset >= FirstByteOffset && psyncOffset <= Offset + 1;

    /// <summary>Copies the bytes from <paramref name="psyncOffset"/> to the end into <paramref name="output"/>.</summary>
    internal void CopyFrom(long psyncOffset, Magpie.Protocol.RespWriter output)
    {
        long skip = psyncOffset - FirstByteOffset;
        long count = _histlen - skip;
        if (count <= 0) return;
        int size = _ring.Length;
        int from = (int)((_start + skip) % size);
        int first = (int)Math.Min(count, size - from);
        output.WriteRaw(_ring.AsSpan(from, first));
        if (count > first) output.WriteRaw(_ring.AsSpan(0, (int)(count - first)));
    }
}
