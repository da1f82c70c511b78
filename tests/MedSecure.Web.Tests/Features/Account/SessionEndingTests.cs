using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

/// <summary>A password change ends the user's other sessions at once.</summary>
public sealed class SessionEndingTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    [Fact]
    public async Task Changing_the_password_sends_the_users_other_browser_to_sign_in_with_a_plain_explanation()
    {
        using var first = await app.SignUpAsync("Patient");
        using var second = app.NewClient();
        var signedIn = await second.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", first.Email), ("Form.Password", SignedInUser.Password)));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/Patient")).Status);

        var changed = await first.Client.SubmitAsync("/Account/ChangePassword", "form[action='/Account/ChangePassword']",
            Form(("Form.Current", SignedInUser.Password), ("Form.Password", "a brand new password 2")));
        Assert.Contains("signed out", changed.Html, StringComparison.Ordinal);

        var bounced = await second.GetAsync("/Patient");
        Assert.Equal(HttpStatusCode.Redirect, bounced.Status);
        Assert.Contains("reason=expired", bounced.RedirectTarget, StringComparison.Ordinal);
        var explained = await second.GetAsync(bounced.RedirectTarget!);
        Assert.Contains("password was changed", explained.Html, StringComparison.Ordinal);
        // The browser that changed it carries on.
        Assert.Equal(HttpStatusCode.OK, (await first.Client.GetAsync("/Patient")).Status);
    }
}
