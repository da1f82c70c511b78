using System.Text.Json;

namespace MedSecure.E2E.Quality;

/// <summary>One request as Chromium's network stack saw it (DevTools protocol events).</summary>
public sealed class WireRequest
{
    /// <summary>DevTools request id.</summary>
    public required string Id { get; init; }

    /// <summary>Requested URL.</summary>
    public required string Url { get; init; }

    /// <summary>GET, POST…</summary>
    public required string Method { get; init; }

    /// <summary>DevTools resource type: Document, Stylesheet, Script, XHR, Fetch…</summary>
    public required string Type { get; init; }

    /// <summary>Sent by htmx (it adds <c>HX-Request: true</c>).</summary>
    public required bool Htmx { get; init; }

    /// <summary>HTTP status, 0 until the response arrives.</summary>
    public int Status { get; set; }

    /// <summary>Served by the memory or disk cache: nothing went over the network.</summary>
    public bool FromCache { get; set; }

    /// <summary>Bytes received for the response headers (status line included).</summary>
    public long HeaderBytes { get; set; }

    /// <summary>
    /// Everything received for this request: headers plus the body as transferred (compressed),
    /// from <c>Network.loadingFinished.encodedDataLength</c>. This is what a metered connection pays.
    /// </summary>
    public long WireBytes { get; set; }

    /// <summary>Body bytes as transferred (compressed), headers excluded.</summary>
    public long BodyBytes => Math.Max(0, WireBytes - HeaderBytes);

    /// <summary>Loading finished or failed.</summary>
    public bool Done { get; set; }

    /// <summary>The response's Content-Encoding ("br", "gzip"), empty when sent as is.</summary>
    public string ContentEncoding { get; set; } = "";

    /// <summary>Path and query, for messages.</summary>
    public string PathAndQuery => new Uri(Url).PathAndQuery;

    /// <summary>The site icon, which the browser loads outside the page's own requests.</summary>
    public bool IsFavicon => new Uri(Url).AbsolutePath.StartsWith("/favicon", StringComparison.Ordinal);

    /// <summary>A stylesheet or script.</summary>
    public bool IsStaticAsset => Type is "Stylesheet" or "Script";

    /// <inheritdoc />
    public override string ToString() =>
        $"{Method} {PathAndQuery} [{Type}{(Htmx ? ", htmx" : "")}] {Status} {WireBytes} B on the wire ({HeaderBytes} B headers{(ContentEncoding.Length > 0 ? ", " + ContentEncoding : "")}){(FromCache ? " from cache" : "")}";
}

/// <summary>
/// Records what a page actually transferred, from the DevTools protocol: Playwright's own response
/// sizes do not say whether a response came from the cache, and budgets must be about the network.
/// </summary>
public sealed class WireMeter
{
    private readonly object _gate = new();
    private readonly Dictionary<string, WireRequest> _byId = [];
    private readonly List<WireRequest> _all = [];

    private WireMeter()
    {
    }

    /// <summary>Starts recording every request of <paramref name="page"/>.</summary>
    public static async Task<WireMeter> AttachAsync(IPage page)
    {
        var meter = new WireMeter();
        var session = await page.Context.NewCDPSessionAsync(page);
        session.Event("Network.requestWillBeSent").OnEvent += (_, e) => meter.OnRequest(e!.Value);
        session.Event("Network.responseReceived").OnEvent += (_, e) => meter.OnResponse(e!.Value);
        session.Event("Network.requestServedFromCache").OnEvent += (_, e) => meter.With(e!.Value, r => r.FromCache = true);
        session.Event("Network.loadingFinished").OnEvent += (_, e) => meter.With(e!.Value, r =>
        {
            r.WireBytes = (long)e.Value.GetProperty("encodedDataLength").GetDouble();
            r.Done = true;
        });
        session.Event("Network.loadingFailed").OnEvent += (_, e) => meter.With(e!.Value, r => r.Done = true);
        await session.SendAsync("Network.enable");
        return meter;
    }

    /// <summary>Requests recorded since the last <see cref="Reset"/>.</summary>
    public IReadOnlyList<WireRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Forgets what was recorded so far.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _all.Clear();
        }
    }

    /// <summary>
    /// Waits until every recorded request has finished loading: DevTools events may trail the
    /// page's load event by a moment. Not a timing assertion; it only waits for the counts.
    /// </summary>
    public async Task<IReadOnlyList<WireRequest>> SettledAsync(int expectAtLeast = 1)
    {
        for (var i = 0; i < 200; i++)
        {
            var requests = Requests;
            // Chromium fetches the favicon on its own schedule and may never report it finished (it
            // is counted when it does): a page is settled without it.
            if (requests.Count >= expectAtLeast && requests.All(r => r.Done || r.IsFavicon))
            {
                return requests;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException("Requests did not finish: " + string.Join("; ", Requests.Where(r => !r.Done)));
    }

    /// <summary>A readable list for assertion messages and the test log.</summary>
    public static string Describe(IEnumerable<WireRequest> requests) =>
        string.Join(Environment.NewLine, requests.Select(r => "  " + r));

    private void OnRequest(JsonElement e)
    {
        var request = e.GetProperty("request");
        var headers = request.GetProperty("headers");
        var htmx = headers.EnumerateObject().Any(h => h.Name.Equals("HX-Request", StringComparison.OrdinalIgnoreCase));
        var id = e.GetProperty("requestId").GetString()!;
        var entry = new WireRequest
        {
            Id = id,
            Url = request.GetProperty("url").GetString()!,
            Method = request.GetProperty("method").GetString()!,
            Type = e.TryGetProperty("type", out var type) ? type.GetString() ?? "Other" : "Other",
            Htmx = htmx,
        };
        lock (_gate)
        {
            // A redirect reuses the id: the previous hop is finished, the new one starts.
            if (_byId.TryGetValue(id, out var previous) && e.TryGetProperty("redirectResponse", out var redirect))
            {
                previous.Status = redirect.GetProperty("status").GetInt32();
                previous.HeaderBytes = previous.WireBytes = (long)redirect.GetProperty("encodedDataLength").GetDouble();
                previous.Done = true;
            }
            _byId[id] = entry;
            _all.Add(entry);
        }
    }

    private void OnResponse(JsonElement e) => With(e, r =>
    {
        var response = e.GetProperty("response");
        r.Status = response.GetProperty("status").GetInt32();
        r.HeaderBytes = (long)response.GetProperty("encodedDataLength").GetDouble();
        if (response.TryGetProperty("headers", out var headers))
        {
            r.ContentEncoding = headers.EnumerateObject()
                .FirstOrDefault(h => h.Name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } value
                ? value.GetString() ?? "" : "";
        }
        if (response.TryGetProperty("fromDiskCache", out var disk) && disk.GetBoolean())
        {
            r.FromCache = true;
        }
    });

    private void With(JsonElement e, Action<WireRequest> update)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(e.GetProperty("requestId").GetString()!, out var r))
            {
                update(r);
            }
        }
    }
}
