using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace MedSecure.E2E.Account;

/// <summary>
/// A forgotten password against the real Auth emulator: the reset email's link (read from the
/// emulator's outbox of codes, as a patient would open it from their mail) or the link pasted into
/// the form, and a password set on Firebase's own page followed by sign-in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PasswordResetTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "first password 1";

    private static string ProjectId => Environment.GetEnvironmentVariable("GCLOUD_PROJECT") is { Length: > 0 } p ? p : "demo-medsecure";

    private static readonly HttpClient Emulator = new() { BaseAddress = new Uri($"http://{MedSecureServer.AuthEmulatorHost}/") };

    /// <summary>The newest reset email's code and link, as the Auth emulator shows what it "sent".</summary>
    private static async Task<(string Code, string Link)> ResetEmailToAsync(string email)
    {
        var outbox = await Emulator.GetFromJsonAsync<JsonElement>($"emulator/v1/projects/{ProjectId}/oobCodes");
        var mail = outbox.GetProperty("oobCodes").EnumerateArray()
            .Last(c => c.GetProperty("email").GetString() == email && c.GetProperty("requestType").GetString() == "PASSWORD_RESET");
        return (mail.GetProperty("oobCode").GetString()!, mail.GetProperty("oobLink").GetString()!);
    }

    private static async Task AskForResetEmailAsync(IPage page, string email)
    {
        await page.GotoAsync("/Account/Forgot");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Email me a reset link" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Recover?sent=True");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("reset link is on its way");
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You have signed out");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_emails_link_opens_the_reset_page_for_the_account_and_the_recovery_code_keeps_it_readable(bool javaScript)
    {
        output.WriteLine(fixture.Environment_);
        await using var context = await fixture.NewContextAsync(new() { JavaScriptEnabled = javaScript });
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail("reset-link");
        var recoveryCode = await Accounts.SignUpAsync(page, "Patient", "Rita Reset", email, Password);
        await SignOutAsync(page);

        await AskForResetEmailAsync(page, email);
        var (code, _) = await ResetEmailToAsync(email);
        // With the email template's action URL set to MedSecure (see README), this is the link in the email.
        await page.GotoAsync($"/Account/Recover?mode=resetPassword&oobCode={code}&apiKey=fake-api-key&lang=en");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(email);
        await Assertions.Expect(page.GetByLabel("Reset link or code from the email")).ToHaveCountAsync(0);
        await page.GetByLabel("Recovery code (shown when you created your account)").FillAsync(recoveryCode);
        await page.GetByLabel("New password (at least 8 characters)").FillAsync("second password 2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();

        await page.WaitForURLAsync("**/Patient");
        await Assertions.Expect(page.Locator(".who")).ToContainTextAsync("Signed in as Rita Reset");
    }

    [Fact]
    public async Task The_whole_link_pasted_into_the_form_resets_the_password()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail("reset-paste");
        var recoveryCode = await Accounts.SignUpAsync(page, "Patient", "Paul Paste", email, Password);
        await SignOutAsync(page);

        await AskForResetEmailAsync(page, email);
        var (_, link) = await ResetEmailToAsync(email);
        output.WriteLine($"emulator's reset link: {link}");
        await page.GetByLabel("Reset link or code from the email").FillAsync(link);
        await page.GetByLabel("Recovery code (shown when you created your account)").FillAsync(recoveryCode);
        await page.GetByLabel("New password (at least 8 characters)").FillAsync("second password 2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();

        await page.WaitForURLAsync("**/Patient");
    }

    [Fact]
    public async Task A_password_set_on_firebases_page_leads_from_sign_in_to_the_recovery_code_and_then_opens_the_records()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail("reset-elsewhere");
        var recoveryCode = await Accounts.SignUpAsync(page, "Patient", "Elsa Elsewhere", email, Password);
        await SignOutAsync(page);
        await AskForResetEmailAsync(page, email);
        var (code, _) = await ResetEmailToAsync(email);

        // What Firebase's own reset page does when the link is opened there: MedSecure is not involved.
        using (var reset = await Emulator.PostAsJsonAsync("identitytoolkit.googleapis.com/v1/accounts:resetPassword?key=fake-api-key", new { oobCode = code, newPassword = "set elsewhere 5" }))
        {
            reset.EnsureSuccessStatusCode();
        }

        await page.GotoAsync("/Account/SignIn?reason=reset");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("set elsewhere 5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.WaitForURLAsync("**/Account/Unlock?**");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enter your recovery code" })).ToBeVisibleAsync();
        await page.GetByLabel("Recovery code", new() { Exact = true }).FillAsync(recoveryCode);
        await page.GetByLabel("Your new password (again, to lock your records under it)").FillAsync("set elsewhere 5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock my records" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient");

        // From now on the new password opens the records directly.
        await SignOutAsync(page);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("set elsewhere 5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient");
    }
}
