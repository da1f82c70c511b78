using System.Net;
using System.Text;

namespace MedSecure.Web.Tests.Storage;

/// <summary>One request as the fake server saw it.</summary>
internal sealed record RecordedRequest(string Method, string Uri, string? Authorization, IReadOnlyDictionary<string, string> Headers, string? ContentType, string? Body);

/// <summary>
/// Stands in for the Realtime Database at the bottom of the real handler chain (resilience
/// included), recording every attempt and answering through <see cref="Respond"/>.
/// </summary>
internal sealed class FakeFirebaseHandler : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    /// <summary>Answers attempt number n (from 0) of the test.</summary>
    public Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> Respond { get; set; } =
        (_, _, _) => Task.FromResult(Json(HttpStatusCode.OK, "null"));

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public RecordedRequest Single => Assert.Single(Requests);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers
            .Where(h => h.Key != "Authorization")
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
        int attempt;
        lock (_requests)
        {
            attempt = _requests.Count;
            _requests.Add(new RecordedRequest(
                request.Method.Method,
                request.RequestUri!.AbsoluteUri,
                request.Headers.Authorization?.ToString(),
                headers,
                request.Content?.Headers.ContentType?.ToString(),
                body));
        }

        return await Respond(request, attempt, cancellationToken);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string? etag = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (etag is not null)
        {
            // Firebase's ETags are not quoted; add them as the server sends them.
            response.Headers.TryAddWithoutValidation("ETag", etag);
        }

        return response;
    }
}
