using MedSecure.E2E.Account;

namespace MedSecure.E2E.Quality;

/// <summary>The recovery-code page exists once, right after sign-up: it gets its own checks.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RecoveryCodePageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_recovery_code_page_showing_its_message_is_accessible_and_fits_a_phone_with_44_px_targets()
    {
        await using var context = await fixture.NewContextAsync(Layout.TouchDevice(375, 667));
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/SignUp");
        await page.GetByLabel("Patient", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Your name").FillAsync("Rae Covery");
        await page.GetByLabel("Email").FillAsync(Accounts.NewEmail("recovery"));
        await page.GetByLabel("Password (at least 8 characters)").FillAsync("recovery password 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/RecoveryCode");

        // Continuing without ticking the box shows the message: check that state too.
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.WaitForLoadStateAsync();
        var problems = new List<string>(await Accessibility.ViolationsAsync(page, "recovery code"));
        problems.AddRange(await Accessibility.UnlabelledControlsAsync(page));
        problems.AddRange(await Layout.SmallTargetsAsync(page));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal(0, await Layout.HorizontalOverflowAsync(page));
        await Artifacts.ScreenshotAsync(page, "phone-patient-recovery-code");
    }
}
