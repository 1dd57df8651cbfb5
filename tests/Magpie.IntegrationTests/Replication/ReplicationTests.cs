using System.Net;
using System.Net.Sockets;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;
using static Magpie.IntegrationTests.Replication.ReplicationHarness;

namespace Magpie.IntegrationTests.Replication;

/// <summary>
/// Replication with real processes (docs/replication.md): redis-server 7.0.15 → Magpie, Magpie →
/// redis-server and Magpie → Magpie, each with a dataset of every type and 100k mixed writes,
/// compared key by key; a killed link resumes with +CONTINUE; WAIT; read-only replicas; bad input.
/// </summary>
[Collection(ReplicationCollection.Name)]
public class ReplicationTests
{
    private const int Writes = 100_000;

    [Fact]
    public async Task Magpie_replica_of_redis_server_stays_identical_and_resumes_with_continue()
    {
        // Disk-based sync first ($length form), then the diskless $EOF form on a second full sync.
        // A directory of its own: the disk-based sync writes dump.rdb there.
        var dir = Directory.CreateTempSubdirectory("magpie-repl-").FullName;
        await using var redis = await RedisServer.StartAsync("--dir", dir, "--repl-diskless-sync", "no", "--repl-diskless-sync-delay", "0");
        using var r = await RespClient.ConnectAsync(redis.Port);
        Assert.Equal(0, await PipelineAsync(redis.Port, Dataset()));
        await using var magpie = await MagpieNode.StartAsync("--replicaof", $"127.0.0.1 {redis.Port}");
        using var m = await RespClient.ConnectAsync(magpie.Port);
        await WaitInSyncAsync(r, m, () => magpie.Log);
        Assert.Equal("slave", Info(m, "role"));

        Assert.Equal(0, await PipelineAsync(redis.Port, MixedWrites(Writes, seed: 1)));
        await WaitInSyncAsync(r, m, () => magpie.Log);
        AssertSameData(r, m);
        Assert.Equal("READONLY You can't write against a read only replica.", m.CallString("SET", "x", "y"));

        // The link dies mid-stream: the replica comes back with PSYNC and gets +CONTINUE.
        long partialBefore = InfoLong(r, "sync_partial_ok");
        var load = PipelineAsync(redis.Port, MixedWrites(20_000, seed: 2));
        await Task.Delay(50);
        r.Call("CLIENT", "KILL", "TYPE", "replica");
        Assert.Equal(0, await load);
        // The load can end before the kill lands and the dead link can still read "up": wait for the
        // resync itself (a full one instead never counts here, and the wait fails).
        await WaitUntilAsync(() => InfoLong(r, "sync_partial_ok") > partialBefore, "a partial resync", 40, () => magpie.Log);
        await WaitInSyncAsync(r, m, () => magpie.Log);
        Assert.Equal(partialBefore + 1, InfoLong(r, "sync_partial_ok"));
        AssertSameData(r, m);

        // A second full sync, now diskless ($EOF:<mark>).
        r.Call("CONFIG", "SET", "repl-diskless-sync", "yes");
        long fullBefore = InfoLong(r, "sync_full");
        Assert.Equal("OK", m.CallString("REPLICAOF", "NO", "ONE"));
        Assert.Equal("OK", m.CallString("SET", "only-on-magpie", "1"));
        Assert.Equal("OK", m.CallString("REPLICAOF", "127.0.0.1", redis.Port.ToString()));
        await WaitInSyncAsync(r, m, () => magpie.Log);
        Assert.Equal(fullBefore + 1, InfoLong(r, "sync_full"));
        Assert.Equal("(nil)", m.CallString("GET", "only-on-magpie"));
        AssertSameData(r, m);
    }

    [Fact]
    public async Task A_replica_that_stops_reading_is_dropped_at_the_replica_output_limit()
    {
        await using var magpie = await MagpieNode.StartAsync();
        using var m = await RespClient.ConnectAsync(magpie.Port);
        Assert.Equal("OK", m.CallString("CONFIG", "SET", "client-output-buffer-limit", "replica 1mb 0 0"));
        // A replica that syncs (disk form: online as soon as the RDB is sent) and then never reads again.
        using var stuck = new TcpClient();
        await stuck.ConnectAsync(IPAddress.Loopback, magpie.Port);
        stuck.ReceiveBufferSize = 64 * 1024;
        await stuck.GetStream().WriteAsync("PSYNC ? -1\r\n"u8.ToArray());
        await WaitUntilAsync(() => InfoLong(m, "connected_slaves") == 1 && Info(m, "slave0").Contains("state=online"), "the replica to come online", 30, () => magpie.Log);

        var value = new string('v', 100_000);
        Assert.Equal(0, await PipelineAsync(magpie.Port, Enumerable.Range(0, 300).Select(i => new object[] { "SET", $"big:{i}", value })));
        await WaitUntilAsync(() => InfoLong(m, "connected_slaves") == 0, "the stuck replica to be dropped", 30, () => magpie.Log);
        Assert.True(InfoLong(m, "client_output_buffer_limit_disconnections") >= 1);
        // The primary and its data are unharmed.
        Assert.Equal("300", m.CallString("DBSIZE"));
        Assert.Equal("PONG", m.CallString("PING"));
    }

