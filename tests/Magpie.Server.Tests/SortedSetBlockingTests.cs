namespace Magpie.Server.Tests;

public class SortedSetBlockingTests
{
    private readonly TestClient c = new();

    private TestClient Second() => new(c.Server);

    /// <summary>Waits (bounded) until a blocked client's task completes, then returns its output.</summary>
    private static string WaitForOutput(TestClient client)
    {
        client.Context.BlockUntil?.Wait(TimeSpan.FromSeconds(5));
        client.Context.BlockUntil = null;
        return client.TakeOutput();
    }

    [Fact]
    public void Bzpopmin_returns_at_once_when_there_is_data()
    {
        c.Run("ZADD", "z", "1", "a", "2", "b");
        Assert.Equal(Array(Bulk("z"), Bulk("a"), Bulk("1")), c.Run("BZPOPMIN", "empty", "z", "0"));
        Assert.Equal(Array(Bulk("z"), Bulk("b"), Bulk("2")), c.Run("BZPOPMAX", "z", "0"));
        Assert.Equal(Int(0), c.Run("EXISTS", "z"));
    }

    [Fact]
    public void Bzpopmax_blocks_until_another_client_adds()
    {
        var writer = Second();
        Assert.Equal("", c.Run("BZPOPMAX", "z1", "z2", "0"));
        Assert.Equal(1, c.Server.Blocking.Count);
        writer.Run("ZADD", "z2", "5", "five", "9", "nine");
        Assert.Equal(Array(Bulk("z2"), Bulk("nine"), Bulk("9")), WaitForOutput(c));
        Assert.Equal(0, c.Server.Blocking.Count);
        Assert.Equal(Int(1), writer.Run("ZCARD", "z2"));
    }

    [Fact]
    public void Bzmpop_blocks_and_pops_count_in_resp3_shape()
    {
        c.Session.Protocol = Magpie.Protocol.RespVersion.Resp3;
        var writer = Second();
        Assert.Equal("", c.Run("BZMPOP", "0", "2", "a", "b", "MIN", "COUNT", "2"));
        writer.Run("ZADD", "b", "1", "x", "2", "y", "3", "z");
        Assert.Equal("*2\r\n$1\r\nb\r\n*2\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,2\r\n", WaitForOutput(c));
    }

    [Fact]
    public void Waiting_client_ignores_a_key_of_another_type_and_times_out()
    {
        var writer = Second();
        Assert.Equal("", c.Run("BZPOPMIN", "k", "0.1"));
        writer.Run("SET", "k", "string");
        Assert.Equal(NilArray, WaitForOutput(c));
        Assert.Equal(Err("WRONGTYPE Operation against a key holding the wrong kind of value"), c.Run("BZPOPMIN", "k", "0"));
    }

    [Fact]
    public void Errors_and_multi()
    {
        Assert.Equal(Err("ERR timeout is not a float or out of range"), c.Run("BZPOPMIN", "z", "x"));
        Assert.Equal(Err("ERR timeout is negative"), c.Run("BZMPOP", "-1", "1", "z", "MIN"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("BZMPOP", "0", "0", "z", "MIN"));
        c.Run("MULTI");
        c.Run("BZPOPMIN", "z", "0");
        Assert.Equal(Array(NilArray), c.Run("EXEC"));
        Assert.Equal(0, c.Server.Blocking.Count);
    }
}

public class ClientUnblockTests
{
    [Fact]
    public void Client_unblock_releases_with_timeout_or_error()
    {
        var blocked = new TestClient();
        var admin = new TestClient(blocked.Server);
        blocked.Run("BLPOP", "q", "0");
        Assert.Equal(Int(1), admin.Run("CLIENT", "UNBLOCK", blocked.Session.Id.ToString()));
        Assert.True(blocked.Context.BlockUntil!.Wait(TimeSpan.FromSeconds(5)));
        blocked.Context.BlockUntil = null;
        Assert.Equal(NilArray, blocked.TakeOutput());
        Assert.Equal(Int(0), admin.Run("CLIENT", "UNBLOCK", blocked.Session.Id.ToString()));

        blocked.Run("BZPOPMIN", "z", "0");
        Assert.Equal(Int(1), admin.Run("CLIENT", "UNBLOCK", blocked.Session.Id.ToString(), "ERROR"));
        Assert.True(blocked.Context.BlockUntil!.Wait(TimeSpan.FromSeconds(5)));
        Assert.StartsWith("-UNBLOCKED", blocked.TakeOutput());
        Assert.Equal(Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"), admin.Run("CLIENT", "UNBLOCK", "1", "LATER"));
    }
}
