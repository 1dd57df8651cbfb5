using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using Magpie.Cluster;
using Magpie.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Magpie.Server.Http;

/// <summary>
/// The live dashboard every node serves: <c>GET /dashboard</c> (one static page, embedded, no build
/// step), which polls <c>GET /api/dashboard</c> once a second. That reply is this node's view of the
/// cluster (members, their state as this node's health probes see it, the owner of each of the 16384
/// slots) plus every reachable member's own figures from its <c>GET /api/dashboard/node</c>.
/// </summary>
public static class DashboardApi
{
    /// <summary>A member that has not answered its figures within this long is shown without them.</summary>
    private static readonly TimeSpan PeerFiguresTimeout = TimeSpan.FromMilliseconds(800);

    private static readonly HttpClient Peers = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = PeerFiguresTimeout,
    };

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(DashboardApi).Assembly.GetManifestResourceStream("Magpie.Server.Http.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("dashboard.html is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/api/dashboard/node", (ServerState server, StaticCluster cluster) =>
            Results.Json(Figures(server, cluster), DashboardJsonContext.Default.NodeFigures));
        app.MapGet("/api/dashboard", async (HttpContext http, ServerState server, StaticCluster cluster) =>
            Results.Json(await ClusterAsync(server, cluster, http.Request.Headers.Authorization.ToString(), http.RequestAborted),
                DashboardJsonContext.Default.DashboardReply));
    }

    public static NodeFigures Figures(ServerState server, StaticCluster cluster)
    {
        var ks = server.Keyspace;
        long usedMemory, keys = 0;
        lock (ks.Sync)
        {
            usedMemory = ks.UsedMemory;
            for (int i = 0; i < ks.DatabaseCount; i++) keys += ks[i].Count;
        }
        var groups = server.Groups?.Groups
            .OrderBy(g => g.Name, StringComparer.Ordinal)
            .Select(g =>
            {
                var s = g.Stats;
                return new GroupFigures(g.Name, s.Loads, s.LoadErrors, s.Hits, s.Misses, s.PeerHits, s.Items, s.Bytes);
            }).ToArray() ?? [];
        return new NodeFigures(
            cluster.Self.Id,
            cluster.Self.Role == NodeRole.Gateway ? "gateway" : "primary",
            server.ClusterMode is not null,
            (long)server.Uptime.Elapsed.TotalSeconds,
            server.OpsPerSecond,
            server.Stats.TotalCommandsProcessed,
            ks.Stats.KeyspaceHits,
            ks.Stats.KeyspaceMisses,
            usedMemory,
            ks.MaxMemory,
            server.Clients.Count,
            keys,
            groups);
    }

    public static async Task<DashboardReply> ClusterAsync(ServerState server, StaticCluster cluster, string authorization, CancellationToken cancellationToken)
    {
        var members = cluster.Nodes().OrderBy(n => n.Id, StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < members.Length; i++) index[members[i].Id] = i;

        // One byte per slot: the index of its current owner in "nodes", 255 when no node serves it.
        var map = cluster.SlotMap;
        var owners = new byte[HashSlotCount];
        for (int slot = 0; slot < owners.Length; slot++)
            owners[slot] = map.OwnerOf(slot) is { } owner && index.TryGetValue(owner.Id, out int i) && i < 255 ? (byte)i : (byte)255;

        var figures = await Task.WhenAll(members.Select(n =>
            n.Id == cluster.Self.Id ? Task.FromResult<NodeFigures?>(Figures(server, cluster))
            : n.State == NodeState.Up && n.HttpEndpoint is { } http ? FetchAsync(http, authorization, cancellationToken)
            : Task.FromResult<NodeFigures?>(null)));

        var nodes = members.Select((n, i) => new DashboardNode(
            n.Id,
            n.Endpoint,
            n.HttpEndpoint,
            n.Role == NodeRole.Gateway ? "gateway" : "primary",
            n.State == NodeState.Up ? "up" : "down",
            n.Id == cluster.Self.Id,
            map.SlotCountOf(n.Id),
            figures[i])).ToArray();
        return new DashboardReply(cluster.Self.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), nodes, owners);
    }

    private const int HashSlotCount = 16384;

    private static async Task<NodeFigures?> FetchAsync(string httpEndpoint, string authorization, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, httpEndpoint.TrimEnd('/') + "/api/dashboard/node");
            // The caller's credentials: every node accepts the same users and token.
            if (authorization.Length > 0) request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
            using var response = await Peers.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await System.Text.Json.JsonSerializer.DeserializeAsync(body, DashboardJsonContext.Default.NodeFigures, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or FormatException)
        {
            return null; // shown as "no figures": the node's state comes from the health probes
        }
    }
}

public sealed record GroupFigures(string Name, long Loads, long LoadErrors, long Hits, long Misses, long PeerHits, long Items, long Bytes);

public sealed record NodeFigures(
    string Id, string Role, bool ClusterEnabled, long UptimeSeconds, long OpsPerSecond, long CommandsProcessed,
    long KeyspaceHits, long KeyspaceMisses, long UsedMemory, long MaxMemory, int ConnectedClients, long Keys,
    GroupFigures[] Groups);

public sealed record DashboardNode(string Id, string Address, string? Http, string Role, string State, bool Self, int SlotCount, NodeFigures? Figures);

/// <summary><paramref name="SlotOwners"/>: 16384 bytes (base64 in JSON), each the index in <paramref name="Nodes"/> of the slot's owner, 255 for none.</summary>
public sealed record DashboardReply(string Self, long Time, DashboardNode[] Nodes, byte[] SlotOwners);

[JsonSerializable(typeof(NodeFigures))]
[JsonSerializable(typeof(DashboardReply))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal partial class DashboardJsonContext : JsonSerializerContext;
