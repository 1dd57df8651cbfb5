namespace Magpie.Server.Tests;

public class TransactionCommandTests
{
    private readonly TestClient a = new();
    private readonly TestClient b;

    public TransactionCommandTests() => b = new TestClient(a.Server);

    [Fact]
    public void Multi_queues_and_exec_runs_in_order()
    {
        Assert.Equal(Ok, a.Run("MULTI"));
        Assert.Equal("+QUEUED\r\n", a.Run("SET", "k", "1"));
        Assert.Equal("+QUEUED\r\n", a.Run("INCR", "k"));
        Assert.Equal("+QUEUED\r\n", a.Run("GET", "k"));
        Assert.Equal(Array(Ok, Int(2), Bulk("2")), a.Run("EXEC"));
    }

    [Fact]
    public void Runtime_errors_stay_inside_the_exec_reply()
    {
        a.Run("SET", "s", "text");
        a.Run("MULTI");
        a.Run("INCR", "s");
        a.Run("SET", "t", "1");
        Assert.Equal(Array(Err("ERR value is not an integer or out of range"), Ok), a.Run("EXEC"));
    }

    [Fact]
    public void Queue_time_error_aborts_exec()
    {
        a.Run("MULTI");
        Assert.Equal(Err("ERR wrong number of arguments for 'get' command"), a.Run("GET"));
        Assert.StartsWith("-ERR unknown command 'NOPE'", a.Run("NOPE"));
        a.Run("SET", "never", "1");
        Assert.Equal(Err("EXECABORT Transaction discarded because of previous errors."), a.Run("EXEC"));
        Assert.Equal(Nil, a.Run("GET", "never"));
        Assert.Equal(Err("ERR EXEC without MULTI"), a.Run("EXEC"));
    }

    [Fact]
    public void Watch_conflict_from_another_client_aborts()
    {
        a.Run("SET", "w", "1");
        Assert.Equal(Ok, a.Run("WATCH", "w"));
        b.Run("SET", "w", "2");
        a.Run("MULTI");
        a.Run("SET", "w", "3");
        Assert.Equal(NilArray, a.Run("EXEC"));
        Assert.Equal(Bulk("2"), a.Run("GET", "w"));
    }

    [Fact]
    public void Watch_without_changes_succeeds_and_unwatch_forgets()
    {
        a.Run("WATCH", "w");
        a.Run("MULTI");
        a.Run("SET", "w", "mine");
        Assert.Equal(Array(Ok), a.Run("EXEC"));
        a.Run("WATCH", "w");
        Assert.Equal(Ok, a.Run("UNWATCH"));
        b.Run("SET", "w", "theirs");
        a.Run("MULTI");
        a.Run("GET", "w");
        Assert.Equal(Array(Bulk("theirs")), a.Run("EXEC"));
    }

    [Fact]
    public void Watch_sees_expiry_and_deletion()
    {
        long now = 1_000_000;
        a.Server.Keyspace.Clock = () => now;
        a.Run("SET", "e", "v", "PX", "100");
        a.Run("WATCH", "e");
        now += 200; // the key expires while watched
        a.Run("MULTI");
        a.Run("SET", "x", "1");
        Assert.Equal(NilArray, a.Run("EXEC"));

        a.Run("SET", "d", "v");
        a.Run("WATCH", "d");
        b.Run("DEL", "d");
        a.Run("MULTI");
        a.Run("PING");
        Assert.Equal(NilArray, a.Run("EXEC"));
    }

    [Fact]
    public void Watch_sees_eviction()
    {
        var ks = a.Server.Keyspace;
        a.Run("SET", "victim", "v");
        a.Run("WATCH", "victim");
        ks.Policy = Magpie.Storage.EvictionPolicy.AllKeysRandom;
        ks.MaxMemory = 1; // everything must go
        ks.TryFreeMemory();
        ks.MaxMemory = 0;
        Assert.Equal(0, ks[0].Count);
        a.Run("MULTI");
        a.Run("PING");
        Assert.Equal(NilArray, a.Run("EXEC"));
    }

    [Fact]
    public void Nesting_and_misplaced_commands()
    {
        Assert.Equal(Err("ERR DISCARD without MULTI"), a.Run("DISCARD"));
        a.Run("MULTI");
        Assert.Equal(Err("ERR MULTI calls can not be nested"), a.Run("MULTI"));
        Assert.Equal(Err("ERR WATCH inside MULTI is not allowed"), a.Run("WATCH", "x"));
        Assert.Equal(Ok, a.Run("DISCARD"));
        Assert.Equal(Err("ERR EXEC without MULTI"), a.Run("EXEC"));
    }

