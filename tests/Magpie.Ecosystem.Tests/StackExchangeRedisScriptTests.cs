using Magpie.Ecosystem.Tests.Infrastructure;
using StackExchange.Redis;

namespace Magpie.Ecosystem.Tests;

/// <summary>
/// StackExchange.Redis scripting against a Magpie node and redis-server 7.0: ScriptEvaluate with
/// a string body and a prepared LuaScript (EVALSHA, EVAL when the script is not cached), ScriptLoad
/// and FCALL of a library; the two transcripts must be equal.
/// </summary>
public sealed class StackExchangeRedisScriptTests(ServersFixture servers) : IClassFixture<ServersFixture>
{
    [Fact]
    public async Task Script_evaluate_and_fcall_give_the_same_results_on_magpie_and_redis()
    {
        var redis = await RunAsync(servers.Redis.Port);
        var magpie = await RunAsync(servers.Magpie.Port);
        Assert.True(redis.Count >= 8, $"only {redis.Count} results");
        Assert.Equal(redis, magpie);
    }

    private static async Task<List<string>> RunAsync(int port)
    {
        await using var mux = await Connections.ConnectAsync(port);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        await server.FlushDatabaseAsync();
        await server.ScriptFlushAsync();
        var db = mux.GetDatabase();
        var log = new List<string>();
        async Task Step(string name, Func<Task<RedisResult>> action)
        {
            try
            {
                var r = await action();
                log.Add($"{name} = {Show(r)}");
            }
            catch (RedisServerException e)
            {
                log.Add($"{name} ! {e.Message}");
            }
        }

        await Step("eval", () => db.ScriptEvaluateAsync("return redis.call('incrby', KEYS[1], ARGV[1])", ["n"], [5]));
        await Step("eval-again", () => db.ScriptEvaluateAsync("return redis.call('incrby', KEYS[1], ARGV[1])", ["n"], [2]));
        await Step("eval-table", () => db.ScriptEvaluateAsync("return {KEYS[1], ARGV[1], 3, {4.5}}", ["k"], ["v"]));
        await Step("eval-error", () => db.ScriptEvaluateAsync("return redis.call('nosuch')"));
        var prepared = LuaScript.Prepare("return redis.call('set', @key, @value)");
        await Step("luascript", () => db.ScriptEvaluateAsync(prepared, new { key = (RedisKey)"p", value = "pv" }));
        await Step("get", async () => RedisResult.Create(await db.StringGetAsync("p")));
        var loaded = await prepared.LoadAsync(server);
        await Step("loaded", () => db.ScriptEvaluateAsync(loaded, new { key = (RedisKey)"p", value = "again" }));
        await Step("function-load", () => db.ExecuteAsync("FUNCTION", "LOAD", "REPLACE", "#!lua name=selib\nredis.register_function('se_get', function(keys) return redis.call('get', keys[1]) end)"));
        await Step("fcall", () => db.ExecuteAsync("FCALL", "se_get", 1, "p"));
        await Step("fcall-missing", () => db.ExecuteAsync("FCALL", "nosuch", 0));
        return log;
    }

    private static string Show(RedisResult r) => r.Resp2Type switch
    {
        ResultType.Array => "[" + string.Join(", ", ((RedisResult[])r!).Select(Show)) + "]",
        _ => r.IsNull ? "(nil)" : r.ToString()!,
    };
}
