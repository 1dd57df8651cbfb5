using System.Text;
using Magpie.Server.Propagation;

namespace Magpie.Server.Tests.Propagation;

/// <summary>The write stream: what each write propagates as (Redis 7.0's propagate rewrites).</summary>
public class CommandStreamTests
{
    private readonly TestClient c = new();
    private readonly RecordingSink sink = new();

    public CommandStreamTests() => c.Server.CommandStream.AddSink(sink);

    private sealed class RecordingSink : ICommandStreamSink
    {
        public readonly List<byte> Bytes = [];

        public void Append(ReadOnlySpan<byte> respCommands) => Bytes.AddRange(respCommands.ToArray());

        /// <summary>The commands received since the last call, one "CMD arg arg" line each.</summary>
        public List<string> Take()
        {
            var lines = Parse(Bytes.ToArray());
            Bytes.Clear();
            return lines;
        }
    }

    internal static List<string> Parse(byte[] resp)
    {
        var lines = new List<string>();
        int i = 0;
        int ReadInt()
        {
            int start = i;
            while (resp[i] != '\r') i++;
            int v = int.Parse(Encoding.ASCII.GetString(resp, start, i - start));
            i += 2;
            return v;
        }
        while (i < resp.Length)
        {
            Assert.Equal((byte)'*', resp[i++]);
            int n = ReadInt();
            var parts = new string[n];
            for (int j = 0; j < n; j++)
            {
                Assert.Equal((byte)'$', resp[i++]);
                int len = ReadInt();
                parts[j] = Encoding.UTF8.GetString(resp, i, len);
                i += len + 2;
            }
            lines.Add(string.Join(" ", parts));
        }
        return lines;
    }

    private long Now => c.Server.Keyspace.Clock();

    private static long At(string line) => long.Parse(line.Split(' ')[^1]);

    [Fact]
    public void First_command_selects_its_database_and_plain_writes_are_propagated_as_sent()
    {
        c.Run("SET", "k", "v");
        c.Run("GET", "k");
        c.Run("RPUSH", "l", "a", "b");
        Assert.Equal(["SELECT 0", "SET k v", "RPUSH l a b"], sink.Take());
        c.Run("SELECT", "3");
        c.Run("SET", "x", "1");
        c.Run("SELECT", "0");
        c.Run("DEL", "k");
        Assert.Equal(["SELECT 3", "SET x 1", "SELECT 0", "DEL k"], sink.Take());
        c.Server.CommandStream.ForceSelect();
        c.Run("DEL", "l");
        Assert.Equal(["SELECT 0", "DEL l"], sink.Take());
    }

    [Fact]
    public void Relative_expiry_becomes_absolute()
    {
        c.Run("SET", "k", "v");
        sink.Take();
        long before = Now;
        c.Run("EXPIRE", "k", "100");
        c.Run("PEXPIRE", "k", "5000");
        c.Run("SETEX", "s", "10", "val");
        c.Run("PSETEX", "p", "1500", "val");
        c.Run("SET", "e", "v", "EX", "20", "GET");
        c.Run("SET", "q", "v", "PXAT", "99999999999999");
        c.Run("EXPIREAT", "q", "99999999999");
        var lines = sink.Take();
        Assert.Matches("^PEXPIREAT k \\d+$", lines[0]);
        Assert.InRange(At(lines[0]), before + 100_000, Now + 100_000);
        Assert.InRange(At(lines[1]), before + 5000, Now + 5000);
        Assert.Matches("^SET s val PXAT \\d+$", lines[2]);
        Assert.InRange(At(lines[2]), before + 10_000, Now + 10_000);
        Assert.InRange(At(lines[3]), before + 1500, Now + 1500);
        Assert.Matches("^SET e v PXAT \\d+$", lines[4]);
        Assert.Equal("SET q v PXAT 99999999999999", lines[5]);
        Assert.Equal("PEXPIREAT q 99999999999000", lines[6]);
        // A condition that fails leaves the TTL as it was: nothing that changes it is propagated.
        c.Run("SET", "plain", "v");
        sink.Take();
        c.Run("EXPIRE", "plain", "100", "XX");
        Assert.Empty(sink.Take());
        // An expiry in the past deletes the key: DEL.
        c.Run("EXPIRE", "plain", "-1");
        Assert.Equal(["DEL plain"], sink.Take());
    }

    [Fact]
    public void Getex_getdel_and_float_increments_propagate_their_effect()
    {
        c.Run("SET", "k", "v");
        c.Run("SET", "n", "1.5");
        c.Run("HSET", "h", "f", "2");
        sink.Take();
        c.Run("GETEX", "k");
        Assert.Empty(sink.Take());
        c.Run("GETEX", "k", "EX", "50");
        Assert.Matches("^PEXPIREAT k \\d+$", Assert.Single(sink.Take()));
        c.Run("GETEX", "k", "PERSIST");
        Assert.Equal(["PERSIST k"], sink.Take());
        c.Run("GETDEL", "k");
        c.Run("INCRBYFLOAT", "n", "0.25");
        c.Run("HINCRBYFLOAT", "h", "f", "0.5");
        Assert.Equal(["DEL k", "SET n 1.75 KEEPTTL", "HSET h f 2.5"], sink.Take());
    }

