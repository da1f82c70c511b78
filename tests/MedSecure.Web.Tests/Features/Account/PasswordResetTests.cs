using System.Net;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

/// <summary>
/// A forgotten password, as a patient lives it: the email's link (or the code pasted from it) and
/// the recovery code in one step, or a password set on Firebase's own page followed by sign-in.
/// </summary>
public sealed class PasswordResetTests : IClassFixture<MedSecureWebFactory>
{
    private const string Password = "first password 1";
    private readonly MedSecureWebFactory _app;

    public PasswordResetTests(MedSecureWebFactory app) => _app = app;

    private async Task<(string Email, string Uid, string RecoveryCode, PaillierCiphertext OldRecord)> SignUpAsync()
    {
        using var client = _app.NewClient();
        var email = $"reset{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", "Patient"), ("Form.DisplayName", "Reset Patient"), ("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("/Account/RecoveryCode", answer.RedirectTarget);
        var code = (await client.GetAsync("/Account/RecoveryCode")).Document.QuerySelector("#recovery-code")!.TextContent.Trim();
        var uid = (await _app.Auth.SignInAsync(email, Password)).Uid;
        using var keys = await KeysOfLatestSessionAsync(uid);
        return (email, uid, code, keys.Keys.PaillierPublicKey.Encrypt(4217));
    }

    private async Task<UnlockedKeys> KeysOfLatestSessionAsync(string uid) =>
        await _app.Sessions.TryGetAsync(_app.Sessions.LatestOf(uid)) ?? throw new InvalidOperationException("no keys in session");

    private async Task<string> EmailResetAsync(PageClient visitor, string email)
    {
        var sent = await visitor.SubmitAsync("/Account/Forgot", "form", Form(("Email", email)));
        Assert.Equal("/Account/Recover?sent=True", sent.RedirectTarget);
        return _app.Auth.ResetCodeFor(email)!;
    }

    private async Task AssertSignsStraightInAsync(string email, string password)
    {
        var signIn = await _app.NewClient().SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", password)));
        Assert.Equal("/Patient", signIn.RedirectTarget);
    }

