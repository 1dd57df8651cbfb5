using static Magpie.Server.Tests.TestClient;

namespace Magpie.Server.Tests;

public class StreamCommandTests
{
    private readonly TestClient c = new();

    private TestClient Second() => new(c.Server);

    private static string WaitForOutput(TestClient client)
    {
        client.Context.BlockUntil?.Wait(TimeSpan.FromSeconds(5));
        client.Context.BlockUntil = null;
        return client.TakeOutput();
    }

    private static string Entry(string id, params string[] fields) => Array(Bulk(id), Bulks(fields));

    [Fact]
    public void Xadd_xrange_xlen_type_and_encoding()
    {
        Assert.Equal(Bulk("1-1"), c.Run("XADD", "s", "1-1", "f", "v"));
        Assert.Equal(Bulk("1-2"), c.Run("XADD", "s", "1-*", "g", "w"));
        Assert.Equal(Err("ERR The ID specified in XADD is equal or smaller than the target stream top item"), c.Run("XADD", "s", "1-2", "f", "v"));
        Assert.Equal(Int(2), c.Run("XLEN", "s"));
        Assert.Equal(Array(Entry("1-1", "f", "v"), Entry("1-2", "g", "w")), c.Run("XRANGE", "s", "-", "+"));
        Assert.Equal(Array(Entry("1-2", "g", "w")), c.Run("XREVRANGE", "s", "+", "-", "COUNT", "1"));
        Assert.Equal("+stream\r\n", c.Run("TYPE", "s"));
        Assert.Equal(Bulk("stream"), c.Run("OBJECT", "ENCODING", "s"));
        Assert.Equal(Int(1), c.Run("COPY", "s", "s2"));
        Assert.Equal(Int(2), c.Run("XDEL", "s", "1-1", "1-2"));
        Assert.Equal(Int(1), c.Run("EXISTS", "s"));
        Assert.Equal(Int(2), c.Run("XLEN", "s2"));
        Assert.Equal(Array(), c.Run("KEYS", "nothing*"));
    }

    [Fact]
    public void Xread_in_resp3_is_a_map()
    {
        c.Session.Protocol = Magpie.Protocol.RespVersion.Resp3;
        c.Run("XADD", "s", "1-1", "f", "v");
        Assert.Equal("%1\r\n" + Bulk("s") + Array(Entry("1-1", "f", "v")), c.Run("XREAD", "STREAMS", "s", "0"));
        Assert.Equal("_\r\n", c.Run("XREAD", "STREAMS", "s", "$"));
    }

    [Fact]
    public void Blocked_xreadgroup_is_served_by_xadd_and_errors_when_the_key_goes()
    {
        var writer = Second();
        writer.Run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        Assert.Equal("", c.Run("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"));
        Assert.Equal(1, c.Server.Blocking.Count);
        writer.Run("XADD", "s", "5-1", "f", "v");
        Assert.Equal(Array(Array(Bulk("s"), Array(Entry("5-1", "f", "v")))), WaitForOutput(c));
        Assert.Equal(Array(Int(1), Bulk("5-1"), Bulk("5-1"), Array(Bulks("alice", "1"))), writer.Run("XPENDING", "s", "g"));

        Assert.Equal("", c.Run("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"));
        writer.Run("DEL", "s");
        Assert.Equal(Err("UNBLOCKED the stream key no longer exists"), WaitForOutput(c));
        Assert.Equal(0, c.Server.Blocking.Count);
    }

    [Fact]
    public void Blocked_xread_with_dollar_ignores_older_entries_and_times_out()
    {
        var writer = Second();
        writer.Run("XADD", "s", "1-1", "f", "v");
        Assert.Equal("", c.Run("XREAD", "BLOCK", "0", "STREAMS", "s", "$"));
        writer.Run("XADD", "s", "2-1", "f", "w");
        Assert.Equal(Array(Array(Bulk("s"), Array(Entry("2-1", "f", "w")))), WaitForOutput(c));
        Assert.Equal("", c.Run("XREAD", "BLOCK", "20", "STREAMS", "s", "$"));
        Assert.Equal(NilArray, WaitForOutput(c));
    }

    [Fact]
    public void Group_errors_match_redis()
    {
        c.Run("SET", "str", "x");
        Assert.Equal(Err("WRONGTYPE Operation against a key holding the wrong kind of value"), c.Run("XADD", "str", "*", "f", "v"));
        Assert.Equal(Err("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option"), c.Run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"));
        Assert.Equal(Err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."), c.Run("XGROUP", "CREATE", "s", "g", "$"));
        Assert.Equal(Ok, c.Run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"));
        Assert.Equal(Err("BUSYGROUP Consumer Group name already exists"), c.Run("XGROUP", "CREATE", "s", "g", "$"));
        Assert.Equal(Err("ERR Invalid stream ID specified as stream command argument"), c.Run("XACK", "s", "g", "bad"));
        Assert.Equal(Err("ERR COUNT must be > 0"), c.Run("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"));
        Assert.Equal(Array(Bulk("0-0"), Array(), Array()), c.Run("XAUTOCLAIM", "s", "g", "c", "0", "0"));
    }
}
