using BenchmarkDotNet.Running;
using Magpie.Groups.Benchmarks;

// dotnet run -c Release -- --hit-ratio        W-TinyLFU vs LRU hit ratio on a Zipf(0.86) trace
// dotnet run -c Release -- --hit-throughput   group hits/s on 1..cores threads
// dotnet run -c Release -- --remote-latency   p50/p99 of a hit served by the owner through a peer
// dotnet run -c Release -- --filter '*'       BenchmarkDotNet hit-path benchmarks
if (args.Contains("--hit-ratio"))
{
    HitRatioSimulation.Run(Console.Out);
    return;
}
if (args.Contains("--core-comparison"))
{
    CoreComparison.Run(Console.Out);
    return;
}
if (args.Contains("--hit-throughput"))
{
    HitThroughput.Run(Console.Out, Environment.ProcessorCount, TimeSpan.FromSeconds(2));
    return;
}
if (args.Contains("--remote-latency"))
{
    await RemoteHitLatency.RunAsync(Console.Out);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(HitPathBenchmarks).Assembly).Run(args);
