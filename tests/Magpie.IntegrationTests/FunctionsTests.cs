using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// Functions against a real magpie process with real clients: a library loaded with redis-cli
/// FUNCTION LOAD and called from redis-py, and a busy function stopped by FUNCTION KILL through
/// the busy-script watchdog (FUNCTION STATS reports it meanwhile).
/// </summary>
[Collection("Scripting")]
public sealed class FunctionsTests : IAsyncLifetime
{
    private MagpieNode _node = null!;

    public async Task InitializeAsync() => _node = await MagpieNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_library_loaded_by_redis_cli_is_called_from_redis_py()
    {
        const string library = "#!lua name=counters\n" +
            "redis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n" +
            "redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a counter'}\n";
        Assert.Equal("counters", (await Tools.RedisCliAsync(_node.Port, "FUNCTION", "LOAD", library)).Trim());
        var py = $"""
            import redis
            r = redis.Redis(port={_node.Port})
            print(r.fcall('bump', 1, 'c', 5))
            print(r.fcall('bump', 1, 'c', 2))
            print(r.fcall_ro('peek', 1, 'c'))
            try:
                r.fcall_ro('bump', 1, 'c', 1)
            except redis.ResponseError as e:
                print(e)
            libs = r.function_list(library='count*')
            print(libs[0][1], [f[1] for f in libs[0][5]])
            """;
        var result = await Tools.RunAsync(Tools.Python, ["-c", py]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("5\n7\nb'7'\nCan not execute a script with write flag using *_ro command.\nb'counters' [b'bump', b'peek']\n", result.StdOut);
    }

    [Fact]
    public async Task A_busy_function_is_reported_by_function_stats_and_stopped_by_function_kill()
    {
        using var admin = await RawConnection.OpenAsync(_node.Port);
        Assert.Equal("+OK\r\n", await admin.RequestAsync("CONFIG", "SET", "busy-reply-threshold", "200"));
        Assert.Equal("$4\r\nspin\r\n", await admin.RequestAsync("FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)"));
        using var looping = await RawConnection.OpenAsync(_node.Port);
        await looping.SendAsync("*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n");
        await Task.Delay(700);
        using (var other = await RawConnection.OpenAsync(_node.Port))
            Assert.Equal("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n", await other.RequestAsync("GET", "a"));
        var stats = await admin.RequestAsync("FUNCTION", "STATS");
        Assert.StartsWith("*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:", stats);
        Assert.EndsWith("$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:1\r\n", stats);
        Assert.StartsWith("-BUSY Redis is busy running a script. You can only call FUNCTION KILL", await admin.RequestAsync("SCRIPT", "KILL"));
        Assert.Equal("+OK\r\n", await admin.RequestAsync("FUNCTION", "KILL"));
        Assert.Equal("-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n", await looping.ReadAvailableAsync());
        Assert.Equal("-NOTBUSY No scripts in execution right now.\r\n", await admin.RequestAsync("FUNCTION", "KILL"));
        Assert.Equal("+PONG\r\n", await looping.RequestAsync("PING"));
    }
}