    [Fact]
    public void Spop_propagates_the_members_it_drew()
    {
        c.Run("SADD", "s", "a", "b", "c", "d", "e");
        c.Run("SADD", "i", "1", "2", "3");
        sink.Take();
        string reply = c.Run("SPOP", "s");
        string member = reply.Split("\r\n")[1];
        Assert.Equal([$"SREM s {member}"], sink.Take());
        c.Run("SPOP", "s", "2");
        var srem = Assert.Single(sink.Take());
        Assert.StartsWith("SREM s ", srem);
        Assert.Equal(4, srem.Split(' ').Length);
        c.Run("SPOP", "i", "1");
        Assert.Matches("^SREM i [123]$", Assert.Single(sink.Take()));
        c.Run("SPOP", "s", "10");
        Assert.Equal(["DEL s"], sink.Take());
    }

    [Fact]
    public void Transactions_and_scripts_are_wrapped_in_multi_exec()
    {
        c.Run("MULTI");
        c.Run("SET", "a", "1");
        c.Run("INCR", "a");
        c.Run("GET", "a");
        c.Run("EXEC");
        Assert.Equal(["SELECT 0", "MULTI", "SET a 1", "INCR a", "EXEC"], sink.Take());
        // One write needs no wrapping, as in Redis 7.0.
        c.Run("MULTI");
        c.Run("INCR", "a");
        c.Run("EXEC");
        Assert.Equal(["INCR a"], sink.Take());
        c.Run("EVAL", "redis.call('SET', KEYS[1], 'x'); redis.call('EXPIRE', KEYS[1], 100); return redis.call('GET', KEYS[1])", "1", "b");
        var lines = sink.Take();
        Assert.Equal("MULTI", lines[0]);
        Assert.Equal("SET b x", lines[1]);
        Assert.Matches("^PEXPIREAT b \\d+$", lines[2]);
        Assert.Equal("EXEC", lines[3]);
        // A script that selects another database.
        c.Run("EVAL", "redis.call('SELECT', 5); redis.call('SET', 'z', '1'); return 1", "0");
        Assert.Equal(["SELECT 5", "SET z 1"], sink.Take());
    }

    [Fact]
    public void Blocking_pops_are_propagated_as_their_non_blocking_form()
    {
        c.Run("RPUSH", "l2", "x", "y");
        sink.Take();
        c.Run("BLPOP", "l1", "l2", "0");
        c.Run("BRPOP", "l2", "0");
        Assert.Equal(["LPOP l2", "RPOP l2"], sink.Take());
        var waiter = new TestClient(c.Server);
        Assert.Equal("", waiter.Run("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"));
        Assert.Empty(sink.Take());
        c.Run("RPUSH", "src", "v");
        waiter.Context.BlockUntil?.Wait(TimeSpan.FromSeconds(5));
        Assert.Equal(["RPUSH src v", "LMOVE src dst LEFT RIGHT"], sink.Take());
        c.Run("ZADD", "z", "1", "a", "2", "b");
        c.Run("BZMPOP", "0", "2", "nz", "z", "MAX", "COUNT", "5");
        Assert.Equal(["ZADD z 1 a 2 b", "ZPOPMAX z 5"], sink.Take());
    }

    [Fact]
    public void Expired_keys_become_del_and_xadd_gets_its_id()
    {
        c.Run("SET", "k", "v", "PX", "1");
        sink.Take();
        Thread.Sleep(5);
        Assert.Equal(TestClient.Nil, c.Run("GET", "k"));
        Assert.Equal(["DEL k"], sink.Take());
        string id = c.Run("XADD", "s", "MAXLEN", "~", "10", "*", "f", "v").Split("\r\n")[1];
        Assert.Equal([$"XADD s MAXLEN ~ 10 {id} f v"], sink.Take());
    }

    [Fact]
    public void Replaying_the_stream_rebuilds_the_same_data()
    {
        c.Run("SADD", "s", "a", "b", "c", "d");
        c.Run("SPOP", "s");
        c.Run("SET", "t", "v", "EX", "100");
        c.Run("INCRBYFLOAT", "f", "1.1");
        c.Run("SELECT", "2");
        c.Run("RPUSH", "l", "1", "2", "3");
        c.Run("BLPOP", "l", "0");
        c.Run("SELECT", "0");
        var replica = new TestClient();
        foreach (var line in Parse(sink.Bytes.ToArray())) replica.Run(line.Split(' '));
        foreach (var (db, cmd) in new[] { ("0", new[] { "SMEMBERS", "s" }), ("0", ["GET", "f"]), ("0", ["PEXPIRETIME", "t"]), ("2", ["LRANGE", "l", "0", "-1"]) })
        {
            c.Run("SELECT", db);
            replica.Run("SELECT", db);
            Assert.Equal(Sorted(c.Run(cmd)), Sorted(replica.Run(cmd)));
        }
    }

    private static string Sorted(string reply) => string.Join("|", reply.Split("\r\n").Order(StringComparer.Ordinal));
}
