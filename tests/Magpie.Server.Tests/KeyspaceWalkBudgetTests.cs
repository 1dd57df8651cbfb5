namespace Magpie.Server.Tests;

/// <summary>KEYS gives up past keyspace-walk-budget-ms instead of holding the lock without bound.</summary>
public class KeyspaceWalkBudgetTests
{
    [Fact]
    public void Keys_past_its_budget_answers_an_error_and_within_it_answers_the_keys()
    {
        var client = new TestClient();
        for (int i = 0; i < 100_000; i++) client.Run("SET", "k" + i, "v");
        Assert.Equal("+OK\r\n", client.Run("CONFIG", "SET", "keyspace-walk-budget-ms", "1"));
        var slow = client.Run("KEYS", "*a*a*a*a*a*a*b");
        Assert.StartsWith("-ERR KEYS exceeded keyspace-walk-budget-ms (1 ms)", slow);
        Assert.Equal("+OK\r\n", client.Run("CONFIG", "SET", "keyspace-walk-budget-ms", "0"));
        Assert.Equal("*1\r\n$6\r\nk12345\r\n", client.Run("KEYS", "k12345"));
    }
}