    [Fact]
    public void Resp3_exec_abort_by_watch_is_null()
    {
        a.Session.Protocol = Magpie.Protocol.RespVersion.Resp3;
        a.Run("WATCH", "r");
        b.Run("SET", "r", "1");
        a.Run("MULTI");
        a.Run("PING");
        Assert.Equal("_\r\n", a.Run("EXEC"));
    }
}

public class CommandIntrospectionTests
{
    private readonly TestClient c = new();

    [Fact]
    public void Getkeys_follows_first_last_step_and_numkeys()
    {
        Assert.Equal(Bulks("a", "c"), c.Run("COMMAND", "GETKEYS", "MSET", "a", "1", "c", "2"));
        Assert.Equal(Bulks("s1", "s2"), c.Run("COMMAND", "GETKEYS", "SINTERCARD", "2", "s1", "s2", "LIMIT", "5"));
        Assert.Equal(Err("ERR The command has no key arguments"), c.Run("COMMAND", "GETKEYS", "ECHO", "x"));
        // Redis 7.0's arity for COMMAND GETKEYS is -4: a command name and at least one argument.
        Assert.Equal(Err("ERR wrong number of arguments for 'command|getkeys' command"), c.Run("COMMAND", "GETKEYS", "PING"));
        Assert.Equal(Err("ERR Invalid command specified"), c.Run("COMMAND", "GETKEYS", "NOPE", "x"));
        Assert.Equal(Err("ERR Invalid number of arguments specified for command"), c.Run("COMMAND", "GETKEYS", "GET", "a", "b"));
    }

    [Fact]
    public void Unknown_subcommand_and_container_arity()
    {
        Assert.Equal(Err("ERR unknown subcommand 'nope'. Try CONFIG HELP."), c.Run("CONFIG", "nope"));
        Assert.Equal(Err("ERR wrong number of arguments for 'config' command"), c.Run("CONFIG"));
        Assert.Equal(Err("ERR wrong number of arguments for 'config|get' command"), c.Run("CONFIG", "GET"));
    }

    [Fact]
    public void Config_set_is_atomic_and_validates()
    {
        Assert.Equal(Ok, c.Run("CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy", "allkeys-lru"));
        Assert.Equal(Array(Bulk("maxmemory"), Bulk("10485760")), c.Run("CONFIG", "GET", "maxmemory"));
        Assert.StartsWith("-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy')", c.Run("CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "bogus"));
        Assert.Equal(Array(Bulk("maxmemory"), Bulk("10485760")), c.Run("CONFIG", "GET", "maxmemory"));
        Assert.StartsWith("-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config", c.Run("CONFIG", "SET", "port", "1"));
        Assert.Equal(Err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"), c.Run("CONFIG", "SET", "nosuch", "1"));
    }
}

public class MovableKeysTests
{
    private readonly TestClient c = new();

    [Fact]
    public void Numkeys_commands_report_all_their_keys()
    {
        Assert.Equal(Bulks("dst", "a", "b"), c.Run("COMMAND", "GETKEYS", "ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"));
        Assert.Equal(Bulks("a", "b"), c.Run("COMMAND", "GETKEYS", "ZINTER", "2", "a", "b"));
        Assert.Equal(Bulks("x"), c.Run("COMMAND", "GETKEYS", "ZMPOP", "1", "x", "MIN"));
    }

    [Fact]
    public void Sets_are_valid_inputs_to_sorted_set_operations()
    {
        c.Run("SADD", "s", "a", "b");
        c.Run("ZADD", "z", "5", "b", "7", "c");
        Assert.Equal(Array(Bulk("a"), Bulk("1"), Bulk("b"), Bulk("6"), Bulk("c"), Bulk("7")), c.Run("ZUNION", "2", "s", "z", "WITHSCORES"));
        Assert.Equal(Int(1), c.Run("ZINTERCARD", "2", "s", "z"));
    }
}

public class KeySpecTests
{
    [Fact]
    public void Command_info_key_specs_are_range_keynum_or_both()
    {
        var c = new TestClient();
        Assert.Contains("$5\r\nrange\r\n", c.Run("COMMAND", "INFO", "get"));
        var sintercard = c.Run("COMMAND", "INFO", "sintercard");
        Assert.Contains("$6\r\nkeynum\r\n", sintercard);
        Assert.DoesNotContain("$5\r\nrange\r\n", sintercard);
        var zunionstore = c.Run("COMMAND", "INFO", "zunionstore");
        Assert.Contains("$5\r\nrange\r\n", zunionstore);
        Assert.Contains("$6\r\nkeynum\r\n", zunionstore);
    }
}
