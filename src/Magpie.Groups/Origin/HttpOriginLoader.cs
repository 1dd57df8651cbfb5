using System.Net;

namespace Magpie.Groups.Origin;

/// <summary>
/// Loads values from an HTTP origin (server mode's <c>"Origin"</c>). The URL template's <c>{key}</c> is
/// replaced by the URL-escaped key and <c>{group}</c> by the escaped group name.
/// 200 gives the body as the value (a <c>Cache-Control: max-age</c> becomes its time-to-live, and
/// <c>no-store</c> or <c>max-age=0</c> means "serve, do not cache");
/// 404 means not found (a miss, not cached); any other status or a connection error is a loader error.
/// </summary>
public sealed class HttpOriginLoader
{
    private const string KeyPlaceholder = "{key}";
    private const string GroupPlaceholder = "{group}";

    private readonly HttpClient _http;
    private readonly string _template;

    /// <param name="http">Shared client; the group's loader timeout bounds each request through its token.</param>
    /// <param name="urlTemplate">For example <c>http://127.0.0.1:9000/scores/{key}</c>.</param>
    public HttpOriginLoader(HttpClient http, string urlTemplate)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!IsValidTemplate(urlTemplate, out var why)) throw new ArgumentException($"Origin {why}", nameof(urlTemplate));
        _http = http;
        _template = urlTemplate;
    }

    public static bool IsValidTemplate(string? template, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(template)) problem = "must not be empty.";
        else if (!template.Contains(KeyPlaceholder, StringComparison.Ordinal)) problem = $"'{template}' must contain {KeyPlaceholder}.";
        else if (!Uri.TryCreate(template.Replace(KeyPlaceholder, "k").Replace(GroupPlaceholder, "g"), UriKind.Absolute, out var uri)
                 || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            problem = $"'{template}' must be an absolute http or https URL.";
        return problem.Length == 0;
    }

    /// <summary>The URL requested for a key.</summary>
    public string UrlFor(string key, string group) =>
        _template.Replace(KeyPlaceholder, Uri.EscapeDataString(key), StringComparison.Ordinal)
                 .Replace(GroupPlaceholder, Uri.EscapeDataString(group), StringComparison.Ordinal);

    /// <summary>The loader; pass it to a group as <c>loader.LoadAsync</c>.</summary>
    public async ValueTask<LoadResult> LoadAsync(string key, LoaderContext context, CancellationToken cancellationToken)
    {
        string url = UrlFor(key, context.GroupName);
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new OriginLoadException(url, null, ex.Message, ex);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound) return LoadResult.NotFound;
            if (response.StatusCode != HttpStatusCode.OK)
                throw new OriginLoadException(url, response.StatusCode, $"origin answered {(int)response.StatusCode} {response.ReasonPhrase}", null);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var cacheControl = response.Headers.CacheControl;
            // no-store or max-age=0: serve this value but do not keep it. max-age=N: keep it N seconds.
            TimeSpan? ttl = cacheControl is { NoStore: true } ? TimeSpan.Zero : cacheControl?.MaxAge;
            return LoadResult.Found(body, ttl);
        }
    }
}

/// <summary>The HTTP origin failed: a status other than 200/404, or no connection.</summary>
public sealed class OriginLoadException(string url, HttpStatusCode? statusCode, string reason, Exception? inner)
    : Exception($"Origin {url} failed: {reason}", inner)
{
    public string Url { get; } = url;

    /// <summary>The status the origin answered with; null when it could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;
}
