using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

public sealed class SignInPageTests : IClassFixture<MedSecureWebFactory>
{
    private readonly MedSecureWebFactory _app;

    public SignInPageTests(MedSecureWebFactory app) => _app = app;

    private async Task<string> RegisterAsync(string role)
    {
        using var client = _app.NewClient();
        var email = $"u{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", $"Test {role}"), ("Form.Specialty", "General practice"), ("Form.Email", email), ("Form.Password", "long enough 1")));
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        return email;
    }

    [Fact]
    public async Task A_doctor_signs_in_and_reaches_the_doctor_page()
    {
        var email = await RegisterAsync("Doctor");
        using var client = _app.NewClient();

        var answer = await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "long enough 1")));

        Assert.Equal("/Doctor", answer.RedirectTarget);
        var home = await client.GetAsync("/Doctor");
        Assert.Contains("· doctor", home.Document.QuerySelector(".who")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_wrong_password_shows_a_plain_message_on_the_form_and_keeps_the_email(bool htmx)
    {
        var email = await RegisterAsync("Patient");
        using var client = _app.NewClient();

        var answer = await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "wrong password")), htmx);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("That email and password do not match an account.", answer.FormAlert);
        Assert.Equal(email, answer.Document.QuerySelector("input[name='Form.Email']")!.GetAttribute("value"));
        Assert.Null(answer.Document.QuerySelector("input[name='Form.Password']")!.GetAttribute("value"));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/Patient")).Status);
    }

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_sign_in_from_role_pages()
    {
        using var client = _app.NewClient();

        var answer = await client.GetAsync("/Patient");

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.StartsWith("https://localhost/Account/SignIn?ReturnUrl=%2FPatient", answer.RedirectTarget, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patient_cannot_open_the_doctor_page()
    {
        var email = await RegisterAsync("Patient");
        using var client = _app.NewClient();
        await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "long enough 1")));

        var answer = await client.GetAsync("/Doctor");

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.Contains("/Account/AccessDenied", answer.RedirectTarget, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var email = await RegisterAsync("Patient");
        using var client = _app.NewClient();
        await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "long enough 1")));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Patient")).Status);

        var answer = await client.SubmitAsync("/Patient", "form[action='/Account/SignOut']", []);

        Assert.Equal("/Account/SignIn?reason=signed-out", answer.RedirectTarget);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/Patient")).Status);
    }
}
