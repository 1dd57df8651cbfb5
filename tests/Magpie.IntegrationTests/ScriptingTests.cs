using System.Diagnostics;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// EVAL/EVALSHA/SCRIPT against a real magpie process, differentially against redis-server 7.0.15
/// (the same commands to both, raw RESP replies compared byte for byte), plus the busy-script path.
/// </summary>
[Collection("Scripting")]
public sealed class ScriptingTests : IAsyncLifetime
{
    private MagpieNode _node = null!;
    private Process _redis = null!;
    private int _redisPort;

    public async Task InitializeAsync()
    {
        _node = await MagpieNode.StartAsync();
        _redisPort = MagpieNode.FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", _redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        for (int i = 0; i < 100; i++)
        {
            try { using var c = await RawConnection.OpenAsync(_redisPort); return; }
            catch { await Task.Delay(50); }
        }
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        if (!_redis.HasExited) _redis.Kill();
        _redis.Dispose();
    }

    public static TheoryData<string[]> Cases => new()
    {
        new[] { "EVAL", "return 1", "0" },
        new[] { "EVAL", "return {1,2,3.7,'a',nil,5}", "0" },
        new[] { "EVAL", "return {true,false,{ok='FINE'},{err='MY bad'}}", "0" },
        new[] { "EVAL", "x = 1", "0" },
        new[] { "EVAL", "return y", "0" },
        new[] { "EVAL", "return os.time()", "0" },
        new[] { "EVAL", "string.foo = 1", "0" },
        new[] { "EVAL", "return redis.call('nosuch')", "0" },
        new[] { "EVAL", "return redis.call('get')", "0" },
        new[] { "EVAL", "return redis.pcall('get')", "0" },
        new[] { "EVAL", "return redis.call('multi')", "0" },
        new[] { "EVAL", "error('boom')", "0" },
        new[] { "EVAL", "error({err='MY boom'})", "0" },
        new[] { "EVAL", "return redis.error_reply('x y')", "0" },
        new[] { "EVAL", "local ok, e = pcall(redis.call, 'bogus') return {tostring(ok), e}", "0" },
        new[] { "EVAL", "redis.call('del', KEYS[1]) redis.call('rpush', KEYS[1], 'a', 'b') redis.call('hset', KEYS[2], 'f', 'v') redis.call('sadd', KEYS[3], 'm') redis.call('zadd', KEYS[4], 1.5, 'z') return {redis.call('lrange', KEYS[1], 0, -1), redis.call('hgetall', KEYS[2]), redis.call('smembers', KEYS[3]), redis.call('zrange', KEYS[4], 0, -1, 'withscores'), redis.call('get', 'missing'), redis.call('set', ARGV[1], 3.5), redis.call('get', ARGV[1]), redis.call('incr', 'n1')}", "4", "l1", "h1", "s1", "z1", "str1" },
        new[] { "EVAL", "redis.call('set', 's2', 'x') return redis.call('incr', 's2')", "0" },
        new[] { "EVAL", "redis.call('set', 's3', 'x') return redis.pcall('lpush', 's3', 'y')", "0" },
        new[] { "EVAL", "redis.setresp(3) redis.call('hset', 'h3', 'f', 'v') return {redis.call('hgetall', 'h3'), redis.call('zscore', 'z1', 'z'), true, false}", "0" },
        new[] { "EVAL", "return cjson.encode({1,2,3,{a=1}})", "0" },
        new[] { "EVAL", "return cjson.encode({})", "0" },
        new[] { "EVAL", "return cjson.encode({[1]=1,[20]=2})", "0" },
        new[] { "EVAL", "return cjson.decode('{bad')", "0" },
        new[] { "EVAL", "local t = cjson.decode('[1,2.5,\"x\",null,{\"a\":[true,false]}]') return {t[1], t[3], type(t[4]), t[5].a[1], cjson.encode(t)}", "0" },
        new[] { "EVAL", "return cmsgpack.pack({1,2,3,'abc',-5,300,-300,70000,1.5,0.1,true,false})", "0" },
        new[] { "EVAL", "return {cmsgpack.unpack(cmsgpack.pack({1,2,{3,'x'}}, 7, 's'))}", "0" },
        new[] { "EVAL", "return {bit.band(0xff, 0x0f), bit.bor(1,2,4), bit.bxor(5,3), bit.bnot(0), bit.lshift(1,31), bit.rshift(-1,28), bit.arshift(-256,4), bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.tobit(0xffffffff), bit.tohex(255), bit.tohex(-1, -4)}", "0" },
        new[] { "EVAL", "return {struct.pack('>I2i4', 258, -2), struct.size('>I2i4'), struct.unpack('<h', '\\1\\2')}", "0" },
        new[] { "EVAL", "return struct.unpack('>I4', 'ab')", "0" },
        new[] { "EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','b')", "0" },
        new[] { "EVAL", "#!lua flags=bogus\nreturn 1", "0" },
        new[] { "EVAL", "#!python\nreturn 1", "0" },
        new[] { "EVAL_RO", "return redis.call('set','a','b')", "0" },
        new[] { "EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0" },
        new[] { "EVAL", "return 1", "5" },
        new[] { "EVAL", "return 1", "-1" },
        new[] { "SCRIPT", "LOAD", "return 'loaded'" },
        new[] { "SCRIPT", "EXISTS", "6b1bf486c81ceb7edf3c093f4c48a7aa1a4a8ea8", "ffffffffffffffffffffffffffffffffffffffff" },
        new[] { "SCRIPT", "KILL" },
        new[] { "SCRIPT", "FLUSH", "BOGUS" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Replies_match_redis_7_0_byte_for_byte_in_resp2_and_resp3(string[] command)
    {
        foreach (var protocol in new[] { "2", "3" })
        {
            using var magpie = await RawConnection.OpenAsync(_node.Port);
            using var redis = await RawConnection.OpenAsync(_redisPort);
            await magpie.RequestAsync("HELLO", protocol);
            await redis.RequestAsync("HELLO", protocol);
            var expected = await redis.RequestAsync(command);
            var actual = await magpie.RequestAsync(command);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public async Task A_script_looping_forever_gets_busy_on_other_connections_then_script_kill_stops_it()
    {
        using var admin = await RawConnection.OpenAsync(_node.Port);
        Assert.Equal("+OK\r\n", await admin.RequestAsync("CONFIG", "SET", "busy-reply-threshold", "200"));
        using var looping = await RawConnection.OpenAsync(_node.Port);
        const string loop = "local i = 0 while true do i = i + 1 end";
        await looping.SendAsync($"*3\r\n$4\r\nEVAL\r\n${loop.Length}\r\n{loop}\r\n$1\r\n0\r\n");
        await Task.Delay(700);
        for (int i = 0; i < 3; i++)
        {
            using var other = await RawConnection.OpenAsync(_node.Port);
            Assert.Equal("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", await other.RequestAsync("GET", "a"));
        }
        Assert.StartsWith("-BUSY", await admin.RequestAsync("FUNCTION", "KILL"));
        Assert.Equal("+OK\r\n", await admin.RequestAsync("SCRIPT", "KILL"));
        var killed = await looping.ReadAvailableAsync();
        Assert.StartsWith("-ERR Script killed by user with SCRIPT KILL... script: ", killed);
        Assert.Equal("+PONG\r\n", await admin.RequestAsync("PING"));
        Assert.Equal("-NOTBUSY No scripts in execution right now.\r\n", await admin.RequestAsync("SCRIPT", "KILL"));
        Assert.Equal(":2\r\n", await looping.RequestAsync("EVAL", "return 2", "0"));
    }

    [Fact]
    public async Task Evalsha_runs_a_loaded_script_from_redis_py()
    {
        var sha = await Tools.RedisCliAsync(_node.Port, "SCRIPT", "LOAD", "return redis.call('incrby', KEYS[1], ARGV[1])");
        var result = await Tools.RunAsync(Tools.Python, ["-c", $"import redis,sys; r = redis.Redis(port={_node.Port}); print(r.evalsha('{sha}', 1, 'counter', 5)); s = r.register_script('return ARGV[1]..KEYS[1]'); print(s(keys=['k'], args=['v']))"]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("5\nb'vk'\n", result.StdOut);
    }
}
