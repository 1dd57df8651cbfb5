using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Magpie.Cluster;
using Magpie.Groups;
using Magpie.Protocol;
using Magpie.Server.Hosting;
using Magpie.Server.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Magpie.Groups.Benchmarks;

/// <summary>
/// Latency of a remote hit: two real nodes (in this process, talking RESP over loopback); the
/// owner already has the value cached, the other node has no copy, so each read is one
/// MAGPIE.GROUPGET round trip to the owner. Prints p50, p99 and mean.
/// </summary>
public static class RemoteHitLatency
{
    public static async Task RunAsync(TextWriter output, int samples = 20_000)
    {
        int portA = FreePort(), portB = FreePort();
        string peers = $"127.0.0.1:{portA},127.0.0.1:{portB}";
        await using var owner = await StartNodeAsync(portA, peers);
        await using var reader = await StartNodeAsync(portB, peers);
        var ownerGroup = owner.Services.GetRequiredService<GroupRegistry>().Get("bench");
        var readerGroup = reader.Services.GetRequiredService<GroupRegistry>().Get("bench");
        var cluster = owner.Services.GetRequiredService<StaticCluster>();

        // Keys owned by node A, loaded there once, so every read from B is a hit on A.
        var keys = new List<string>();
        for (int i = 0; keys.Count < samples + 2_000; i++)
        {
            var key = $"user:{i}";
            if (cluster.OwnerOf(HashSlot.Of(key)).Id == cluster.Self.Id) keys.Add(key);
        }
        foreach (var key in keys) await ownerGroup.GetAsync(key);

        var latencies = new double[samples];
        for (int i = 0; i < 2_000; i++) await readerGroup.GetAsync(keys[i]); // warm-up: JIT, connections
        for (int i = 0; i < samples; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await readerGroup.GetAsync(keys[2_000 + i]);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(latencies);
        var stats = readerGroup.Stats;
        output.WriteLine($"remote hits through a peer (RESP over loopback), {samples} reads of distinct keys:");
        output.WriteLine($"  p50 {latencies[samples / 2]:F0} us, p99 {latencies[samples * 99 / 100]:F0} us, mean {latencies.Average():F0} us");
        output.WriteLine($"  reader: peer hits {stats.PeerHits}, loads {stats.Loads} (0 expected: the owner loaded every key)");
    }

    private static async Task<WebApplication> StartNodeAsync(int port, string peers)
    {
        var options = new MagpieOptions { Port = port, HttpPort = -1, Peers = peers, Self = $"127.0.0.1:{port}", LogLevel = "Warning" };
        var app = NodeHost.Build(options);
        var value = Encoding.ASCII.GetBytes(new string('v', 100));
        app.Services.AddGroup(new GroupOptions { Name = "bench", MaxBytes = 256L << 20 },
            (key, context, ct) => ValueTask.FromResult(LoadResult.Found(value)));
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
