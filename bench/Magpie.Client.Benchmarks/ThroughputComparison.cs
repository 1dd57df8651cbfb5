using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Magpie.Client.Benchmarks;

/// <summary>
/// Pipelined throughput, compared with redis-benchmark under the same load shape:
/// 50 concurrent clients, 16 commands in flight per client (-c 50 -P 16). The Magpie client runs
/// the 50 clients as tasks over one multiplexed connection (its normal use), or over N with --connections.
/// </summary>
internal static partial class ThroughputComparison
{
    public static async Task<int> RunAsync(string[] args)
    {
        int requests = ArgValue(args, "--requests", 1_000_000);
        int connections = ArgValue(args, "--connections", 1);
        const int Clients = 50, Pipeline = 16;
        using var server = RedisProcess.Start();
        Console.WriteLine($"redis-server on 127.0.0.1:{server.Port}; {requests:N0} requests per test, {Clients} clients, pipeline {Pipeline}, {Environment.ProcessorCount} cores");

        var reference = RunRedisBenchmark(server.Port, requests, Clients, Pipeline);
        var conns = new MagpieConnection[connections];
        for (int i = 0; i < connections; i++) conns[i] = await MagpieConnection.ConnectAsync($"127.0.0.1:{server.Port},syncTimeout=30000");
        try
        {
            // Warm up: let tiered JIT reach its optimized code and the pools fill before measuring.
            await MeasureAsync(conns, Clients, Pipeline, requests, isSet: true);
            await MeasureAsync(conns, Clients, Pipeline, requests, isSet: false);
            var set = await MeasureAsync(conns, Clients, Pipeline, requests, isSet: true);
            var get = await MeasureAsync(conns, Clients, Pipeline, requests, isSet: false);
            Console.WriteLine();
            Console.WriteLine($"{"test",-5} {"redis-benchmark",16} {"Magpie.Client",16} {"ratio",7}");
            Print("SET", reference.GetValueOrDefault("SET"), set);
            Print("GET", reference.GetValueOrDefault("GET"), get);
        }
        finally
        {
            foreach (var c in conns) await c.DisposeAsync();
        }
        return 0;
    }

    private static void Print(string test, double reference, double ours) =>
        Console.WriteLine($"{test,-5} {reference,16:N0} {ours,16:N0} {(reference > 0 ? ours / reference : double.NaN),7:F2}x");

    private static async Task<double> MeasureAsync(MagpieConnection[] connections, int clients, int pipeline, int requests, bool isSet)
    {
        int perClient = requests / clients / pipeline;
        var value = new string('x', 3); // redis-benchmark's default payload is 3 bytes
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var db = connections[c % connections.Length].GetDatabase();
            var setTasks = new Task<bool>[pipeline];
            var getTasks = new Task<MagpieValue>[pipeline];
            for (int round = 0; round < perClient; round++)
            {
                if (isSet)
                {
                    for (int i = 0; i < pipeline; i++) setTasks[i] = db.StringSetAsync("key:__rand_int__", value);
                    foreach (var t in setTasks) await t;
                }
                else
                {
                    for (int i = 0; i < pipeline; i++) getTasks[i] = db.StringGetAsync("key:__rand_int__");
                    foreach (var t in getTasks) await t;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        sw.Stop();
        return perClient * clients * pipeline / sw.Elapsed.TotalSeconds;
    }

    private static Dictionary<string, double> RunRedisBenchmark(int port, int requests, int clients, int pipeline)
    {
        var start = new ProcessStartInfo("redis-benchmark")
        {
            ArgumentList = { "-p", port.ToString(), "-t", "set,get", "-n", requests.ToString(), "-c", clients.ToString(), "-P", pipeline.ToString(), "-q" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-benchmark did not start");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var results = new Dictionary<string, double>();
        // -q prints e.g. "SET: 1234567.89 requests per second, p50=0.503 msec" (with \r progress lines before it).
        foreach (Match m in ResultLine().Matches(output))
            results[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return results;
    }

    private static int ArgValue(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    [GeneratedRegex(@"(SET|GET): ([0-9.]+) requests per second")]
    private static partial Regex ResultLine();
}