    [Fact]
    public async Task Redis_server_replica_of_magpie_stays_identical_and_resumes_with_continue()
    {
        await using var magpie = await MagpieNode.StartAsync();
        using var m = await RespClient.ConnectAsync(magpie.Port);
        Assert.Equal(0, await PipelineAsync(magpie.Port, Dataset()));
        await using var redis = await RedisServer.StartAsync("--replicaof", "127.0.0.1", magpie.Port.ToString());
        using var r = await RespClient.ConnectAsync(redis.Port);
        await WaitInSyncAsync(m, r, () => magpie.Log);

        Assert.Equal(0, await PipelineAsync(magpie.Port, MixedWrites(Writes, seed: 3)));
        await WaitInSyncAsync(m, r, () => magpie.Log);
        AssertSameData(m, r);
        Assert.Equal(1, InfoLong(m, "connected_slaves"));
        Assert.Matches(@"^ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d+$", Info(m, "slave0"));

        long partialBefore = InfoLong(m, "sync_partial_ok");
        var load = PipelineAsync(magpie.Port, MixedWrites(20_000, seed: 4));
        await Task.Delay(50);
        r.Call("CLIENT", "KILL", "TYPE", "master");
        Assert.Equal(0, await load);
        await WaitUntilAsync(() => InfoLong(m, "sync_partial_ok") > partialBefore, "a partial resync", 40, () => magpie.Log);
        await WaitInSyncAsync(m, r, () => magpie.Log);
        Assert.Equal(partialBefore + 1, InfoLong(m, "sync_partial_ok"));
        AssertSameData(m, r);

        m.Call("SET", "acked", "1");
        Assert.Equal(1L, m.Call("WAIT", "1", "1000"));
        var role = (object?[])m.Call("ROLE")!;
        Assert.Equal("master", Encoding.ASCII.GetString((byte[])role[0]!));
        Assert.Single((object?[])role[2]!);
    }

