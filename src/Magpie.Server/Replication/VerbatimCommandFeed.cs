using System.Buffers;
using Magpie.Protocol;
using Magpie.Server.Commands;
using Magpie.Server.Persistence;
using Magpie.Server.Propagation;
using Magpie.Storage;

namespace Magpie.Server.Replication;

/// <summary>
/// A stand-in for the propagation stream (src/Magpie.Server/Propagation/CommandStream.cs, built on
/// the aof branch) until the two meet: every successful write command as the client sent it (a RESP
/// array), a SELECT where the database changes, and a DEL for each key the server expired or
/// evicted, handed to one <see cref="ICommandStreamSink"/> (the replication backlog). It does not
/// rewrite random commands as Redis does (a relative TTL is followed by the PEXPIREAT it gave);
/// CommandStream does it all, and replaces this
/// file: it is wired by one line in ServerState's constructor and nothing else depends on it.
/// </summary>
public sealed class VerbatimCommandFeed : ICommandPropagator, IKeyRemovalListener
{
    private readonly ICommandStreamSink _sink;
    private readonly Func<bool> _wanted;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly RespWriter _writer;
    private int _db = -1;

    /// <param name="sink">Where the stream goes.</param>
    /// <param name="wanted">False while nobody reads the stream (no backlog yet): then nothing is serialized.</param>
    public VerbatimCommandFeed(Keyspace keyspace, ICommandStreamSink sink, Func<bool> wanted)
    {
        _sink = sink;
        _wanted = wanted;
        _writer = new RespWriter(_buffer);
        keyspace.RemovalListeners.Add(this);
    }

    public void Propagate(CommandContext ctx)
    {
        if (!_wanted())
        {
            _db = -1;
            return;
        }
        Select(ctx.Client.Database);
        var request = ctx.Request;
        _writer.WriteArrayHeader(request.Count);
        for (int i = 0; i < request.Count; i++) _writer.WriteBulk(request[i]);
        // A relative TTL would be counted again from when the replica runs the command: follow it
        // with the absolute time the key got here (a lagging replica keeps the same deadline).
        if (request.Count >= 3 && SetsRelativeTtl(request[0]) && ctx.Db.Lookup(request[1]) is { ExpireAt: > 0 } entry)
        {
            _writer.WriteArrayHeader(3);
            _writer.WriteBulk("PEXPIREAT"u8);
            _writer.WriteBulk(request[1]);
            _writer.WriteBulk(entry.ExpireAt);
        }
        Flush();
    }

    private static bool SetsRelativeTtl(ReadOnlySpan<byte> name) =>
        RedisNumbers.EqualsIgnoreCase(name, "set"u8) || RedisNumbers.EqualsIgnoreCase(name, "expire"u8) ||
        RedisNumbers.EqualsIgnoreCase(name, "pexpire"u8) || RedisNumbers.EqualsIgnoreCase(name, "setex"u8) ||
        RedisNumbers.EqualsIgnoreCase(name, "psetex"u8) || RedisNumbers.EqualsIgnoreCase(name, "getex"u8);

    public void KeyExpired(Database db, byte[] key) => Delete(db, key);

    public void KeyEvicted(Database db, byte[] key) => Delete(db, key);

    private void Delete(Database db, byte[] key)
    {
        if (!_wanted())
        {
            _db = -1;
            return;
        }
        Select(db.Index);
        _writer.WriteArrayHeader(2);
        _writer.WriteBulk("DEL"u8);
        _writer.WriteBulk(key);
        Flush();
    }

    private void Select(int db)
    {
        if (db == _db) return;
        _db = db;
        _writer.WriteArrayHeader(2);
        _writer.WriteBulk("SELECT"u8);
        _writer.WriteBulk(db);
    }

    private void Flush()
    {
        _sink.Append(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        if (_buffer.Capacity > 1 << 20) _buffer.Clear();
    }
}
