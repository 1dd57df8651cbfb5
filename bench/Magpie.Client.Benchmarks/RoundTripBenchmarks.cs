using BenchmarkDotNet.Attributes;

namespace Magpie.Client.Benchmarks;

/// <summary>One GET or SET at a time against a local redis-server: latency of a single round trip.</summary>
[MemoryDiagnoser]
public class RoundTripBenchmarks
{
    private RedisProcess _server = null!;
    private MagpieConnection _connection = null!;
    private IMagpieDatabase _db = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = RedisProcess.Start();
        _connection = MagpieConnection.ConnectAsync($"127.0.0.1:{_server.Port}").GetAwaiter().GetResult();
        _db = _connection.GetDatabase();
        _db.StringSetAsync("bench:key", new string('x', 64)).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.Dispose();
    }

    [Benchmark(Description = "GET round trip")]
    public Task<MagpieValue> Get() => _db.StringGetAsync("bench:key");

    [Benchmark(Description = "SET round trip")]
    public Task<bool> Set() => _db.StringSetAsync("bench:key", "value");
}