    [Fact]
    public async Task Magpie_replica_of_magpie_follows_writes_waits_resumes_and_resyncs_after_a_backlog_overrun()
    {
        await using var primary = await MagpieNode.StartAsync();
        using var p = await RespClient.ConnectAsync(primary.Port);
        Assert.Equal(0, await PipelineAsync(primary.Port, Dataset()));
        await using var replica = await MagpieNode.StartAsync();
        using var s = await RespClient.ConnectAsync(replica.Port);
        s.Call("SET", "old", "data");
        Assert.Equal("OK", s.CallString("REPLICAOF", "127.0.0.1", primary.Port.ToString()));
        await WaitInSyncAsync(p, s, () => primary.Log + "\n--- replica ---\n" + replica.Log);
        Assert.Equal("(nil)", s.CallString("GET", "old"));

        Assert.Equal(0, await PipelineAsync(primary.Port, MixedWrites(Writes, seed: 5)));
        await WaitInSyncAsync(p, s, () => primary.Log + "\n--- replica ---\n" + replica.Log);
        AssertSameData(p, s);

        // WAIT: a write acknowledged by the one replica; asking for two times out with 1.
        p.Call("SET", "waited", "1");
        Assert.Equal(1L, p.Call("WAIT", "1", "1000"));
        Assert.Equal("1", s.CallString("GET", "waited"));
        var started = DateTime.UtcNow;
        Assert.Equal(1L, p.Call("WAIT", "2", "300"));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250));
        Assert.StartsWith("READONLY", s.CallString("DEL", "waited"));
        Assert.StartsWith("ERR WAIT cannot be used with replica instances", s.CallString("WAIT", "1", "10"));
        var role = (object?[])s.Call("ROLE")!;
        Assert.Equal("slave", Encoding.ASCII.GetString((byte[])role[0]!));
        Assert.Equal("connected", Encoding.ASCII.GetString((byte[])role[3]!));

        // The link is cut: +CONTINUE from the backlog.
        long partialBefore = InfoLong(p, "sync_partial_ok");
        var addr = ClientAddr(p, "replconf", "psync");
        Assert.NotNull(addr);
        var load = PipelineAsync(primary.Port, MixedWrites(10_000, seed: 6));
        p.Call("CLIENT", "KILL", "ADDR", addr!);
        Assert.Equal(0, await load);
        await WaitUntilAsync(() => InfoLong(p, "sync_partial_ok") > partialBefore, "a partial resync", 40, () => primary.Log + "\n--- replica ---\n" + replica.Log);
        await WaitInSyncAsync(p, s, () => primary.Log + "\n--- replica ---\n" + replica.Log);
        Assert.Equal(partialBefore + 1, InfoLong(p, "sync_partial_ok"));
        AssertSameData(p, s);

        // More is written while the link is down than the backlog holds: a full resync.
        p.Call("CONFIG", "SET", "repl-backlog-size", "16kb");
        long fullBefore = InfoLong(p, "sync_full");
        addr = ClientAddr(p, "replconf", "psync");
        p.Call("CLIENT", "KILL", "ADDR", addr!);
        var big = new string('x', 4000);
        Assert.Equal(0, await PipelineAsync(primary.Port, Enumerable.Range(0, 40).Select(i => new object[] { "SET", $"big:{i}", big })));
        await WaitInSyncAsync(p, s, () => primary.Log + "\n--- replica ---\n" + replica.Log);
        Assert.Equal(fullBefore + 1, InfoLong(p, "sync_full"));
        AssertSameData(p, s);

        // Promotion: the replica takes writes, keeps the old history as replid2.
        var oldId = Info(s, "master_replid");
        Assert.Equal("OK", s.CallString("REPLICAOF", "NO", "ONE"));
        Assert.Equal("master", Info(s, "role"));
        Assert.Equal(oldId, Info(s, "master_replid2"));
        Assert.Equal("OK", s.CallString("SET", "after-promotion", "1"));
    }

    [Fact]
    public async Task Bad_primaries_leave_the_replica_serving_its_old_data()
    {
        await using var node = await MagpieNode.StartAsync();
        using var c = await RespClient.ConnectAsync(node.Port);
        c.Call("SET", "kept", "yes");

        Assert.StartsWith("ERR Can't replicate from myself", c.CallString("REPLICAOF", "127.0.0.1", node.Port.ToString()));
        Assert.Equal("ERR Invalid master port", c.CallString("REPLICAOF", "127.0.0.1", "70000"));
        Assert.Equal("ERR Invalid master port", c.CallString("REPLICAOF", "127.0.0.1", "abc"));

        // Not a Redis server: the node's own HTTP port answers PING with an HTTP error.
        Assert.Equal("OK", c.CallString("REPLICAOF", "127.0.0.1", node.HttpPort.ToString()));
        await Task.Delay(1500);
        Assert.Equal("down", Info(c, "master_link_status"));
        Assert.Equal("yes", c.CallString("GET", "kept"));
        Assert.Equal("PONG", c.CallString("PING"));

        // replica-serve-stale-data no: reads get MASTERDOWN while the link is down; INFO still answers.
        c.Call("CONFIG", "SET", "replica-serve-stale-data", "no");
        Assert.StartsWith("MASTERDOWN", c.CallString("GET", "kept"));
        Assert.Equal("slave", Info(c, "role"));
        c.Call("CONFIG", "SET", "replica-serve-stale-data", "yes");

        // A primary that sends a corrupted RDB: the old data stays.
        using var fake = new CorruptPrimary();
        Assert.Equal("OK", c.CallString("REPLICAOF", "127.0.0.1", fake.Port.ToString()));
        await WaitUntilAsync(() => fake.Syncs >= 1, "the fake primary to be asked for a sync");
        await Task.Delay(500);
        Assert.Equal("down", Info(c, "master_link_status"));
        Assert.Equal("yes", c.CallString("GET", "kept"));
        await WaitUntilAsync(() => node.Log.Contains("bad RDB"), "the bad RDB to be logged");

        Assert.Equal("OK", c.CallString("REPLICAOF", "NO", "ONE"));
        Assert.Equal("OK", c.CallString("SET", "writable", "again"));
        Assert.False(node.HasExited);
    }

    /// <summary>Answers the handshake like a primary, then sends a full sync whose RDB is garbage.</summary>
    private sealed class CorruptPrimary : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _syncs;

        public CorruptPrimary()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Syncs => Volatile.Read(ref _syncs);

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }
            catch (Exception)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    int n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) return;
                    var text = Encoding.ASCII.GetString(buffer, 0, n).ToUpperInvariant();
                    string reply;
                    if (text.StartsWith("*3\r\n$5\r\nPSYNC", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _syncs);
                        var garbage = "REDIS0010\u00fa\u0001this is not an rdb at all";
                        reply = $"+FULLRESYNC {new string('a', 40)} 100\r\n${garbage.Length}\r\n{garbage}";
                    }
                    else if (text.StartsWith("*1\r\n$4\r\nPING", StringComparison.Ordinal)) reply = "+PONG\r\n";
                    else reply = "+OK\r\n";
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(reply), _stop.Token);
                }
            }
            catch (Exception)
            {
                // The replica hung up.
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
