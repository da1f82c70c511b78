using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Infrastructure;

public sealed class RateLimitTests : IClassFixture<RateLimitTests.StrictFactory>
{
    /// <summary>The app with a limit small enough to reach in a test.</summary>
    public sealed class StrictFactory : MedSecureWebFactory
    {
        protected override int AccountAttemptsPerWindow => 3;
    }

    private readonly StrictFactory _app;

    public RateLimitTests(StrictFactory app) => _app = app;

    [Fact]
    public async Task Repeated_sign_in_attempts_get_429_with_retry_after_and_showing_the_form_stays_free()
    {
        using var client = _app.NewClient();
        var page = await client.GetAsync("/Account/SignIn");
        var token = page.Document.QuerySelector("#sign-in-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var attempt = Form(("__RequestVerificationToken", token), ("Form.Email", "guess@example.com"), ("Form.Password", "guess guess"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.PostAsync("/Account/SignIn", attempt)).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        var limited = await client.PostAsync("/Account/SignIn", attempt);
        Assert.True(int.Parse(limited.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("Too many attempts", limited.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/SignIn")).Status);
    }
}