    [Fact]
    public async Task The_reset_email_says_link_and_returns_from_firebases_page_to_sign_in()
    {
        var (email, _, _, _) = await SignUpAsync();
        using var visitor = _app.NewClient();
        var forgot = await visitor.GetAsync("/Account/Forgot");
        Assert.Equal("Email me a reset link", forgot.Document.QuerySelector("button[type=submit]")!.TextContent.Trim());

        await EmailResetAsync(visitor, email);

        var back = _app.Auth.LastResetContinueUrl!;
        Assert.Equal("/Account/SignIn", back.AbsolutePath);
        Assert.Equal("reset", QueryHelpers.ParseQuery(back.Query)["reason"].ToString());
        var signIn = await visitor.GetAsync(back.PathAndQuery);
        Assert.Contains("asks for your recovery code", signIn.Document.QuerySelector(".notice")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_emails_link_opens_the_reset_page_naming_the_account_and_one_step_with_the_recovery_code_keeps_old_records()
    {
        var (email, uid, recoveryCode, oldRecord) = await SignUpAsync();
        using var visitor = _app.NewClient();
        var code = await EmailResetAsync(visitor, email);
        var link = $"/Account/Recover?mode=resetPassword&oobCode={code}&apiKey=fake-api-key&lang=en";

        var page = await visitor.GetAsync(link);
        Assert.Contains(email, page.Document.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("hidden", page.Document.QuerySelector("input[name='Form.ResetCode']")!.GetAttribute("type"));
        Assert.True(page.Response.Headers.CacheControl?.NoStore);

        var reset = await visitor.SubmitAsync(link, "form[action='/Account/Recover']", Form(("Form.RecoveryCode", recoveryCode), ("Form.Password", "second password 2")));

        Assert.Equal("/Patient", reset.RedirectTarget);
        using var restored = await KeysOfLatestSessionAsync(uid);
        Assert.Equal(4217, (int)restored.Keys.Paillier.Decrypt(oldRecord));
        await AssertSignsStraightInAsync(email, "second password 2");
    }

    [Theory]
    [InlineData("link")]
    [InlineData("code")]
    public async Task A_pasted_link_or_a_bare_code_both_reset_the_password(string pasted)
    {
        var (email, _, recoveryCode, _) = await SignUpAsync();
        using var visitor = _app.NewClient();
        var code = await EmailResetAsync(visitor, email);
        var typed = pasted == "link" ? $"http://127.0.0.1:9099/emulator/action?mode=resetPassword&lang=en&oobCode={code}&apiKey=fake-api-key" : code;

        var reset = await visitor.SubmitAsync("/Account/Recover", "form[action='/Account/Recover']", Form(
            ("Form.ResetCode", typed), ("Form.RecoveryCode", recoveryCode), ("Form.Password", "second password 2")));

        Assert.Equal("/Patient", reset.RedirectTarget);
        await AssertSignsStraightInAsync(email, "second password 2");
    }

    [Fact]
    public async Task A_link_without_a_code_is_refused_beside_the_field_and_what_was_typed_stays()
    {
        var (_, _, recoveryCode, _) = await SignUpAsync();
        using var visitor = _app.NewClient();

        var answer = await visitor.SubmitAsync("/Account/Recover", "form[action='/Account/Recover']", Form(
            ("Form.ResetCode", "https://medsecure.example/Account/SignIn?reason=reset"), ("Form.RecoveryCode", recoveryCode), ("Form.Password", "second password 2")));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(PasswordResetCode.LinkWithoutCodeMessage, answer.FieldMessage("Form.ResetCode"));
        Assert.Equal(recoveryCode, answer.Document.QuerySelector("input[name='Form.RecoveryCode']")!.GetAttribute("value"));
    }

    [Fact]
    public async Task A_spent_link_says_so_by_the_field_and_offers_a_new_email()
    {
        using var visitor = _app.NewClient();

        var page = await visitor.GetAsync("/Account/Recover?mode=resetPassword&oobCode=spentcode123456&apiKey=fake");

        Assert.Equal("This reset link has expired or was already used. Ask for a new one below.", page.FieldMessage("Form.ResetCode"));
        Assert.NotNull(page.Document.QuerySelector("a[href='/Account/Forgot']"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_reset_on_firebases_page_sign_in_leads_to_the_recovery_code_step_which_unlocks_the_old_records(bool htmx)
    {
        var (email, uid, recoveryCode, oldRecord) = await SignUpAsync();
        _app.Auth.ResetPasswordElsewhere(email, "set elsewhere 5");
        using var visitor = _app.NewClient();

        var signIn = await visitor.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "set elsewhere 5")), htmx);

        Assert.Equal($"/Account/Unlock?email={email}", signIn.RedirectTarget);
        var unlock = await visitor.GetAsync(signIn.RedirectTarget!);
        Assert.Equal("Enter your recovery code", unlock.Document.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(email, unlock.Document.QuerySelector("input[name='Form.Email']")!.GetAttribute("value"));

        var unlocked = await visitor.SubmitAsync(signIn.RedirectTarget!, "form[action^='/Account/Unlock']", Form(
            ("Form.Email", email), ("Form.RecoveryCode", recoveryCode), ("Form.Password", "set elsewhere 5")));

        Assert.Equal("/Patient", unlocked.RedirectTarget);
        Assert.Equal(HttpStatusCode.OK, (await visitor.GetAsync("/Patient")).Status);
        using var restored = await KeysOfLatestSessionAsync(uid);
        Assert.Equal(4217, (int)restored.Keys.Paillier.Decrypt(oldRecord));
        await AssertSignsStraightInAsync(email, "set elsewhere 5");
    }

    [Fact]
    public async Task Unlocking_with_a_wrong_recovery_code_says_so_and_changes_nothing()
    {
        var (email, _, recoveryCode, _) = await SignUpAsync();
        _app.Auth.ResetPasswordElsewhere(email, "set elsewhere 5");
        using var visitor = _app.NewClient();
        var url = $"/Account/Unlock?email={email}";
        var wrong = RecoveryCode.Generate().ToDisplayString();

        var refused = await visitor.SubmitAsync(url, "form[action^='/Account/Unlock']", Form(("Form.Email", email), ("Form.RecoveryCode", wrong), ("Form.Password", "set elsewhere 5")));

        Assert.Equal(UnlockModel.MismatchMessage, refused.FieldMessage("Form.RecoveryCode"));
        Assert.Equal(wrong, refused.Document.QuerySelector("input[name='Form.RecoveryCode']")!.GetAttribute("value"));
        var stillLocked = await _app.NewClient().SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "set elsewhere 5")));
        Assert.StartsWith("/Account/Unlock", stillLocked.RedirectTarget, StringComparison.Ordinal);
        var unlocked = await visitor.SubmitAsync(url, "form[action^='/Account/Unlock']", Form(("Form.Email", email), ("Form.RecoveryCode", recoveryCode), ("Form.Password", "set elsewhere 5")));
        Assert.Equal("/Patient", unlocked.RedirectTarget);
    }

    [Fact]
    public async Task Unlocking_without_a_recovery_code_gives_new_keys_and_shows_the_new_code_once()
    {
        var (email, uid, _, oldRecord) = await SignUpAsync();
        _app.Auth.ResetPasswordElsewhere(email, "set elsewhere 5");
        using var visitor = _app.NewClient();

        var renewed = await visitor.SubmitAsync($"/Account/Unlock?email={email}", "form[action^='/Account/Unlock']", Form(
            ("Form.Email", email), ("Form.WithoutRecoveryCode", "true"), ("Form.Password", "set elsewhere 5")));

        Assert.Equal("/Account/RecoveryCode", renewed.RedirectTarget);
        Assert.NotEmpty((await visitor.GetAsync("/Account/RecoveryCode")).Document.QuerySelector("#recovery-code")!.TextContent.Trim());
        using var fresh = await KeysOfLatestSessionAsync(uid);
        Assert.ThrowsAny<Exception>(() => fresh.Keys.Paillier.Decrypt(oldRecord));
    }

    [Fact]
    public async Task The_recovery_code_page_offers_a_download_of_the_code_and_copy_and_print_buttons_for_javascript()
    {
        using var client = _app.NewClient();
        var email = $"dl{Guid.NewGuid():N}@example.com";
        await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", "Patient"), ("Form.DisplayName", "Download Patient"), ("Form.Email", email), ("Form.Password", Password)));
        var page = await client.GetAsync("/Account/RecoveryCode");
        var code = page.Document.QuerySelector("#recovery-code")!.TextContent.Trim();

        var download = page.Document.QuerySelector("a[download]")!;
        Assert.Equal("Download as a text file", download.TextContent.Trim());
        Assert.True(page.Document.QuerySelector("button[data-copy='#recovery-code']")!.HasAttribute("hidden"));
        Assert.True(page.Document.QuerySelector("button[data-print]")!.HasAttribute("hidden"));

        using var file = await client.Http.GetAsync(download.GetAttribute("href"));
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/plain", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal("medsecure-recovery-code.txt", file.Content.Headers.ContentDisposition!.FileNameStar ?? file.Content.Headers.ContentDisposition.FileName);
        Assert.True(file.Headers.CacheControl?.NoStore);
        var text = await file.Content.ReadAsStringAsync();
        Assert.Contains(code, text, StringComparison.Ordinal);
        Assert.Contains(email, text, StringComparison.Ordinal);

        // Once the user confirms they kept it, the code is gone: the download no longer has it.
        await client.SubmitAsync("/Account/RecoveryCode", "form[action='/Account/RecoveryCode']", Form(("Kept", "true")));
        using var after = await client.Http.GetAsync(download.GetAttribute("href"));
        Assert.DoesNotContain(code, await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
