using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Shared;

/// <summary>A kept form draft belongs to the user who typed it.</summary>
public sealed class FormDraftsTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    private const string DraftCookie = "medsecure.draft";

    /// <summary>Patient A's session ends mid-send: the form goes into a draft cookie in A's browser.</summary>
    private async Task<(SignedInUser A, string DoctorUid, string DraftCookieValue)> DraftOfAAsync()
    {
        using var doctor = await app.SignUpAsync("Doctor");
        var a = await app.SignUpAsync("Patient");
        await app.Sessions.RemoveAsync(app.Sessions.LatestOf(a.Uid));
        var posted = await a.Client.PostAsync("/Patient/Submit", Form(
            ("Form.DoctorUid", doctor.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "7.9")));
        Assert.Contains("reason=expired", posted.RedirectTarget, StringComparison.Ordinal);
        var cookie = posted.Response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(DraftCookie + "=", StringComparison.Ordinal));
        return (a, doctor.Uid, cookie.Split(';')[0][(DraftCookie.Length + 1)..]);
    }

    [Fact]
    public async Task Another_user_signing_in_on_the_same_browser_does_not_get_the_first_users_draft()
    {
        var (a, _, _) = await DraftOfAAsync();
        using (a)
        {
            using var b = await app.SignUpAsync("Patient");

            var signedIn = await a.Client.SubmitAsync("/Account/SignIn?ReturnUrl=%2FPatient%2FSubmit", "#sign-in-form",
                Form(("Form.Email", b.Email), ("Form.Password", SignedInUser.Password)));
            Assert.Contains(signedIn.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(DraftCookie + "=;", StringComparison.Ordinal));

            var form = await a.Client.GetAsync("/Patient/Submit");
            Assert.Equal(HttpStatusCode.OK, form.Status);
            Assert.NotEqual("7.9", form.Document.QuerySelector("input[name='Form.Values[hba1c]']")?.GetAttribute("value"));
        }
    }

    [Fact]
    public async Task A_draft_cookie_carried_to_another_users_session_is_not_applied()
    {
        var (a, _, draft) = await DraftOfAAsync();
        a.Dispose();
        using var b = await app.SignUpAsync("Patient");
        // B's own session cookie, with A's draft cookie added by hand.
        using var bare = app.NewBareClient();
        var bCookies = await SessionCookiesAsync(b);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Patient/Submit");
        request.Headers.Add("Cookie", $"{bCookies}; {DraftCookie}={draft}");

        using var response = await bare.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("value=\"7.9\"", html, StringComparison.Ordinal);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(DraftCookie + "=;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signing_out_drops_the_draft()
    {
        var (a, _, _) = await DraftOfAAsync();
        using (a)
        {
            await a.Client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", a.Email), ("Form.Password", SignedInUser.Password)));
            var token = await a.Client.AntiforgeryTokenAsync();

            var signedOut = await a.Client.PostAsync("/Account/SignOut", Form(("__RequestVerificationToken", token)));

            Assert.Contains(signedOut.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(DraftCookie + "=;", StringComparison.Ordinal));
        }
    }

    /// <summary>Signs <paramref name="user"/> in on a bare client and returns its cookies as a Cookie header value.</summary>
    private async Task<string> SessionCookiesAsync(SignedInUser user)
    {
        using var client = app.NewBareClient();
        var page = await client.GetAsync("/Account/SignIn");
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        var html = await page.Content.ReadAsStringAsync();
        var token = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html)
            .QuerySelector("#sign-in-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Account/SignIn")
        {
            Content = new FormUrlEncodedContent(Form(("__RequestVerificationToken", token), ("Form.Email", user.Email), ("Form.Password", SignedInUser.Password))),
        };
        post.Headers.Add("Cookie", string.Join("; ", antiforgeryCookie));
        using var signedIn = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Where(c => !c.EndsWith('=')));
    }
}
