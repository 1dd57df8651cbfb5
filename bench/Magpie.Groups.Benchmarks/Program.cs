using BenchmarkDotNet.Running;
using Magpie.Groups.Benchmarks;

// dotnet run -c Release -- --hit-ratio        W-TinyLFU vs LRU hit ratio on a Zipf(0.86) trace
// dotnet run -c Release -- --filter '*'       BenchmarkDotNet hit-path benchmarks
if (args.Contains("--hit-ratio"))
{
    HitRatioSimulation.Run(Console.Out);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(HitPathBenchmarks).Assembly).Run(args);
