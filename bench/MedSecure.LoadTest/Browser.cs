using System.Diagnostics;
using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace MedSecure.LoadTest;

/// <summary>
/// One simulated person: a cookie jar and pages read like a browser without JavaScript. With
/// several instances, a load balancer without sticky sessions: each request goes to the next
/// instance in turn, so consecutive requests of one person alternate instances, with one cookie
/// jar for all of them (the instances share a host, 127.0.0.1, and cookies do not depend on the
/// port; over plain http the app's cookies are not marked Secure, see Security:RequireHttps).
/// </summary>
internal sealed class Browser : IDisposable
{
    private static readonly HtmlParser Parser = new();
    private readonly HttpClient _http;

    /// <summary>A browser for one instance.</summary>
    public Browser(Uri baseAddress) : this([baseAddress], null)
    {
    }

    /// <summary>A browser whose requests go round-robin to <paramref name="instances"/>, counted per instance in <paramref name="requestsPerInstance"/>.</summary>
    public Browser(IReadOnlyList<Uri> instances, long[]? requestsPerInstance)
    {
        ArgumentOutOfRangeException.ThrowIfZero(instances.Count);
        var sockets = new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(new RoundRobin(instances, requestsPerInstance) { InnerHandler = sockets })
        { BaseAddress = instances[0], Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>An answer with its parsed page and how long it took.</summary>
    public sealed record Page(HttpStatusCode Status, string? Location, IHtmlDocument Document, TimeSpan Elapsed);

    public async Task<Page> GetAsync(string url, bool htmx = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
        return await SendAsync(request);
    }

    public async Task<Page> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        return await SendAsync(request);
    }

    /// <summary>The hidden fields of a form (antiforgery token, idempotency key) plus the typed ones.</summary>
    public static List<KeyValuePair<string, string>> Fill(Page page, string formSelector, params (string Name, string Value)[] typed)
    {
        var form = page.Document.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form {formSelector} ({page.Status})");
        return form.Elements.OfType<IHtmlInputElement>()
            .Where(i => i.Type == "hidden" && !string.IsNullOrEmpty(i.Name) && typed.All(t => t.Name != i.Name))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Concat(typed.Select(t => new KeyValuePair<string, string>(t.Name, t.Value)))
            .ToList();
    }

    private async Task<Page> SendAsync(HttpRequestMessage request)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _http.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        var elapsed = clock.Elapsed;
        return new Page(response.StatusCode, response.Headers.Location?.OriginalString, await Parser.ParseDocumentAsync(html), elapsed);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends each request to the next instance (scheme, host and port rewritten; path and query kept).</summary>
    private sealed class RoundRobin(IReadOnlyList<Uri> instances, long[]? counts) : DelegatingHandler
    {
        private int _next = -1;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var index = (int)((uint)Interlocked.Increment(ref _next) % (uint)instances.Count);
            if (counts is not null)
            {
                Interlocked.Increment(ref counts[index]);
            }
            request.RequestUri = new Uri(instances[index], request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
