using System.Net;
using System.Text;

namespace MedSecure.Web.Tests.Support;

/// <summary>An HttpMessageHandler that records each request (with its body) and answers from a script.</summary>
public sealed class RecordingHttpHandler(Func<HttpRequestMessage, string?, HttpResponseMessage> answer) : HttpMessageHandler
{
    /// <summary>Requests seen, in order, with their bodies read as text.</summary>
    public List<(HttpRequestMessage Request, string? Body)> Requests { get; } = [];

    /// <summary>A JSON answer with the given status.</summary>
    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add((request, body));
        }
        return answer(request, body);
    }
}
