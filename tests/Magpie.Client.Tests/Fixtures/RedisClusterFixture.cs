namespace Magpie.Client.Tests.Fixtures;

/// <summary>A two-node Redis Cluster (slots 0-8191 on A, 8192-16383 on B), formed with CLUSTER ADDSLOTSRANGE and MEET.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public ClusterNode A { get; } = new();
    public ClusterNode B { get; } = new();

    public async Task InitializeAsync()
    {
        await Task.WhenAll(A.InitializeAsync(), B.InitializeAsync());
        await using var a = await A.ConnectAsync();
        await using var b = await B.ConnectAsync();
        await a.GetDatabase().ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", 0, 8191).Within();
        await b.GetDatabase().ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", 8192, 16383).Within();
        await a.GetDatabase().ExecuteAsync("CLUSTER", "MEET", B.Host, B.Port).Within();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var infoA = (await a.GetDatabase().ExecuteAsync("CLUSTER", "INFO").Within()).ToString();
            var infoB = (await b.GetDatabase().ExecuteAsync("CLUSTER", "INFO").Within()).ToString();
            if (infoA.Contains("cluster_state:ok") && infoB.Contains("cluster_state:ok")) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The test cluster did not form: {infoA}");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }

    public sealed class ClusterNode : RedisServerFixture
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("magpie-cluster-").FullName;

        public override string Name => "redis-cluster-node";

        protected override IEnumerable<string> Arguments() =>
            [.. base.Arguments(), "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{Port}.conf", "--dir", _directory];
    }
}
