using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features;

/// <summary>Errors show MedSecure's own page in the layout, with the status kept, never the browser's blank one.</summary>
public sealed class ErrorPageTests : IClassFixture<MedSecureWebFactory>
{
    private readonly MedSecureWebFactory _app;

    public ErrorPageTests(MedSecureWebFactory app) => _app = app;

    private static void AssertErrorPage(Answer answer, HttpStatusCode status, string heading)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal(heading, answer.Document.QuerySelector("main h1")!.TextContent.Trim());
        Assert.NotNull(answer.Document.QuerySelector("header.top"));
        Assert.Equal("/", answer.Document.QuerySelector("main a.button")!.GetAttribute("href"));
    }

    [Fact]
    public async Task An_unknown_address_answers_404_with_a_page_that_leads_home()
    {
        using var visitor = _app.NewClient();

        var answer = await visitor.GetAsync("/no/such/page");

        AssertErrorPage(answer, HttpStatusCode.NotFound, "Page not found");
        Assert.NotNull(answer.Document.QuerySelector("main a[href='/Account/SignIn']"));
    }

    [Fact]
    public async Task A_submission_the_patient_may_not_see_looks_like_one_that_does_not_exist()
    {
        using var patient = await _app.SignUpAsync("Patient");

        var answer = await patient.Client.GetAsync($"/Patient/Submissions/{Guid.NewGuid():N}");

        AssertErrorPage(answer, HttpStatusCode.NotFound, "Page not found");
        Assert.Contains("not yours looks the same", answer.Document.QuerySelector("main p")!.TextContent, StringComparison.Ordinal);
        Assert.Null(answer.Document.QuerySelector("main a[href='/Account/SignIn']"));
    }

    [Fact]
    public async Task A_form_posted_without_its_security_token_answers_400_with_a_page_that_says_to_reload()
    {
        using var visitor = _app.NewClient();

        var answer = await visitor.PostAsync("/Account/SignIn", Form(("Form.Email", "a@example.com"), ("Form.Password", "whatever 1")));

        AssertErrorPage(answer, HttpStatusCode.BadRequest, "That request could not be read");
        Assert.Contains("reload the page", answer.Document.QuerySelector("main p")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_links_a_favicon_that_is_served()
    {
        using var visitor = _app.NewClient();
        var home = await visitor.GetAsync("/");
        var href = home.Document.QuerySelector("link[rel=icon]")!.GetAttribute("href")!;

        using var icon = await visitor.Http.GetAsync(href);

        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType!.MediaType);
    }
}
