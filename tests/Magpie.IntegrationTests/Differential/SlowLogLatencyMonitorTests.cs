using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Magpie.IntegrationTests.Differential;

/// <summary>SLOWLOG, LATENCY and MONITOR against redis-server 7.0: the deterministic replies byte for byte, the rest by shape.</summary>
public sealed class SlowLogLatencyMonitorTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    [Fact]
    public void Help_errors_and_empty_state_match()
    {
        pair.Same("SLOWLOG", "RESET");
        pair.Same("LATENCY", "RESET");
        foreach (var cmd in new[]
        {
            new[] { "SLOWLOG", "HELP" }, ["SLOWLOG", "GET", "1", "2"], ["SLOWLOG", "GET", "-2"], ["SLOWLOG", "GET", "x"], ["SLOWLOG", "LEN", "3"],
            ["SLOWLOG", "NOPE"], ["SLOWLOG"], ["LATENCY", "HELP"], ["LATENCY", "LATEST"], ["LATENCY", "HISTORY", "command"], ["LATENCY", "GRAPH", "command"],
            ["LATENCY", "GRAPH"], ["LATENCY", "RESET", "command", "x"], ["LATENCY", "DOCTOR"], ["LATENCY", "HISTOGRAM", "nosuch"],
            ["CONFIG", "GET", "slowlog-max-len"], ["CONFIG", "GET", "slowlog-log-slower-than"], ["CONFIG", "GET", "latency-monitor-threshold"], ["CONFIG", "GET", "latency-tracking"], ["CONFIG", "SET", "slowlog-max-len", "-1"], ["CONFIG", "SET", "slowlog-log-slower-than", "x"],
            ["CONFIG", "SET", "latency-monitor-threshold", "-1"], ["MONITOR", "x"],
        })
        {
            pair.Both(cmd);
        }
    }

    [Fact]
    public void Slowlog_entries_truncate_arguments_as_redis()
    {
        pair.Same("CONFIG", "SET", "slowlog-log-slower-than", "0");
        try
        {
            var big = new string('x', 200);
            // Keys of their own: another test class's pair may share a redis-server if two picked the same free port.
            pair.Same("DEL", "slowlog:set", "slowlog:k");
            var many = new List<string> { "SADD", "slowlog:set" };
            for (int i = 0; i < 40; i++) many.Add("m" + i);
            foreach (var cmd in new[] { new[] { "SET", "slowlog:k", big }, many.ToArray(), ["GET", "slowlog:k"] })
            {
                pair.Same("SLOWLOG", "RESET");
                pair.Same(cmd);
                pair.Same2("SLOWLOG", "LEN");
                Assert.Equal(Entry(pair.Redis.Port), Entry(pair.Magpie.Port));
            }
            pair.Same("SLOWLOG", "RESET");
            pair.Same("CONFIG", "SET", "slowlog-max-len", "2");
            for (int i = 0; i < 4; i++) pair.Same("PING");
            pair.Same("SLOWLOG", "LEN");
        }
        finally
        {
            pair.Same("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128");
        }
    }

    /// <summary>The newest entry without its id, time, duration and client address.</summary>
    private static string Entry(int port)
    {
        using var c = RespPipe.OpenAsync(port, 2).GetAwaiter().GetResult();
        var raw = c.Call("SLOWLOG", "GET", "1");
        raw = Regex.Replace(raw, @"^\*1\r\n\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n", "");
        return Regex.Replace(raw, @"\$\d+\r\n127\.0\.0\.1:\d+\r\n\$0\r\n\r\n$", "");
    }

    [Fact]
    public void Latency_histogram_counts_calls_in_redis_shape()
    {
        pair.Same("CONFIG", "RESETSTAT");
        for (int i = 0; i < 5; i++) pair.Same("SET", "h", "v");
        using var m = RespPipe.OpenAsync(pair.Magpie.Port, 3).GetAwaiter().GetResult();
        using var r = RespPipe.OpenAsync(pair.Redis.Port, 3).GetAwaiter().GetResult();
        const string prefix = "%1\r\n$3\r\nset\r\n%2\r\n$5\r\ncalls\r\n:5\r\n$14\r\nhistogram_usec\r\n%";
        Assert.StartsWith(prefix, r.Call("LATENCY", "HISTOGRAM", "set"));
        var reply = m.Call("LATENCY", "HISTOGRAM", "set");
        Assert.StartsWith(prefix, reply);
        // Buckets are powers of two in microseconds as HDR reports them: 1, 2, 4, 8, 16, 33, 66, 132, ...
        var buckets = Regex.Matches(reply[prefix.Length..], @":(\d+)\r\n:(\d+)\r\n").Select(x => long.Parse(x.Groups[1].Value)).ToList();
        Assert.NotEmpty(buckets);
        Assert.All(buckets, b => Assert.Contains(b, new long[] { 1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816, 67633, 135266, 270532, 541065, 1082130 }));
        m.Call("CONFIG", "GET", "maxmemory");
        Assert.StartsWith("%1\r\n$10\r\nconfig|get\r\n", m.Call("LATENCY", "HISTOGRAM", "config|get"));
    }

    [Fact]
    public async Task Monitor_lines_match_redis_cli_monitor_output()
    {
        var expected = await MonitorLines(pair.Redis.Port);
        var actual = await MonitorLines(pair.Magpie.Port);
        Assert.Equal(expected, actual);
    }

    private static async Task<List<string>> MonitorLines(int port)
    {
        var psi = new ProcessStartInfo("redis-cli", ["-p", port.ToString(), "monitor"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var monitor = Process.Start(psi)!;
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await monitor.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines) lines.Add(line);
                if (line.Contains("\"done\"")) break;
            }
        });
        using var c = await RespPipe.OpenAsync(port, 2);
        // Wait until MONITOR is in place: its own OK comes before anything is fed.
        for (int i = 0; i < 100 && !lines.Any(l => l == "OK"); i++)
        {
            c.Call("PING");
            await Task.Delay(50);
            lock (lines) if (lines.Any(l => l.Contains("\"PING\""))) break;
        }
        c.Call("SET", "k", "a\"b\\c");
        c.Call("SELECT", "3");
        c.Call("RPUSH", "l", "x\ny\u0001", "é");
        c.Call("CONFIG", "GET", "maxmemory");
        c.Call("MULTI");
        c.Call("INCR", "n");
        c.Call("EXEC");
        c.Call("DEL", "k", "l", "n");
        c.Call("SELECT", "0");
        c.Call("ECHO", "done");
        await reading.WaitAsync(TimeSpan.FromSeconds(10));
        monitor.Kill();
        lock (lines)
            return lines.Where(l => l != "OK" && !l.Contains("\"PING\""))
                .Select(l => Regex.Replace(l, @"^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]", "T [$1 addr]")).ToList();
    }
}
