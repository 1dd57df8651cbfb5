namespace Magpie.Server.Tests;

public class StringCommandTests
{
    private readonly TestClient c = new();

    [Fact]
    public void Set_and_get_round_trip()
    {
        Assert.Equal(Ok, c.Run("SET", "k", "v"));
        Assert.Equal(Bulk("v"), c.Run("GET", "k"));
        Assert.Equal(Nil, c.Run("GET", "missing"));
    }

    [Fact]
    public void Set_nx_xx_and_get_option()
    {
        Assert.Equal(Nil, c.Run("SET", "k", "v", "XX"));
        Assert.Equal(Ok, c.Run("SET", "k", "v1", "NX"));
        Assert.Equal(Nil, c.Run("SET", "k", "v2", "NX"));
        Assert.Equal(Bulk("v1"), c.Run("SET", "k", "v3", "XX", "GET"));
        Assert.Equal(Bulk("v3"), c.Run("GET", "k"));
        Assert.Equal(Nil, c.Run("SET", "new", "x", "GET"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SET", "k", "v", "NX", "XX"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SET", "k", "v", "EX", "10", "PX", "10"));
        Assert.Equal(Err("ERR syntax error"), c.Run("SET", "k", "v", "EX"));
    }

    [Fact]
    public void Set_expiry_options_and_errors()
    {
        Assert.Equal(Ok, c.Run("SET", "k", "v", "EX", "100"));
        Assert.Equal(Int(100), c.Run("TTL", "k"));
        Assert.Equal(Ok, c.Run("SET", "k", "v2", "KEEPTTL"));
        Assert.Equal(Int(100), c.Run("TTL", "k"));
        Assert.Equal(Ok, c.Run("SET", "k", "v3"));
        Assert.Equal(Int(-1), c.Run("TTL", "k"));
        Assert.Equal(Err("ERR invalid expire time in 'set' command"), c.Run("SET", "k", "v", "EX", "0"));
        Assert.Equal(Err("ERR invalid expire time in 'set' command"), c.Run("SET", "k", "v", "PX", "-5"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("SET", "k", "v", "EX", "abc"));
        Assert.Equal(Err("ERR invalid expire time in 'set' command"), c.Run("SET", "k", "v", "EX", "9223372036854775807"));
        // An absolute time in the past sets and deletes at once.
        Assert.Equal(Ok, c.Run("SET", "k", "v", "PXAT", "1"));
        Assert.Equal(Nil, c.Run("GET", "k"));
    }

    [Fact]
    public void Get_on_wrong_type_is_wrongtype()
    {
        c.Server.Keyspace[0].Add("h"u8, new FakeValue());
        Assert.Equal(Err("WRONGTYPE Operation against a key holding the wrong kind of value"), c.Run("GET", "h"));
        Assert.Equal(Err("WRONGTYPE Operation against a key holding the wrong kind of value"), c.Run("APPEND", "h", "x"));
        Assert.Equal(Err("WRONGTYPE Operation against a key holding the wrong kind of value"), c.Run("INCR", "h"));
        Assert.Equal(Ok, c.Run("SET", "h", "now-a-string"));
    }

    [Fact]
    public void Incr_family()
    {
        Assert.Equal(Int(1), c.Run("INCR", "n"));
        Assert.Equal(Int(11), c.Run("INCRBY", "n", "10"));
        Assert.Equal(Int(10), c.Run("DECR", "n"));
        Assert.Equal(Int(5), c.Run("DECRBY", "n", "5"));
        c.Run("SET", "n", "9223372036854775807");
        Assert.Equal(Err("ERR increment or decrement would overflow"), c.Run("INCR", "n"));
        c.Run("SET", "s", "abc");
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("INCR", "s"));
        c.Run("SET", "s", " 1");
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("INCR", "s"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), c.Run("INCRBY", "n", "1.5"));
        Assert.Equal(Err("ERR decrement would overflow"), c.Run("DECRBY", "n", "-9223372036854775808"));
    }

    [Fact]
    public void IncrByFloat_formats_like_redis()
    {
        Assert.Equal(Bulk("0.1"), c.Run("INCRBYFLOAT", "f", "0.1"));
        Assert.Equal(Bulk("0.3"), c.Run("INCRBYFLOAT", "f", "0.2"));
        c.Run("SET", "f", "10.50");
        Assert.Equal(Bulk("10.6"), c.Run("INCRBYFLOAT", "f", "0.1"));
        c.Run("SET", "f", "5.0e3");
        Assert.Equal(Bulk("5200"), c.Run("INCRBYFLOAT", "f", "2.0e2"));
        Assert.Equal(Err("ERR value is not a valid float"), c.Run("INCRBYFLOAT", "f", "x"));
        Assert.Equal(Err("ERR increment would produce NaN or Infinity"), c.Run("INCRBYFLOAT", "f", "inf"));
    }

    [Fact]
    public void Append_strlen_getrange_setrange()
    {
        Assert.Equal(Int(5), c.Run("APPEND", "s", "Hello"));
        Assert.Equal(Int(11), c.Run("APPEND", "s", " World"));
        Assert.Equal(Int(11), c.Run("STRLEN", "s"));
        Assert.Equal(Int(0), c.Run("STRLEN", "none"));
        Assert.Equal(Bulk("Hell"), c.Run("GETRANGE", "s", "0", "3"));
        Assert.Equal(Bulk("rld"), c.Run("GETRANGE", "s", "-3", "-1"));
        Assert.Equal(Bulk("Hello World"), c.Run("GETRANGE", "s", "0", "-1"));
        Assert.Equal(Bulk("H"), c.Run("GETRANGE", "s", "0", "-100"));
        Assert.Equal(Bulk(""), c.Run("GETRANGE", "s", "5", "3"));
        Assert.Equal(Bulk("ld"), c.Run("SUBSTR", "s", "9", "100"));
        Assert.Equal(Int(11), c.Run("SETRANGE", "s", "6", "Redis"));
        Assert.Equal(Bulk("Hello Redis"), c.Run("GET", "s"));
        Assert.Equal(Int(3), c.Run("SETRANGE", "pad", "2", "x"));
        Assert.Equal(Bulk("\0\0x"), c.Run("GET", "pad"));
        Assert.Equal(Int(0), c.Run("SETRANGE", "empty", "5", ""));
        Assert.Equal(Int(0), c.Run("EXISTS", "empty"));
        Assert.Equal(Err("ERR offset is out of range"), c.Run("SETRANGE", "s", "-1", "x"));
        Assert.Equal(Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"), c.Run("SETRANGE", "s", "536870911", "xx"));
    }

    [Fact]
    public void Multi_key_string_commands()
    {
        Assert.Equal(Ok, c.Run("MSET", "a", "1", "b", "2"));
        Assert.Equal(Array(Bulk("1"), Bulk("2"), Nil), c.Run("MGET", "a", "b", "c"));
        Assert.Equal(Err("ERR wrong number of arguments for 'mset' command"), c.Run("MSET", "a", "1", "b"));
        Assert.Equal(Int(0), c.Run("MSETNX", "a", "x", "c", "3"));
        Assert.Equal(Nil, c.Run("GET", "c"));
        Assert.Equal(Int(1), c.Run("MSETNX", "c", "3", "d", "4"));
        Assert.Equal(Bulk("1"), c.Run("GETSET", "a", "9"));
        Assert.Equal(Bulk("9"), c.Run("GETDEL", "a"));
        Assert.Equal(Nil, c.Run("GETDEL", "a"));
        Assert.Equal(Int(1), c.Run("SETNX", "a", "x"));
        Assert.Equal(Int(0), c.Run("SETNX", "a", "y"));
    }

    [Fact]
    public void SetEx_and_GetEx()
    {
        Assert.Equal(Ok, c.Run("SETEX", "k", "100", "v"));
        Assert.Equal(Int(100), c.Run("TTL", "k"));
        Assert.Equal(Err("ERR invalid expire time in 'setex' command"), c.Run("SETEX", "k", "0", "v"));
        Assert.Equal(Ok, c.Run("PSETEX", "p", "100000", "v"));
        Assert.Equal(Int(100), c.Run("TTL", "p"));
        Assert.Equal(Bulk("v"), c.Run("GETEX", "k", "PERSIST"));
        Assert.Equal(Int(-1), c.Run("TTL", "k"));
        Assert.Equal(Bulk("v"), c.Run("GETEX", "k", "EX", "50"));
        Assert.Equal(Int(50), c.Run("TTL", "k"));
        Assert.Equal(Err("ERR syntax error"), c.Run("GETEX", "k", "EX", "5", "PX", "5"));
        Assert.Equal(Nil, c.Run("GETEX", "none", "EX", "5"));
    }
}

/// <summary>A non-string value for WRONGTYPE tests, independent of the real collection types.</summary>
internal sealed class FakeValue : Magpie.Storage.IRedisValue
{
    public Magpie.Storage.RedisType Type => Magpie.Storage.RedisType.Hash;
    public string Encoding => "hashtable";
    public long EstimatedBytes => 64;
    public long Count => 1;
    public Magpie.Storage.IRedisValue Clone() => new FakeValue();
}
