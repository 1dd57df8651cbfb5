using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Differential;

/// <summary>
/// FUNCTION and FCALL against redis-server 7.0.15, byte for byte in RESP2 and RESP3: every LOAD
/// error, register_function's two call forms and flags, FCALL/FCALL_RO checks, LIST/STATS/DELETE/
/// FLUSH/RESTORE errors, and DUMP payloads restored across the two servers both ways.
/// </summary>
public sealed class FunctionDifferentialTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    private const string Library = """
        #!lua name=lib
        local function boom(keys, args)
          error('boom')
        end
        redis.register_function('boom', boom)
        redis.register_function('w', function(keys, args) return redis.call('set', keys[1], args[1]) end)
        redis.register_function{function_name='r', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}
        redis.register_function{function_name='rw', callback=function(keys, args) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}
        redis.register_function('g', function(keys, args) return KEYS end)
        redis.register_function('e', function(keys, args) return redis.error_reply('MY err') end)
        redis.register_function('v', function(keys, args) return {redis.REDIS_VERSION_NUM, redis.LOG_WARNING, redis.REDIS_VERSION} end)
        redis.register_function('ka', function(keys, args) return {keys, args, #keys, #args} end)
        redis.register_function('m', function(keys, args) return {1, 'two', {3.5, false}, redis.status_reply('FINE')} end)
        """;

    [Fact]
    public void Load_errors_match()
    {
        pair.Same("FUNCTION", "FLUSH");
        string[] bad =
        [
            "return 1", "#!lua", "#!lua name=x", "#!lua name=x foo=bar\n", "#!lua name=x-y\nredis.register_function('f', function() return 1 end)",
            "#!lua\nreturn 1", "#!lua name=x name=y\n", "#!py name=x\n", "#!lua name=\n", "#!lua name=x\nreturn 1",
            "#!lua name=x\nredis.register_function('f-1', function() return 1 end)",
            "#!lua name=x\nredis.register_function('f')",
            "#!lua name=x\nredis.register_function(1, 2, 3)",
            "#!lua name=x\nredis.register_function()",
            "#!lua name=x\nredis.register_function({}, function() end)",
            "#!lua name=x\nredis.register_function('f', 'notafunction')",
            "#!lua name=x\nredis.register_function({function_name='f', callback=function() return 1 end, flags={'bad'}})",
            "#!lua name=x\nredis.register_function({function_name='f', callback=function() return 1 end, flags='no-writes'})",
            "#!lua name=x\nredis.register_function({function_name='f', callback='x'})",
            "#!lua name=x\nredis.register_function({function_name={}, callback=function() end})",
            "#!lua name=x\nredis.register_function({function_name='f', description={}, callback=function() end})",
            "#!lua name=x\nredis.register_function({function_name='f', other=1, callback=function() end})",
            "#!lua name=x\nredis.register_function({callback=function() end})",
            "#!lua name=x\nredis.register_function({function_name='f'})",
            "#!lua name=x\nredis.register_function('f', function() return 1 end)\nredis.register_function('f', function() return 1 end)",
            "#!lua name=x\nredis.call('set','a','b')",
            "#!lua name=x\nlocal a = string.len('x')",
            "#!lua name=x\nfoo = 1",
            "#!lua name=x\nredis.foo = 1",
            "#!lua name=x\nerror('boom')",
            "#!lua name=x\nlocal y = redis.setresp",
            "#!lua name=x\nlocal x = =",
            "#!lua name=x\nwhile true do end",
        ];
        foreach (var code in bad) pair.Both("FUNCTION", "LOAD", code);
        pair.Both("FUNCTION", "LOAD", "foo", "#!lua name=x\n");
        pair.Both("FUNCTION", "LOAD", "REPLACE");
        pair.Both("FUNCTION", "LOAD", "REPLACE", "REPLACE", "#!lua name=x\n");
        pair.Both("FUNCTION", "LOAD");
        pair.Both("FUNCTION", "LIST");
        pair.Both("FUNCTION", "STATS");
    }

    [Fact]
    public void Fcall_and_library_management_match()
    {
        pair.Same("FUNCTION", "FLUSH");
        pair.Same("FLUSHALL");
        pair.Both("FUNCTION", "LOAD", Library);
        pair.Both("FUNCTION", "LOAD", Library);
        pair.Same("FUNCTION", "LOAD", "REPLACE", Library);
        string[][] calls =
        [
            ["FCALL", "boom", "0"], ["FCALL", "w", "1", "k", "v"], ["FCALL_RO", "w", "1", "k", "v"], ["FCALL_RO", "r", "1", "k"],
            ["FCALL", "R", "1", "k"], ["FCALL", "rw", "1", "k"], ["FCALL", "g", "0"], ["FCALL", "e", "0"], ["FCALL", "v", "0"],
            ["FCALL", "ka", "2", "a", "b", "c"], ["FCALL", "ka", "0"], ["FCALL", "m", "0"], ["FCALL", "nope", "0"], ["FCALL", "w", "x"],
            ["FCALL", "w", "3", "a"], ["FCALL", "w", "-1"], ["FCALL_RO", "nope", "0"], ["FCALL"], ["FCALL", "w"],
        ];
        foreach (var c in calls) pair.Both(c);
        pair.Both("GET", "k");
        pair.Both("FUNCTION", "STATS");
        pair.Both("FUNCTION", "LIST", "LIBRARYNAME");
        pair.Both("FUNCTION", "LIST", "WITHCODE", "WITHCODE");
        pair.Both("FUNCTION", "LIST", "foo");
        pair.Both("FUNCTION", "LIST", "LIBRARYNAME", "nomatch*");
        pair.Both("FUNCTION", "DELETE", "nope");
        pair.Both("FUNCTION", "DELETE");
        pair.Both("FUNCTION", "RESTORE", "xxx");
        pair.Both("FUNCTION", "RESTORE", "xxx", "bad");
        pair.Both("FUNCTION", "RESTORE", "xxx", "FLUSH", "more");
        pair.Both("FUNCTION", "FLUSH", "bad");
        pair.Both("FUNCTION", "FLUSH", "SYNC", "ASYNC");
        pair.Both("FUNCTION", "KILL");
        pair.Both("FUNCTION", "HELP");
        pair.Both("FUNCTION", "NOPE");
        // Two libraries with one function each: listing order is then defined by one entry per pattern.
        pair.Same("FUNCTION", "LOAD", "#!lua name=one\nredis.register_function{function_name='f1', description='first', callback=function() return 1 end, flags={'no-writes', 'ALLOW-OOM', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}");
        pair.Same("FUNCTION", "LOAD", "#!lua name=two\nredis.register_function('F1', function() return 2 end)");
        pair.Same("FUNCTION", "LOAD", "#!lua name=two\nredis.register_function('f2', function() return 2 end)");
        pair.Both("FUNCTION", "LIST", "LIBRARYNAME", "ON*", "WITHCODE");
        pair.Both("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "tw?");
        pair.Both("FCALL_RO", "f1", "0");
        pair.Both("FCALL", "F2", "0");
        pair.Both("FUNCTION", "DELETE", "lib");
        pair.Both("FUNCTION", "DELETE", "lib");
        pair.Both("FCALL", "w", "1", "k", "v");
        pair.Both("FUNCTION", "STATS");
        pair.Same("FUNCTION", "FLUSH", "ASYNC");
        pair.Both("FUNCTION", "LIST");
        pair.Both("FUNCTION", "DUMP");
    }

    [Fact]
    public async Task Dump_payloads_restore_across_redis_and_magpie()
    {
        using var redis = await RespPipe.OpenAsync(pair.Redis.Port);
        using var magpie = await RespPipe.OpenAsync(pair.Magpie.Port);
        pair.Same("FUNCTION", "FLUSH");
        // Long enough that redis-server stores the code LZF-compressed.
        redis.Call("FUNCTION", "LOAD", "#!lua name=fromredis\n-- " + new string('x', 200) + "\nredis.register_function('hello', function(keys, args) return 'hi ' .. args[1] end)");
        var redisDump = Bulk(redis.CallBytes(B("FUNCTION"), B("DUMP")));
        Assert.Equal("+OK\r\n", Call(magpie, B("FUNCTION"), B("RESTORE"), redisDump));
        Assert.Equal("$6\r\nhi you\r\n", magpie.Call("FCALL", "hello", "0", "you"));
        Assert.StartsWith("-ERR Library fromredis already exists", Call(magpie, B("FUNCTION"), B("RESTORE"), redisDump));
        Assert.Equal("+OK\r\n", Call(magpie, B("FUNCTION"), B("RESTORE"), redisDump, B("REPLACE")));

        magpie.Call("FUNCTION", "LOAD", "#!lua name=frommagpie\nredis.register_function('bye', function() return 'bye' end)");
        var magpieDump = Bulk(magpie.CallBytes(B("FUNCTION"), B("DUMP")));
        Assert.StartsWith("-ERR Library fromredis already exists", Call(redis, B("FUNCTION"), B("RESTORE"), magpieDump));
        Assert.Equal("+OK\r\n", Call(redis, B("FUNCTION"), B("RESTORE"), magpieDump, B("FLUSH")));
        Assert.Equal("$3\r\nbye\r\n", redis.Call("FCALL", "bye", "0"));
        Assert.Equal("$6\r\nhi you\r\n", redis.Call("FCALL", "hello", "0", "you"));
        // Both now hold the same two libraries: one function each, so the listing per library matches.
        pair.Both("FUNCTION", "LIST", "LIBRARYNAME", "frommagpie", "WITHCODE");
        pair.Both("FUNCTION", "LIST", "LIBRARYNAME", "fromredis", "WITHCODE");

        // A payload whose checksum is broken, and one that holds a key instead of functions.
        var broken = (byte[])magpieDump.Clone();
        broken[^1] ^= 0xff;
        Assert.Equal(Call(redis, B("FUNCTION"), B("RESTORE"), broken), Call(magpie, B("FUNCTION"), B("RESTORE"), broken));
        redis.Call("SET", "plain", "value");
        var keyDump = Bulk(redis.CallBytes(B("DUMP"), B("plain")));
        Assert.Equal(Call(redis, B("FUNCTION"), B("RESTORE"), keyDump), Call(magpie, B("FUNCTION"), B("RESTORE"), keyDump));
    }

    [Fact]
    public async Task Libraries_survive_save_and_restart_and_load_into_redis_server()
    {
        var dir = Directory.CreateTempSubdirectory("magpie-fn-").FullName;
        await using (var node = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(node.Port);
            Assert.Equal("kept", c.CallString("FUNCTION", "LOAD", "#!lua name=kept\nredis.register_function('keep', function(keys, args) return redis.call('incr', keys[1]) end)"));
            Assert.Equal("OK", c.CallString("SAVE"));
        }
        await using (var again = await MagpieNode.StartAsync("--data-dir", dir))
        {
            using var c = await RespClient.ConnectAsync(again.Port);
            Assert.Equal(1L, c.Call("FCALL", "keep", "1", "n"));
        }
        // redis-server loads the library from Magpie's dump.rdb (saved before the INCR above).
        await using var redis = await RedisServerProcess.StartAsync(dir);
        using var r = await RespClient.ConnectAsync(redis.Port);
        Assert.Equal(1L, r.Call("FCALL", "keep", "1", "n"));
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string Call(RespPipe pipe, params byte[][] args) => Encoding.Latin1.GetString(pipe.CallBytes(args));

    /// <summary>The body of a RESP bulk reply.</summary>
    private static byte[] Bulk(byte[] reply)
    {
        int crlf = Array.IndexOf(reply, (byte)'\r');
        int length = int.Parse(Encoding.ASCII.GetString(reply, 1, crlf - 1));
        return reply.AsSpan(crlf + 2, length).ToArray();
    }
}
