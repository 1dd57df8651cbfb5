using Magpie.Groups;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Magpie.Server.Http;

/// <summary>
/// <c>/api/cache</c>: groups over HTTP. <c>GET|PUT|DELETE /api/cache/{group}/{key}</c> and
/// <c>/api/cache?group=&amp;key=</c>. Values are raw bytes (<c>application/octet-stream</c>).
/// </summary>
public static class CacheApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cache/{group}/{key?}", (string group, string? key, GroupRegistry groups, CancellationToken ct) => GetAsync(groups, group, key, ct));
        app.MapGet("/api/cache", (string? group, string? key, GroupRegistry groups, CancellationToken ct) => GetAsync(groups, group, key, ct));
        app.MapPut("/api/cache/{group}/{key?}", (string group, string? key, double? ttl, HttpRequest request, GroupRegistry groups) => PutAsync(groups, group, key, ttl, request));
        app.MapPut("/api/cache", (string? group, string? key, double? ttl, HttpRequest request, GroupRegistry groups) => PutAsync(groups, group, key, ttl, request));
        app.MapDelete("/api/cache/{group}/{key?}", (string group, string? key, GroupRegistry groups) => DeleteAsync(groups, group, key));
        app.MapDelete("/api/cache", (string? group, string? key, GroupRegistry groups) => DeleteAsync(groups, group, key));
    }

    private static async Task<IResult> GetAsync(GroupRegistry groups, string? group, string? key, CancellationToken ct)
    {
        if (Check(groups, group, key, out var cacheGroup, out key) is { } bad) return bad;
        try
        {
            byte[]? value = await cacheGroup.TryGetAsync(key, ct);
            return value is null
                ? Results.Text($"key '{key}' not found in group '{group}'", statusCode: StatusCodes.Status404NotFound)
                : Results.Bytes(value, "application/octet-stream");
        }
        catch (Exception ex) when (Failure(ex) is { } failure)
        {
            return failure;
        }
    }

    private static async Task<IResult> PutAsync(GroupRegistry groups, string? group, string? key, double? ttlSeconds, HttpRequest request)
    {
        if (Check(groups, group, key, out var cacheGroup, out key) is { } bad) return bad;
        if (ttlSeconds is { } t && (!double.IsFinite(t) || t <= 0))
            return Results.Text("ttl must be a positive number of seconds", statusCode: StatusCodes.Status400BadRequest);
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        var options = new GroupEntryOptions(ttlSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        try
        {
            await cacheGroup.SetAsync(key, body.ToArray(), options);
            return Results.NoContent();
        }
        catch (Exception ex) when (Failure(ex) is { } failure)
        {
            return failure;
        }
    }

    private static async Task<IResult> DeleteAsync(GroupRegistry groups, string? group, string? key)
    {
        if (Check(groups, group, key, out var cacheGroup, out key) is { } bad) return bad;
        try
        {
            await cacheGroup.RemoveAsync(key);
            return Results.NoContent();
        }
        catch (Exception ex) when (Failure(ex) is { } failure)
        {
            return failure;
        }
    }

    /// <summary>400 for a missing group or empty key, 404 for an unknown group; null when the request can go on.</summary>
    private static IResult? Check(GroupRegistry groups, string? group, string? key, out CacheGroup cacheGroup, out string cleanKey)
    {
        cacheGroup = null!;
        // Route values keep an escaped '/' escaped; a key may contain one.
        cleanKey = key?.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) ?? "";
        if (string.IsNullOrEmpty(group)) return Results.Text("group is required", statusCode: StatusCodes.Status400BadRequest);
        if (cleanKey.Length == 0) return Results.Text("key must not be empty", statusCode: StatusCodes.Status400BadRequest);
        if (!groups.TryGet(group, out cacheGroup)) return Results.Text($"unknown group '{group}'", statusCode: StatusCodes.Status404NotFound);
        return null;
    }

    /// <summary>503 when no node could serve the key; 502 when the origin (here or on the owner) failed.</summary>
    private static IResult? Failure(Exception ex) => ex switch
    {
        PeerUnavailableException => Results.Text(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable),
        OperationCanceledException => null,
        // The loader's own error (origin down, C# loader threw, load timed out), here or on the owner.
        _ => Results.Text(ex.Message, statusCode: StatusCodes.Status502BadGateway),
    };
}
