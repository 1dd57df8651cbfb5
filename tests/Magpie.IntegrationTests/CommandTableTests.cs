using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests;

/// <summary>
/// The command table against redis-server 7.0.15: COMMAND INFO (arity, flags, first/last/step, ACL
/// categories, tips, key specs with their flags) and COMMAND DOCS (summary, since, group, complexity,
/// doc flags, deprecation, history) of every command Magpie registers, and COMMAND GETKEYS on samples.
/// </summary>
public class CommandTableTests(MagpieAndRedisFixture fixture) : IClassFixture<MagpieAndRedisFixture>
{
    [Fact]
    public async Task Command_info_and_docs_match_redis_for_every_command()
    {
        var output = await Tools.PythonScriptAsync("command_table_diff.py", fixture.Node.Port, fixture.Redis.Port.ToString());
        Assert.Contains("ALL OK", output);
    }
}
