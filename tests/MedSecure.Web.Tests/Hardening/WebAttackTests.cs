using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>Cross-site request forgery, security headers, cookies and session fixation.</summary>
public sealed class WebAttackTests : IClassFixture<CastWebFactory>
{
    private readonly CastWebFactory _app;

    public WebAttackTests(CastWebFactory app) => _app = app;

    public static TheoryData<string> ForgedTokens => new() { "", "missing", "garbage", "another-users" };

    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task Every_post_handler_refuses_a_request_without_this_users_antiforgery_token(string token)
    {
        var handlers = (await AppEndpoints.PageHandlersAsync(_app.Services)).Where(h => h.Method == "POST").ToList();
        Assert.NotEmpty(handlers);
        foreach (var handler in handlers)
        {
            // The right visitor for the handler, so the refusal can only come from antiforgery.
            using var visitor = _app.NewClient();
            var client = AuthorizationMatrixTests.Matrix[handler.Key] switch
            {
                Access.Public => visitor,
                Access.Doctor => _app.DoctorX.Client,
                _ => _app.PatientA.Client,
            };
            await client.GetAsync("/Account/SignOut"); // the antiforgery cookie, as a real browser would hold
            var forged = token switch
            {
                "garbage" => "CfDJ8-not-a-token",
                "another-users" => await _app.PatientB.Client.AntiforgeryTokenAsync(),
                _ => null,
            };
            var fields = Form(("Form.Email", "x@example.com"), ("Specialty", "Forged"));
            if (forged is not null || token == "")
            {
                fields.Add(new("__RequestVerificationToken", forged ?? ""));
            }

            foreach (var htmx in new[] { false, true })
            {
                var answer = await client.PostAsync(handler.Url(), fields, htmx);

                Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{handler} (htmx {htmx}, token {token}): {answer.Status}");
            }
        }
        // The forged sign-out did not sign anyone out, and the forged profile post changed nothing.
        Assert.Equal(HttpStatusCode.OK, (await _app.PatientA.Client.GetAsync("/Patient")).Status);
        Assert.DoesNotContain("Forged", (await _app.DoctorX.Client.GetAsync("/Doctor/Profile")).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_htmx_post_with_the_token_in_its_header_is_accepted()
    {
        using var visitor = _app.NewClient();
        var token = await visitor.AntiforgeryTokenAsync("/Account/SignIn");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Account/SignIn")
        {
            Content = new FormUrlEncodedContent(Form(("Form.Email", "nobody@example.com"), ("Form.Password", "wrong password"))),
        };
        request.Headers.Add("HX-Request", "true");
        request.Headers.Add("RequestVerificationToken", token);

        var response = await visitor.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, bool> Responses => new()
    {
        { "/", false },
        { "/Account/SignIn", true },
        { "/Patient", false },
        { "/Patient/Submit?handler=Doctors&q=x", true },
        { "/Doctor/Profile", false },
        { "/Account/AccessDenied", false },
        { "/no-such-page", false },
        { "/Patient/Submissions/ffffffffffffffffffffffffffffffff", false },
        { "/css/site.css", false },
        { "/lib/htmx/htmx.min.js", false },
        { "/health", false },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Every_response_carries_a_csp_without_inline_script_and_the_usual_security_headers(string url, bool htmx)
    {
        var answer = await _app.PatientA.Client.GetAsync(url, htmx);

        SecurityAsserts.Headers(answer.Response);
    }

    [Fact]
    public async Task Refused_posts_and_redirects_carry_the_security_headers_too()
    {
        using var visitor = _app.NewClient();

        SecurityAsserts.Headers((await visitor.PostAsync("/Account/SignIn", Form(("Form.Email", "x")))).Response);
        SecurityAsserts.Headers((await visitor.GetAsync("/Patient")).Response);
    }

    [Fact]
    public async Task Rendered_pages_hold_no_inline_script_or_event_handler_attributes()
    {
        foreach (var (client, url) in new[] { (_app.PatientA.Client, "/Patient/Submit"), (_app.DoctorX.Client, "/Doctor/Profile"), (_app.PatientA.Client, "/Directory") })
        {
            var page = await client.GetAsync(url);

            Assert.Empty(page.Document.QuerySelectorAll("script:not([src])"));
            Assert.DoesNotContain(page.Document.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task The_auth_and_antiforgery_cookies_are_httponly_secure_and_samesite()
    {
        using var visitor = _app.NewClient();
        var form = await visitor.GetAsync("/Account/SignIn");
        var signedIn = await visitor.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", _app.PatientB.Email), ("Form.Password", SignedInUser.Password)));

        var antiforgery = SetCookie(form.Response, "medsecure.af");
        var auth = SetCookie(signedIn.Response, "medsecure.auth");
        foreach (var cookie in new[] { antiforgery!, auth! })
        {
            Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("(?i); samesite=(lax|strict)", cookie);
        }
        Assert.Contains("samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Signing_in_issues_a_new_session_cookie_and_a_signed_out_cookie_no_longer_works()
    {
        using var browser = _app.NewClient();
        var first = await SignInAsync(browser, _app.PatientB.Email);
        var second = await SignInAsync(browser, _app.PatientB.Email);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.OK, (await WithCookieAsync(second, "/Patient")).StatusCode);

        var token = await browser.AntiforgeryTokenAsync();
        var signedOut = await browser.PostAsync("/Account/SignOut", Form(("__RequestVerificationToken", token)));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.Status);

        // A copy of the cookie kept by an attacker (or a shared computer's browser) is dead.
        var replayed = await WithCookieAsync(second, "/Patient");
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.Equal("/Account/SignIn", new Uri(new Uri("https://localhost"), replayed.Headers.Location!).AbsolutePath);
    }

    private async Task<string> SignInAsync(PageClient browser, string email)
    {
        var answer = await browser.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", SignedInUser.Password)));
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        return SetCookie(answer.Response, "medsecure.auth")!.Split(';')[0];
    }

    private async Task<HttpResponseMessage> WithCookieAsync(string cookie, string url)
    {
        using var bare = _app.NewBareClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return await bare.SendAsync(request);
    }

    private static string? SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.LastOrDefault(c => c.StartsWith(name + "=", StringComparison.Ordinal) && !c.StartsWith(name + "=;", StringComparison.Ordinal))
            : null;
}

/// <summary>Checks shared by the hardening tests.</summary>
internal static class SecurityAsserts
{
    /// <summary>What every response must say, whatever produced it.</summary>
    public static void Headers(HttpResponseMessage response)
    {
        var url = response.RequestMessage?.RequestUri;
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var scripts = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Equal("script-src 'self'", scripts);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", $"nosniff on {url}");
        Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frames) && frames.Single() == "DENY", $"X-Frame-Options on {url}");
        Assert.True(response.Headers.Contains("Referrer-Policy"), $"Referrer-Policy on {url}");
    }
}
