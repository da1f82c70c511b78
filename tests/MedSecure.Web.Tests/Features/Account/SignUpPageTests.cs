using System.Net;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

public sealed class SignUpPageTests : IClassFixture<MedSecureWebFactory>
{
    private readonly MedSecureWebFactory _app;

    public SignUpPageTests(MedSecureWebFactory app) => _app = app;

    private static List<KeyValuePair<string, string>> Valid(string email, string role = "Patient") => Form(
        ("Form.Role", role), ("Form.DisplayName", "Ada Lovelace"), ("Form.Email", email), ("Form.Password", "long enough 1"));

    private static string NewEmail() => $"u{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task The_form_labels_every_field_and_offers_both_roles()
    {
        using var client = _app.NewClient();

        var page = await client.GetAsync("/Account/SignUp");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        foreach (var input in page.Document.QuerySelectorAll("#sign-up-form input:not([type=hidden])"))
        {
            var id = input.Id;
            Assert.True(page.Document.QuerySelector($"label[for='{id}']") is not null || input.Closest("label") is not null, $"input {id} has no label");
        }
        Assert.Equal(["Patient", "Doctor"], page.Document.QuerySelectorAll("input[name='Form.Role']").Select(i => i.GetAttribute("value")!));
    }

    [Fact]
    public async Task A_patient_signs_up_and_lands_on_the_patient_page_with_the_role_stored()
    {
        using var client = _app.NewClient();
        var email = NewEmail();

        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Valid(email));

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.Equal("/Account/RecoveryCode", answer.RedirectTarget);
        var home = await client.GetAsync("/Patient");
        Assert.Contains("Signed in as Ada Lovelace · patient", home.Document.QuerySelector(".who")!.TextContent, StringComparison.Ordinal);

        using var scope = _app.Services.CreateScope();
        var uid = (await _app.Auth.SignInAsync(email, "long enough 1")).Uid;
        var stored = await scope.ServiceProvider.GetRequiredService<UserAccounts>().FindAsync(uid);
        Assert.Equal(AccountRole.Patient, stored!.Role);
    }

    [Fact]
    public async Task A_stored_role_can_never_be_overwritten()
    {
        using var scope = _app.Services.CreateScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        var uid = Guid.NewGuid().ToString("N");
        await accounts.CreateAsync(new UserAccount(uid, AccountRole.Patient, "P", "p@example.com", DateTimeOffset.UtcNow));

        await Assert.ThrowsAnyAsync<Exception>(() =>
            accounts.CreateAsync(new UserAccount(uid, AccountRole.Doctor, "P", "p@example.com", DateTimeOffset.UtcNow)));

        Assert.Equal(AccountRole.Patient, (await accounts.FindAsync(uid))!.Role);
    }

    [Fact]
    public async Task Htmx_sign_up_answers_with_an_hx_redirect()
    {
        using var client = _app.NewClient();

        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", [.. Valid(NewEmail(), "Doctor"), new("Form.Specialty", "Cardiology")], htmx: true);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("/Account/RecoveryCode", answer.RedirectTarget);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Missing_and_bad_fields_get_messages_beside_them_and_keep_what_was_typed(bool htmx)
    {
        using var client = _app.NewClient();
        var before = _app.Auth.Count;

        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form",
            Form(("Form.DisplayName", "Grace"), ("Form.Email", "not-an-email"), ("Form.Password", "short")), htmx);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("Choose whether you are a patient or a doctor.", answer.FieldMessage("Form.Role"));
        Assert.Equal("Enter a valid email address.", answer.FieldMessage("Form.Email"));
        Assert.Equal("Choose a password of 8 to 128 characters.", answer.FieldMessage("Form.Password"));
        Assert.Equal("Grace", answer.Document.QuerySelector("input[name='Form.DisplayName']")!.GetAttribute("value"));
        Assert.Equal("not-an-email", answer.Document.QuerySelector("input[name='Form.Email']")!.GetAttribute("value"));
        Assert.Equal(before, _app.Auth.Count);
        // HTMX gets only the form; a plain post gets the whole page.
        Assert.Equal(htmx, answer.Document.QuerySelector("header") is null);
        Assert.Contains("HX-Request", answer.Response.Headers.Vary);
    }

    [Fact]
    public async Task An_email_already_registered_is_reported_beside_the_email()
    {
        using var client = _app.NewClient();
        var email = NewEmail();
        await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Valid(email));
        using var second = _app.NewClient();

        var answer = await second.SubmitAsync("/Account/SignUp", "#sign-up-form", Valid(email));

        Assert.Equal("An account with this email already exists. Sign in instead.", answer.FieldMessage("Form.Email"));
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        using var client = _app.NewClient();

        var answer = await client.PostAsync("/Account/SignUp", Valid(NewEmail()));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
    }
}
