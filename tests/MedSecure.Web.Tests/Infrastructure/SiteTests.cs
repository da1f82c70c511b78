using System.Net;
using MedSecure.Web.Tests.Support;

namespace MedSecure.Web.Tests.Infrastructure;

public sealed class SiteTests : IClassFixture<MedSecureWebFactory>
{
    private readonly MedSecureWebFactory _app;

    public SiteTests(MedSecureWebFactory app) => _app = app;

    [Fact]
    public async Task The_health_endpoint_reports_healthy()
    {
        using var client = _app.NewClient();
        var response = await client.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pages_carry_a_csp_without_inline_script_and_the_usual_security_headers()
    {
        using var client = _app.NewClient();
        var page = await client.GetAsync("/");
        var headers = page.Response.Headers;
        var csp = headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", headers.GetValues("X-Frame-Options").Single());
        Assert.Empty(page.Document.QuerySelectorAll("script:not([src])"));
        Assert.Empty(page.Document.QuerySelectorAll("[style]"));
    }

    [Fact]
    public async Task Htmx_and_the_stylesheet_are_served_by_the_app_with_fingerprinted_urls()
    {
        using var client = _app.NewClient();
        var page = await client.GetAsync("/");
        var htmx = page.Document.QuerySelector("script[src*='htmx']")!.GetAttribute("src")!;
        var css = page.Document.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")!;
        Assert.Matches(@"^/lib/htmx/htmx\.min\.[a-z0-9]+\.js$", htmx);
        Assert.Matches(@"^/css/site\.[a-z0-9]+\.css$", css);

        var script = await client.Http.GetAsync(htmx);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("immutable", script.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_auth_cookie_is_httponly_secure_and_samesite()
    {
        var email = $"c{Guid.NewGuid():N}@example.com";
        using var client = _app.NewClient();
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", PageClient.Form(
            ("Form.Role", "Patient"), ("Form.DisplayName", "Cookie"), ("Form.Email", email), ("Form.Password", "long enough 1")));

        var cookie = answer.Response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("medsecure.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
