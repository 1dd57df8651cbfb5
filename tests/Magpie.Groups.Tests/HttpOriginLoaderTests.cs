using System.Net;
using System.Net.Sockets;
using Magpie.Cluster;
using Magpie.Groups.Origin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Magpie.Groups.Tests;

/// <summary>Runs the loader against a real Kestrel origin on a free loopback port.</summary>
public sealed class HttpOriginLoaderTests : IAsyncLifetime
{
    private WebApplication _origin = null!;
    private readonly HttpClient _http = new();
    private string _baseUrl = "";
    private int _requests;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _origin = builder.Build();
        _origin.MapGet("/scores/{key}", (HttpContext context, string key) =>
        {
            Interlocked.Increment(ref _requests);
            return key switch
            {
                "Tom" => Results.Text("630"),
                "fresh" => WithCacheControl(context, Results.Text("f"), "max-age=30"),
                "stale" => WithCacheControl(context, Results.Text("s"), "max-age=0"),
                "private" => WithCacheControl(context, Results.Text("p"), "no-store"),
                "broken" => Results.StatusCode(500),
                "gone" => Results.StatusCode(410),
                _ when key.StartsWith("raw", StringComparison.Ordinal) =>
                    Results.Text(context.Features.Get<IHttpRequestFeature>()!.RawTarget),
                _ => Results.NotFound(),
            };
        });
        _origin.MapGet("/{group}/by-group/{key}", (string group, string key) => Results.Text($"{group}:{key}"));
        await _origin.StartAsync();
        _baseUrl = _origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _origin.DisposeAsync();
    }

    private static IResult WithCacheControl(HttpContext context, IResult result, string cacheControl)
    {
        context.Response.Headers.CacheControl = cacheControl;
        return result;
    }

    private HttpOriginLoader Loader(string path = "/scores/{key}") => new(_http, _baseUrl + path);

    private static readonly LoaderContext Context = new("scores", 0, "node-1");

    [Fact(Timeout = 15_000)]
    public async Task Ok_is_the_value()
    {
        var result = await Loader().LoadAsync("Tom", Context, CancellationToken.None);
        Assert.True(result.IsFound);
        Assert.Equal("630", Bytes.Text(result.Value));
        Assert.Null(result.TimeToLive);
    }

    [Fact(Timeout = 15_000)]
    public async Task Cache_control_max_age_becomes_the_time_to_live()
    {
        var result = await Loader().LoadAsync("fresh", Context, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(30), result.TimeToLive);
    }

    [Theory(Timeout = 15_000)]
    [InlineData("stale")]
    [InlineData("private")]
    public async Task No_store_and_max_age_zero_are_served_but_not_cached(string key)
    {
        var group = new CacheGroup(new GroupOptions { Name = "scores", DefaultTtl = TimeSpan.FromMinutes(5), LoaderTimeout = SlowMachine.LoaderTimeout, PeerTimeout = SlowMachine.PeerTimeout }, Loader().LoadAsync);
        Assert.NotNull(await group.GetAsync(key));
        Assert.NotNull(await group.GetAsync(key));
        Assert.Equal(2, group.Stats.Loads);
        Assert.Equal(0, group.Stats.Items);
    }

    [Fact(Timeout = 15_000)]
    public async Task Not_found_is_a_miss()
    {
        var result = await Loader().LoadAsync("Nobody", Context, CancellationToken.None);
        Assert.False(result.IsFound);
    }

    [Theory(Timeout = 15_000)]
    [InlineData("broken", HttpStatusCode.InternalServerError)]
    [InlineData("gone", HttpStatusCode.Gone)]
    public async Task Other_statuses_are_loader_errors(string key, HttpStatusCode status)
    {
        var error = await Assert.ThrowsAsync<OriginLoadException>(() => Loader().LoadAsync(key, Context, CancellationToken.None).AsTask());
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(((int)status).ToString(), error.Message);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_refused_connection_is_a_loader_error()
    {
        int closedPort = ClosedLoopbackPort();
        var loader = new HttpOriginLoader(_http, $"http://127.0.0.1:{closedPort}/scores/{{key}}");
        var error = await Assert.ThrowsAsync<OriginLoadException>(() => loader.LoadAsync("Tom", Context, CancellationToken.None).AsTask());
        Assert.Null(error.StatusCode);
    }

    [Fact(Timeout = 15_000)]
    public async Task Keys_are_url_escaped_into_one_path_segment()
    {
        var result = await Loader().LoadAsync("raw a/b?c=d&é", Context, CancellationToken.None);
        Assert.Equal("/scores/raw%20a%2Fb%3Fc%3Dd%26%C3%A9", Bytes.Text(result.Value));
    }

    [Fact(Timeout = 15_000)]
    public async Task The_group_placeholder_is_filled_in()
    {
        var result = await Loader("/{group}/by-group/{key}").LoadAsync("Tom", Context, CancellationToken.None);
        Assert.Equal("scores:Tom", Bytes.Text(result.Value));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_group_with_an_http_origin_reads_through_once()
    {
        var registry = new GroupRegistry(StaticCluster.SingleNode());
        var group = registry.AddWithHttpOrigin(new GroupOptions { Name = "scores", Origin = _baseUrl + "/scores/{key}", LoaderTimeout = SlowMachine.LoaderTimeout, PeerTimeout = SlowMachine.PeerTimeout }, _http);

        Assert.Equal("630", Bytes.Text(await group.GetAsync("Tom")));
        Assert.Equal("630", Bytes.Text(await group.GetAsync("Tom")));
        Assert.Null(await group.TryGetAsync("Nobody"));
        await Assert.ThrowsAsync<OriginLoadException>(() => group.GetAsync("broken").AsTask());

        Assert.Equal(3, Volatile.Read(ref _requests));
        Assert.Equal(1, group.Stats.LoadErrors);
    }

    [Fact(Timeout = 15_000)]
    public async Task Templates_without_a_key_placeholder_are_rejected()
    {
        await Task.Yield();
        Assert.Throws<ArgumentException>(() => new HttpOriginLoader(_http, _baseUrl + "/scores"));
        Assert.Throws<ArgumentException>(() => new HttpOriginLoader(_http, "not a url/{key}"));
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when disposed
    }
}

/// <summary>
/// Loader bounds for tests that are not about timeouts: a real HTTP round trip on a busy 2-core
/// machine (other test assemblies building or running) has taken over 2 s, the default.
/// </summary>
internal static class SlowMachine
{
    public static readonly TimeSpan LoaderTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(20);
}
