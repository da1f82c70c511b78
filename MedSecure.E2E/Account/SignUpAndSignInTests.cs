using Xunit.Abstractions;

namespace MedSecure.E2E.Account;

[Collection(BrowserCollection.Name)]
public sealed class SignUpAndSignInTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_patient_signs_up_signs_out_and_signs_back_in_to_their_page()
    {
        output.WriteLine(fixture.Environment_);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail("patient");

        await page.GotoAsync("/");
        Assert.True(await page.EvaluateAsync<bool>("() => typeof htmx !== 'undefined'"), "htmx did not load");
        var code = await Accounts.SignUpAsync(page, "Patient", "Ada Patient", email, "correct horse 1");
        Assert.Matches("^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$", code);
        await Assertions.Expect(page.Locator(".who")).ToContainTextAsync("Signed in as Ada Patient · patient");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You have signed out");

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("correct horse 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.WaitForURLAsync("**/Patient");
        await Assertions.Expect(page.Locator(".who")).ToContainTextAsync("Signed in as Ada Patient · patient");
    }

    [Fact]
    public async Task A_wrong_password_shows_the_message_on_the_form_and_keeps_the_email()
    {
        output.WriteLine(fixture.Environment_);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail("wrongpw");
        await Accounts.SignUpAsync(page, "Doctor", "Dr Wrong Password", email, "the right one 1", "General practice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var form = page.Locator("#sign-in-form");
        await Assertions.Expect(form.GetByRole(AriaRole.Alert)).ToContainTextAsync("That email and password do not match an account.");
        await Assertions.Expect(page.GetByLabel("Email")).ToHaveValueAsync(email);
        Assert.EndsWith("/Account/SignIn", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }
}
