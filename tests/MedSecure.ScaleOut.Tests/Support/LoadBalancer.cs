using System.Net;

namespace MedSecure.ScaleOut.Tests.Support;

/// <summary>
/// A browser behind a load balancer, reduced to what matters here: one cookie jar, and requests
/// sent to whichever instance the test names (a balancer without sticky sessions may pick any).
/// Cookies are kept by name whatever their Secure flag, since the instances talk plain http on
/// loopback while the app marks its cookies Secure.
/// </summary>
public sealed class LoadBalancer : DelegatingHandler
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    /// <summary>Creates the balancer in front of the instances.</summary>
    public LoadBalancer(params AppInstance[] instances)
        : base(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        Instances = instances;
        Target = instances[0];
    }

    /// <summary>The instances.</summary>
    public IReadOnlyList<AppInstance> Instances { get; }

    /// <summary>Where the next request goes.</summary>
    public AppInstance Target { get; set; }

    /// <summary>A client for relative URLs through this balancer.</summary>
    public HttpClient NewClient() => new(this, disposeHandler: false) { BaseAddress = new Uri("http://medsecure.test"), Timeout = TimeSpan.FromSeconds(100) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = new Uri(Target.BaseUrl, request.RequestUri!.PathAndQuery);
        if (_cookies.Count > 0)
        {
            request.Headers.Remove("Cookie");
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                var pair = header.Split(';', 2)[0];
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    continue;
                }
                var name = pair[..equals].Trim();
                var value = pair[(equals + 1)..].Trim();
                var expired = header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase) || value.Length == 0;
                if (expired)
                {
                    _cookies.Remove(name);
                }
                else
                {
                    _cookies[name] = value;
                }
            }
        }
        return response;
    }
}
