using System.Globalization;
using System.Net;
using MedSecure.Web.Tests.Infrastructure;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>
/// The password-guessing brake covers recovery too: reset codes and recovery codes are guessable
/// secrets just like passwords.
/// </summary>
public sealed class RecoveryRateLimitTests : IClassFixture<RateLimitTests.StrictFactory>
{
    private readonly RateLimitTests.StrictFactory _app;

    public RecoveryRateLimitTests(RateLimitTests.StrictFactory app) => _app = app;

    [Fact]
    public async Task Recovery_attempts_spend_the_same_allowance_and_every_account_form_then_answers_429_with_retry_after()
    {
        using var client = _app.NewClient();
        var recover = Form(("__RequestVerificationToken", await client.AntiforgeryTokenAsync("/Account/Recover")),
            ("Form.ResetCode", "guessed"), ("Form.RecoveryCode", "AAAA-BBBB"), ("Form.Password", "new password 1"));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/Account/Recover", recover)).Status);
        }

        foreach (var page in new[] { "/Account/Recover", "/Account/Forgot", "/Account/SignIn", "/Account/SignUp" })
        {
            var token = await client.AntiforgeryTokenAsync(page);
            var limited = await client.PostAsync(page, [.. recover.Where(f => f.Key != "__RequestVerificationToken"), new("__RequestVerificationToken", token)]);

            Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
            Assert.True(int.Parse(limited.Response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) > 0, page);
            SecurityAsserts.Headers(limited.Response);
        }
        // Only attempts count: the forms still show.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Forgot")).Status);
    }
}
