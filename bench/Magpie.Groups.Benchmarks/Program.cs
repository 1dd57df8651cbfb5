using BenchmarkDotNet.Running;
using Magpie.Groups.Benchmarks;

// dotnet run -c Release -- --hit-ratio        W-TinyLFU vs LRU hit ratio on a Zipf(0.86) trace
// dotnet run -c Release -- --hit-throughput   group hits/s on 1..cores threads
// dotnet run -c Release -- --filter '*'       BenchmarkDotNet hit-path benchmarks
if (args.Contains("--hit-ratio"))
{
    HitRatioSimulation.Run(Console.Out);
    return;
}
if (args.Contains("--hit-throughput"))
{
    HitThroughput.Run(Console.Out, Environment.ProcessorCount, TimeSpan.FromSeconds(2));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(HitPathBenchmarks).Assembly).Run(args);
