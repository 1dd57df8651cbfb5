using BenchmarkDotNet.Running;
using Magpie.Client.Benchmarks;

// "throughput": the redis-benchmark comparison; anything else goes to BenchmarkDotNet
// (e.g. --filter '*L1Hit*' or '*RoundTrip*').
if (args.Length > 0 && args[0] == "throughput") return await ThroughputComparison.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(L1HitBenchmarks).Assembly).Run(args);
return 0;
