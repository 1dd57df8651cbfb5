using System.Net;
using System.Text.Json;
using Magpie.Cluster;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>
/// Three primary nodes and one gateway, started as real processes with a static peer list and a
/// group "scores" whose origin is an <see cref="OriginServer"/> in the test process.
/// </summary>
public sealed class GroupsCluster : IAsyncLifetime
{
    /// <summary>
    /// Short, but with room for a freshly restarted (not yet JIT-compiled) node on a busy 2-core machine
    /// while other test classes run in parallel: a slower answer would be failed over and loaded twice.
    /// </summary>
    public const int PeerTimeoutMs = 2000;
    private const int Primaries = 3;
    private readonly (int Resp, int Http)[] _ports = Enumerable.Range(0, Primaries + 1).Select(_ => (MagpieNode.FreePort(), MagpieNode.FreePort())).ToArray();
    private string _configDir = "";

    public OriginServer Origin { get; private set; } = null!;

    /// <summary>Primaries 0..2, then the gateway at index 3.</summary>
    public MagpieNode[] Nodes { get; } = new MagpieNode[Primaries + 1];

    public int GatewayIndex => Primaries;

    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(20) };

    private string PeerList => string.Join(",", _ports.Select((p, i) => $"127.0.0.1:{p.Resp}@{p.Http}" + (i == Primaries ? "/gateway" : "")));

    public async Task InitializeAsync()
    {
        Origin = await OriginServer.StartAsync();
        _configDir = Directory.CreateTempSubdirectory("magpie-groups-").FullName;
        File.WriteAllText(Path.Combine(_configDir, "magpie.json"), $$"""
            { "Groups": [ { "Name": "scores", "MaxBytes": 16777216, "DefaultTtl": "00:05:00",
                            "LoaderTimeout": "00:00:01.500", "Origin": "{{Origin.Template}}" } ] }
            """);
        var started = Enumerable.Range(0, Nodes.Length).Select(StartNodeAsync).ToArray();
        await Task.WhenAll(started);
        for (int i = 0; i < Nodes.Length; i++) Nodes[i] = started[i].Result;
        foreach (var node in Nodes) await WaitUntilAllUpAsync(node);
        await WarmUpAsync();
    }

    /// <summary>
    /// One get through every node for a key of every owner, so the first timed request of a test does
    /// not pay for JIT compilation and first connections (which can exceed the peer timeout on a busy machine).
    /// </summary>
    private async Task WarmUpAsync()
    {
        var delay = Origin.Delay;
        Origin.Delay = TimeSpan.Zero;
        for (int owner = 0; owner < Primaries; owner++)
        {
            string key = KeyOwnedBy(owner, "warmup");
            for (int node = 0; node < Nodes.Length; node++) await GetAsync(node, key);
        }
        Origin.Delay = delay;
    }

    public async Task<MagpieNode> StartNodeAsync(int index)
    {
        var (resp, http) = _ports[index];
        return await MagpieNode.StartOnAsync(resp, http,
            "--peers", PeerList,
            "--self", $"127.0.0.1:{resp}",
            "--role", index == Primaries ? "gateway" : "primary",
            "--peer-timeout", PeerTimeoutMs.ToString(),
            "--peer-probe-interval", "200",
            "--peer-probe-timeout", "1000",
            "--config", Path.Combine(_configDir, "magpie.json"));
    }

    /// <summary>Starts node <paramref name="index"/> again on its ports and warms its group path over RESP.</summary>
    public async Task RestartAsync(int index)
    {
        await Nodes[index].DisposeAsync();
        Nodes[index] = await StartNodeAsync(index);
        await Tools.RedisCliAsync(Nodes[index].Port, "MAGPIE.GROUPGET", "scores", KeyOwnedBy(index, "warmup"));
    }

    public string Url(int node, string key) => $"http://127.0.0.1:{Nodes[node].HttpPort}/api/cache/scores/{Uri.EscapeDataString(key)}";

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(int node, string key)
    {
        using var response = await Http.GetAsync(Url(node, key));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Index of the primary whose slots hold <paramref name="key"/> while every node is up.</summary>
    public int OwnerOf(string key)
    {
        var infos = _ports.Select((p, i) => new NodeInfo($"127.0.0.1:{p.Resp}", $"127.0.0.1:{p.Resp}", Role: i == Primaries ? NodeRole.Gateway : NodeRole.Primary)).ToArray();
        var owner = new StaticRing(infos).ToSlotMap().OwnerOfKey(key)!;
        return Array.FindIndex(infos, n => n.Id == owner.Id);
    }

    /// <summary>A fresh key owned by primary <paramref name="owner"/>.</summary>
    public string KeyOwnedBy(int owner, string prefix)
    {
        for (int i = 0; ; i++)
        {
            string key = $"{prefix}-{Guid.NewGuid():N}-{i}";
            if (OwnerOf(key) == owner) return key;
        }
    }

    /// <summary>The state ("up"/"down") <paramref name="observer"/> reports for node <paramref name="target"/> in /api/nodes.</summary>
    public async Task<string> StateSeenByAsync(int observer, int target)
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{Nodes[observer].HttpPort}/api/nodes"));
        string id = $"127.0.0.1:{_ports[target].Resp}";
        return doc.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == id).GetProperty("state").GetString()!;
    }

    public async Task<JsonElement> StatsAsync(int node)
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{Nodes[node].HttpPort}/api/stats"));
        return doc.RootElement.GetProperty("groups").GetProperty("scores").Clone();
    }

    /// <summary>Waits (bounded) until <paramref name="observer"/> sees <paramref name="target"/> in <paramref name="state"/>.</summary>
    public async Task WaitForStateAsync(int observer, int target, string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string seen = "";
        while (DateTime.UtcNow < deadline)
        {
            seen = await StateSeenByAsync(observer, target);
            if (seen == state) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"node {observer} still sees node {target} as '{seen}' after {timeout}");
    }

    private async Task WaitUntilAllUpAsync(MagpieNode node)
    {
        int observer = Array.IndexOf(Nodes, node);
        for (int target = 0; target < Nodes.Length; target++)
            await WaitForStateAsync(observer, target, "up", TimeSpan.FromSeconds(15));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
            if (node is not null) await node.DisposeAsync();
        await Origin.DisposeAsync();
        Http.Dispose();
        try
        {
            Directory.Delete(_configDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }
}
