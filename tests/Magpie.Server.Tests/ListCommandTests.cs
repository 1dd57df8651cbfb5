using Magpie.Protocol;

namespace Magpie.Server.Tests;

public class ListCommandTests
{
    private const string WrongTypeError = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private readonly TestClient c = new();

    private static string Empty => "*0\r\n";

    [Fact]
    public void Push_and_range()
    {
        Assert.Equal(Int(3), c.Run("RPUSH", "l", "a", "b", "c"));
        Assert.Equal(Int(5), c.Run("LPUSH", "l", "y", "z"));
        Assert.Equal(Bulks("z", "y", "a", "b", "c"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Bulks("a", "b"), c.Run("LRANGE", "l", "2", "3"));
        Assert.Equal(Bulks("b", "c"), c.Run("LRANGE", "l", "-2", "100"));
        Assert.Equal(Bulks("z", "y", "a", "b", "c"), c.Run("LRANGE", "l", "-100", "100"));
        Assert.Equal(Empty, c.Run("LRANGE", "l", "3", "2"));
        Assert.Equal(Empty, c.Run("LRANGE", "l", "5", "10"));
        Assert.Equal(Empty, c.Run("LRANGE", "missing", "0", "-1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("LRANGE", "l", "a", "1"));
        Assert.Equal(Int(5), c.Run("LLEN", "l"));
        Assert.Equal(Int(0), c.Run("LLEN", "missing"));
        Assert.Equal("+list\r\n", c.Run("TYPE", "l"));
    }

    [Fact]
    public void PushX_only_on_existing_lists()
    {
        Assert.Equal(Int(0), c.Run("LPUSHX", "l", "a"));
        Assert.Equal(Int(0), c.Run("RPUSHX", "l", "a"));
        Assert.Equal(Int(0), c.Run("EXISTS", "l"));
        c.Run("RPUSH", "l", "m");
        Assert.Equal(Int(3), c.Run("LPUSHX", "l", "b", "a"));
        Assert.Equal(Int(5), c.Run("RPUSHX", "l", "y", "z"));
        Assert.Equal(Bulks("a", "b", "m", "y", "z"), c.Run("LRANGE", "l", "0", "-1"));
    }

    [Fact]
    public void Pop_with_and_without_count()
    {
        c.Run("RPUSH", "l", "a", "b", "c", "d", "e");
        Assert.Equal(Bulk("a"), c.Run("LPOP", "l"));
        Assert.Equal(Bulk("e"), c.Run("RPOP", "l"));
        Assert.Equal(Bulks("b", "c"), c.Run("LPOP", "l", "2"));
        Assert.Equal(Empty, c.Run("LPOP", "l", "0"));
        Assert.Equal(Bulks("d"), c.Run("RPOP", "l", "10"));
        // The emptied list is deleted with its key.
        Assert.Equal(Int(0), c.Run("EXISTS", "l"));
        Assert.Equal(Nil, c.Run("LPOP", "l"));
        Assert.Equal(NilArray, c.Run("LPOP", "l", "1"));
        Assert.Equal(NilArray, c.Run("RPOP", "l", "0"));
        Assert.Equal(Err("ERR value is out of range, must be positive"), c.Run("LPOP", "l", "-1"));
        Assert.Equal(Err("ERR value is out of range, must be positive"), c.Run("LPOP", "l", "x"));
        Assert.Equal(Err("ERR wrong number of arguments for 'lpop' command"), c.Run("LPOP", "l", "1", "2"));
    }

    [Fact]
    public void Pop_nulls_in_resp3()
    {
        c.Session.Protocol = RespVersion.Resp3;
        Assert.Equal("_\r\n", c.Run("LPOP", "l"));
        Assert.Equal("_\r\n", c.Run("LPOP", "l", "2"));
        Assert.Equal("_\r\n", c.Run("LMPOP", "1", "l", "LEFT"));
        Assert.Equal("_\r\n", c.Run("BLPOP", "l", "0.01") + WaitForOutput(c));
    }

    [Fact]
    public void Index_and_set()
    {
        c.Run("RPUSH", "l", "a", "b", "c");
        Assert.Equal(Bulk("a"), c.Run("LINDEX", "l", "0"));
        Assert.Equal(Bulk("c"), c.Run("LINDEX", "l", "-1"));
        Assert.Equal(Bulk("a"), c.Run("LINDEX", "l", "-3"));
        Assert.Equal(Nil, c.Run("LINDEX", "l", "3"));
        Assert.Equal(Nil, c.Run("LINDEX", "l", "-4"));
        Assert.Equal(Nil, c.Run("LINDEX", "missing", "0"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("LINDEX", "l", "x"));
        Assert.Equal(Ok, c.Run("LSET", "l", "1", "B"));
        Assert.Equal(Ok, c.Run("LSET", "l", "-1", "C"));
        Assert.Equal(Bulks("a", "B", "C"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Err("ERR index out of range"), c.Run("LSET", "l", "3", "x"));
        Assert.Equal(Err("ERR index out of range"), c.Run("LSET", "l", "-4", "x"));
        Assert.Equal(Err("ERR no such key"), c.Run("LSET", "missing", "0", "x"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("LSET", "l", "x", "x"));
    }

    [Fact]
    public void Insert_before_and_after()
    {
        c.Run("RPUSH", "l", "a", "c", "c");
        Assert.Equal(Int(4), c.Run("LINSERT", "l", "BEFORE", "c", "b"));
        Assert.Equal(Int(5), c.Run("LINSERT", "l", "after", "c", "d"));
        Assert.Equal(Bulks("a", "b", "c", "d", "c"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Int(-1), c.Run("LINSERT", "l", "BEFORE", "zz", "x"));
        Assert.Equal(Int(0), c.Run("LINSERT", "missing", "BEFORE", "a", "x"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LINSERT", "l", "MIDDLE", "a", "x"));
    }

    [Fact]
    public void Rem_by_count_sign()
    {
        c.Run("RPUSH", "l", "x", "a", "x", "b", "x", "c", "x");
        Assert.Equal(Int(2), c.Run("LREM", "l", "2", "x"));
        Assert.Equal(Bulks("a", "b", "x", "c", "x"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Int(1), c.Run("LREM", "l", "-1", "x"));
        Assert.Equal(Bulks("a", "b", "x", "c"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Int(0), c.Run("LREM", "l", "0", "nope"));
        Assert.Equal(Int(1), c.Run("LREM", "l", "0", "x"));
        Assert.Equal(Int(0), c.Run("LREM", "missing", "0", "x"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("LREM", "l", "x", "x"));
        c.Run("RPUSH", "only", "v", "v");
        Assert.Equal(Int(2), c.Run("LREM", "only", "0", "v"));
        Assert.Equal(Int(0), c.Run("EXISTS", "only"));
    }

    [Fact]
    public void Trim_ranges_and_delete_when_empty()
    {
        c.Run("RPUSH", "l", "a", "b", "c", "d", "e");
        Assert.Equal(Ok, c.Run("LTRIM", "l", "1", "-2"));
        Assert.Equal(Bulks("b", "c", "d"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Ok, c.Run("LTRIM", "l", "-100", "100"));
        Assert.Equal(Bulks("b", "c", "d"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Ok, c.Run("LTRIM", "l", "1", "1"));
        Assert.Equal(Bulks("c"), c.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal(Ok, c.Run("LTRIM", "l", "2", "1"));
        Assert.Equal(Int(0), c.Run("EXISTS", "l"));
        Assert.Equal(Ok, c.Run("LTRIM", "missing", "0", "1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("LTRIM", "l", "0", "x"));
    }

    [Fact]
    public void Pos_with_rank_count_and_maxlen()
    {
        c.Run("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c");
        Assert.Equal(Int(2), c.Run("LPOS", "l", "c"));
        Assert.Equal(Nil, c.Run("LPOS", "l", "zz"));
        Assert.Equal(Int(6), c.Run("LPOS", "l", "c", "RANK", "2"));
        Assert.Equal(Int(7), c.Run("LPOS", "l", "c", "RANK", "-1"));
        Assert.Equal(Int(6), c.Run("LPOS", "l", "c", "RANK", "-2"));
        Assert.Equal(Nil, c.Run("LPOS", "l", "c", "RANK", "4"));
        Assert.Equal(Array(Int(2), Int(6)), c.Run("LPOS", "l", "c", "COUNT", "2"));
        Assert.Equal(Array(Int(2), Int(6), Int(7)), c.Run("LPOS", "l", "c", "COUNT", "0"));
        Assert.Equal(Array(Int(7), Int(6), Int(2)), c.Run("LPOS", "l", "c", "RANK", "-1", "COUNT", "0"));
        Assert.Equal(Array(Int(6), Int(7)), c.Run("LPOS", "l", "c", "RANK", "2", "COUNT", "0"));
        Assert.Equal(Array(Int(2)), c.Run("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "6"));
        Assert.Equal(Nil, c.Run("LPOS", "l", "c", "MAXLEN", "2"));
        Assert.Equal(Empty, c.Run("LPOS", "l", "zz", "COUNT", "0"));
        Assert.Equal(Nil, c.Run("LPOS", "missing", "c"));
        Assert.Equal(Empty, c.Run("LPOS", "missing", "c", "COUNT", "1"));
        Assert.Equal(Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"), c.Run("LPOS", "l", "c", "RANK", "0"));
        Assert.Equal(Int(7), c.Run("LPOS", "l", "c", "RANK", "-9223372036854775808"));
        Assert.Equal(Err("ERR COUNT can't be negative"), c.Run("LPOS", "l", "c", "COUNT", "-1"));
        Assert.Equal(Err("ERR MAXLEN can't be negative"), c.Run("LPOS", "l", "c", "MAXLEN", "-1"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LPOS", "l", "c", "RANK"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LPOS", "l", "c", "FOO", "1"));
    }

    [Fact]
    public void Move_between_and_within_lists()
    {
        c.Run("RPUSH", "src", "a", "b", "c");
        Assert.Equal(Bulk("c"), c.Run("RPOPLPUSH", "src", "dst"));
        Assert.Equal(Bulk("a"), c.Run("LMOVE", "src", "dst", "LEFT", "RIGHT"));
        Assert.Equal(Bulks("c", "a"), c.Run("LRANGE", "dst", "0", "-1"));
        Assert.Equal(Bulk("b"), c.Run("LMOVE", "src", "dst", "left", "left"));
        Assert.Equal(Int(0), c.Run("EXISTS", "src"));
        Assert.Equal(Bulks("b", "c", "a"), c.Run("LRANGE", "dst", "0", "-1"));
        // Rotation on the same key, including a one-element list.
        Assert.Equal(Bulk("a"), c.Run("LMOVE", "dst", "dst", "RIGHT", "LEFT"));
        Assert.Equal(Bulks("a", "b", "c"), c.Run("LRANGE", "dst", "0", "-1"));
        c.Run("RPUSH", "one", "x");
        Assert.Equal(Bulk("x"), c.Run("RPOPLPUSH", "one", "one"));
        Assert.Equal(Bulks("x"), c.Run("LRANGE", "one", "0", "-1"));
        Assert.Equal(Nil, c.Run("LMOVE", "missing", "dst", "LEFT", "LEFT"));
        Assert.Equal(Nil, c.Run("RPOPLPUSH", "missing", "dst"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LMOVE", "dst", "x", "UP", "LEFT"));
        c.Run("SET", "str", "v");
        Assert.Equal(Err(WrongTypeError), c.Run("LMOVE", "dst", "str", "LEFT", "LEFT"));
        Assert.Equal(Bulks("a", "b", "c"), c.Run("LRANGE", "dst", "0", "-1"));
    }

    [Fact]
    public void MPop_picks_the_first_non_empty_list()
    {
        c.Run("RPUSH", "b", "1", "2", "3");
        Assert.Equal(Array(Bulk("b"), Bulks("1")), c.Run("LMPOP", "2", "a", "b", "LEFT"));
        Assert.Equal(Array(Bulk("b"), Bulks("3", "2")), c.Run("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "10"));
        Assert.Equal(NilArray, c.Run("LMPOP", "2", "a", "b", "LEFT"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("LMPOP", "0", "a", "LEFT"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("LMPOP", "x", "a", "LEFT"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LMPOP", "3", "a", "LEFT"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LMPOP", "1", "a", "UP"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LMPOP", "1", "a", "LEFT", "COUNT"));
        Assert.Equal(Err("ERR syntax error"), c.Run("LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"));
        Assert.Equal(Err("ERR count should be greater than 0"), c.Run("LMPOP", "1", "a", "LEFT", "COUNT", "0"));
        Assert.Equal(Err("ERR wrong number of arguments for 'lmpop' command"), c.Run("LMPOP", "1", "a"));
    }

    [Fact]
    public void Wrong_type_on_every_command()
    {
        c.Run("SET", "s", "v");
        string wt = Err(WrongTypeError);
        Assert.Equal(wt, c.Run("LPUSH", "s", "a"));
        Assert.Equal(wt, c.Run("RPUSH", "s", "a"));
        Assert.Equal(wt, c.Run("LPUSHX", "s", "a"));
        Assert.Equal(wt, c.Run("RPUSHX", "s", "a"));
        Assert.Equal(wt, c.Run("LPOP", "s"));
        Assert.Equal(wt, c.Run("RPOP", "s", "2"));
        Assert.Equal(wt, c.Run("LLEN", "s"));
        Assert.Equal(wt, c.Run("LRANGE", "s", "0", "-1"));
        Assert.Equal(wt, c.Run("LINDEX", "s", "0"));
        Assert.Equal(wt, c.Run("LSET", "s", "0", "x"));
        Assert.Equal(wt, c.Run("LINSERT", "s", "BEFORE", "a", "b"));
        Assert.Equal(wt, c.Run("LREM", "s", "0", "a"));
        Assert.Equal(wt, c.Run("LTRIM", "s", "0", "1"));
        Assert.Equal(wt, c.Run("LPOS", "s", "a"));
        Assert.Equal(wt, c.Run("LMOVE", "s", "d", "LEFT", "LEFT"));
        Assert.Equal(wt, c.Run("RPOPLPUSH", "s", "d"));
        Assert.Equal(wt, c.Run("LMPOP", "1", "s", "LEFT"));
        Assert.Equal(wt, c.Run("BLPOP", "s", "0"));
        Assert.Equal(wt, c.Run("BRPOP", "s", "0"));
        Assert.Equal(wt, c.Run("BLMOVE", "s", "d", "LEFT", "LEFT", "0"));
        Assert.Equal(wt, c.Run("BRPOPLPUSH", "s", "d", "0"));
        Assert.Equal(wt, c.Run("BLMPOP", "0", "1", "s", "LEFT"));
        Assert.Equal(0, c.Server.Blocking.Count);
    }

    [Fact]
    public void Object_encoding_follows_size()
    {
        // Redis 7.0 keeps every list in a quicklist, however small.
        c.Run("RPUSH", "l", "a");
        Assert.Equal(Bulk("quicklist"), c.Run("OBJECT", "ENCODING", "l"));
        c.Run("RPUSH", "l", new string('x', 65));
        Assert.Equal(Bulk("quicklist"), c.Run("OBJECT", "ENCODING", "l"));
        c.Run("COPY", "l", "l2");
        Assert.Equal(Bulks("a", new string('x', 65)), c.Run("LRANGE", "l2", "0", "-1"));
    }

    // ---- blocking ----

    private static string WaitForOutput(TestClient client)
    {
        var task = client.Context.BlockUntil;
        if (task is not null)
        {
            Assert.True(task.Wait(TimeSpan.FromSeconds(5)), "blocked client was not released");
            client.Context.BlockUntil = null;
        }
        lock (client.Server.Keyspace.Sync) return client.TakeOutput();
    }

    private TestClient Second() => new(c.Server);

    [Fact]
    public void Blpop_returns_at_once_when_data_is_there()
    {
        c.Run("RPUSH", "b", "x", "y");
        Assert.Equal(Array(Bulk("b"), Bulk("x")), c.Run("BLPOP", "a", "b", "0"));
        Assert.Equal(Array(Bulk("b"), Bulk("y")), c.Run("BRPOP", "b", "0"));
        Assert.Null(c.Context.BlockUntil);
        Assert.Equal(Int(0), c.Run("EXISTS", "b"));
    }

    [Fact]
    public void Blocked_client_is_served_by_another_clients_push()
    {
        var pusher = Second();
        Assert.Equal("", c.Run("BLPOP", "q1", "q2", "0"));
        Assert.NotNull(c.Context.BlockUntil);
        Assert.Equal(1, c.Server.Blocking.Count);
        Assert.Contains("b", c.Session.Flags);
        Assert.Contains("blocked_clients:1", pusher.Run("INFO", "clients"));
        Assert.Equal(Int(2), pusher.Run("RPUSH", "q2", "v1", "v2"));
        Assert.Equal(Array(Bulk("q2"), Bulk("v1")), WaitForOutput(c));
        Assert.Equal(0, c.Server.Blocking.Count);
        Assert.Equal(Bulks("v2"), pusher.Run("LRANGE", "q2", "0", "-1"));
        Assert.DoesNotContain("b", c.Session.Flags);
    }

    [Fact]
    public void Waiters_are_served_in_fifo_order()
    {
        var first = c;
        var second = Second();
        var third = Second();
        var pusher = Second();
        first.Run("BRPOP", "q", "0");
        second.Run("BRPOP", "q", "0");
        third.Run("BRPOP", "q", "0");
        Assert.Equal(3, c.Server.Blocking.Count);
        Assert.Equal(Int(2), pusher.Run("LPUSH", "q", "a", "b"));
        Assert.Equal(Array(Bulk("q"), Bulk("a")), WaitForOutput(first));
        Assert.Equal(Array(Bulk("q"), Bulk("b")), WaitForOutput(second));
        Assert.Equal("", third.TakeOutput());
        Assert.Equal(1, c.Server.Blocking.Count);
        Assert.Equal(Int(0), pusher.Run("EXISTS", "q"));
        pusher.Run("RPUSH", "q", "c");
        Assert.Equal(Array(Bulk("q"), Bulk("c")), WaitForOutput(third));
    }

    [Fact]
    public void Timeout_replies_null_array_after_about_the_timeout()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("", c.Run("BLPOP", "q", "0.2"));
        Assert.Equal(NilArray, WaitForOutput(c));
        Assert.InRange(sw.ElapsedMilliseconds, 150, 3000);
        Assert.Equal(0, c.Server.Blocking.Count);
        // Served later pushes no longer go to the timed-out client.
        Second().Run("RPUSH", "q", "v");
        Assert.Equal("", c.TakeOutput());
    }

    [Fact]
    public void Timeout_errors()
    {
        Assert.Equal(Err("ERR timeout is negative"), c.Run("BLPOP", "q", "-1"));
        Assert.Equal(Err("ERR timeout is not a float or out of range"), c.Run("BLPOP", "q", "abc"));
        Assert.Equal(Err("ERR timeout is not a float or out of range"), c.Run("BRPOPLPUSH", "a", "b", "x"));
        Assert.Equal(Err("ERR timeout is negative"), c.Run("BLMOVE", "a", "b", "LEFT", "LEFT", "-0.5"));
        Assert.Equal(Err("ERR timeout is negative"), c.Run("BLMPOP", "inf", "1", "a", "LEFT"));
        Assert.Equal(Err("ERR timeout is negative"), c.Run("BLPOP", "q", "1e16"));
        Assert.Equal(Err("ERR syntax error"), c.Run("BLMOVE", "a", "b", "UP", "LEFT", "0"));
        Assert.Equal(Err("ERR numkeys should be greater than 0"), c.Run("BLMPOP", "0", "0", "a", "LEFT"));
        Assert.Equal(0, c.Server.Blocking.Count);
        // A huge but representable timeout blocks, as in Redis 7.0.
        Assert.Equal("", c.Run("BLPOP", "q", "1e15"));
        Assert.Equal(1, c.Server.Blocking.Count);
        lock (c.Server.Keyspace.Sync) c.Server.OnClientDisconnected(c.Session);
        Assert.Equal(0, c.Server.Blocking.Count);
    }

    [Fact]
    public void Disconnect_removes_the_waiter()
    {
        c.Run("BLPOP", "q", "0");
        var task = c.Context.BlockUntil!;
        lock (c.Server.Keyspace.Sync) c.Server.OnClientDisconnected(c.Session);
        Assert.True(task.IsCompleted);
        Assert.Equal(0, c.Server.Blocking.Count);
        var pusher = Second();
        pusher.Run("RPUSH", "q", "v");
        Assert.Equal(Bulks("v"), pusher.Run("LRANGE", "q", "0", "-1"));
        Assert.Equal("", c.TakeOutput());
    }

    [Fact]
    public void Blmove_waits_and_chains_to_a_client_blocked_on_the_destination()
    {
        var mover = Second();
        var pusher = Second();
        Assert.Equal("", c.Run("BLPOP", "dst", "0"));
        Assert.Equal("", mover.Run("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"));
        Assert.Equal(2, c.Server.Blocking.Count);
        pusher.Run("RPUSH", "src", "a", "b");
        Assert.Equal(Bulk("b"), WaitForOutput(mover));
        Assert.Equal(Array(Bulk("dst"), Bulk("b")), WaitForOutput(c));
        Assert.Equal(Bulks("a"), pusher.Run("LRANGE", "src", "0", "-1"));
        Assert.Equal(Int(0), pusher.Run("EXISTS", "dst"));
    }

    [Fact]
    public void Brpoplpush_to_wrong_type_destination_gets_wrongtype_when_served()
    {
        var pusher = Second();
        pusher.Run("SET", "dst", "string");
        c.Run("BRPOPLPUSH", "src", "dst", "0");
        pusher.Run("RPUSH", "src", "a");
        Assert.Equal(Err(WrongTypeError), WaitForOutput(c));
        Assert.Equal(Bulks("a"), pusher.Run("LRANGE", "src", "0", "-1"));
    }

    [Fact]
    public void Blmpop_blocks_and_is_served_with_count()
    {
        var pusher = Second();
        Assert.Equal("", c.Run("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"));
        pusher.Run("RPUSH", "b", "1", "2", "3");
        Assert.Equal(Array(Bulk("b"), Bulks("3", "2")), WaitForOutput(c));
    }

    [Fact]
    public void A_key_of_the_wrong_type_keeps_the_client_waiting()
    {
        var other = Second();
        c.Run("BLPOP", "q", "0");
        other.Run("SET", "q", "string");
        Assert.Equal(1, c.Server.Blocking.Count);
        other.Run("DEL", "q");
        other.Run("RPUSH", "q", "v");
        Assert.Equal(Array(Bulk("q"), Bulk("v")), WaitForOutput(c));
    }

    [Fact]
    public void Blocking_commands_do_not_block_inside_multi()
    {
        c.Session.Transaction.InMulti = true;
        Assert.False(c.Server.Blocking.CanBlock(c.Context));
        c.Session.Transaction.InMulti = false;
        // Nested inside another command (as EXEC runs queued commands), a blocking command answers
        // at once as a timeout would: a null array, or a null bulk for BLMOVE/BRPOPLPUSH as Redis does.
        lock (c.Server.Keyspace.Sync)
        {
            c.Server.Blocking.CommandDepth++;
            try
            {
                Assert.Equal(NilArray, c.Run("BLPOP", "q", "0"));
                Assert.Equal(NilArray, c.Run("BLMPOP", "0", "1", "q", "LEFT"));
                Assert.Equal(Nil, c.Run("BRPOPLPUSH", "q", "d", "0"));
                Assert.Equal(Nil, c.Run("BLMOVE", "q", "d", "LEFT", "LEFT", "0"));
            }
            finally
            {
                c.Server.Blocking.CommandDepth--;
            }
        }
        Assert.Null(c.Context.BlockUntil);
        Assert.Equal(0, c.Server.Blocking.Count);
    }

    [Fact]
    public void Unblock_api_releases_with_a_timeout_or_an_error()
    {
        var other = Second();
        c.Run("BLPOP", "q", "0");
        other.Run("BRPOPLPUSH", "q", "d", "0");
        lock (c.Server.Keyspace.Sync)
        {
            Assert.True(c.Server.Blocking.Unblock(c.Session.Id, withError: false));
            Assert.True(c.Server.Blocking.Unblock(other.Session.Id, withError: true));
            Assert.False(c.Server.Blocking.Unblock(c.Session.Id, withError: false));
        }
        Assert.Equal(NilArray, WaitForOutput(c));
        Assert.Equal(Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"), WaitForOutput(other));
        Assert.Equal(0, c.Server.Blocking.Count);
    }

    [Fact]
    public void Waiters_are_served_from_the_key_that_became_ready_as_redis_7_0()
    {
        // The same scenario gives the same replies on redis-server 7.0.15: BLMOVE fills "b" while
        // "a" is being served, and BLMPOP (waiting on b, a) is still served from "a".
        var c1 = c;
        var c2 = Second();
        var c3 = Second();
        var c4 = Second();
        var c5 = Second();
        var pusher = Second();
        c1.Run("BLPOP", "a", "b", "0");
        c2.Run("BRPOP", "b", "0");
        c3.Run("BLMOVE", "a", "b", "RIGHT", "LEFT", "0");
        c4.Run("BLMPOP", "0", "2", "b", "a", "LEFT", "COUNT", "2");
        c5.Run("BRPOPLPUSH", "b", "a", "0");
        Assert.Equal(Int(3), pusher.Run("RPUSH", "a", "1", "2", "3"));
        Assert.Equal(Array(Bulk("a"), Bulk("1")), WaitForOutput(c1));
        Assert.Equal(Bulk("3"), WaitForOutput(c3));
        Assert.Equal(Array(Bulk("a"), Bulks("2")), WaitForOutput(c4));
        Assert.Equal(Array(Bulk("b"), Bulk("3")), WaitForOutput(c2));
        Assert.Equal(1, c.Server.Blocking.Count);
        Assert.Equal(Int(4), pusher.Run("RPUSH", "b", "x", "y", "z", "w"));
        Assert.Equal(Bulk("w"), WaitForOutput(c5));
        Assert.Equal(Bulks("w"), pusher.Run("LRANGE", "a", "0", "-1"));
        Assert.Equal(Bulks("x", "y", "z"), pusher.Run("LRANGE", "b", "0", "-1"));
    }

    [Fact]
    public void Clients_blocked_on_other_databases_are_not_served()
    {
        var pusher = Second();
        c.Run("SELECT", "1");
        c.Run("BLPOP", "q", "0");
        pusher.Run("RPUSH", "q", "db0");
        Assert.Equal(1, c.Server.Blocking.Count);
        pusher.Run("SELECT", "1");
        pusher.Run("RPUSH", "q", "db1");
        Assert.Equal(Array(Bulk("q"), Bulk("db1")), WaitForOutput(c));
    }
}
