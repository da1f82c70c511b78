namespace MedSecure.E2E.Account;

/// <summary>Browser steps shared by the suites: signing up the way a user does.</summary>
public static class Accounts
{
    /// <summary>A unique email for a test user.</summary>
    public static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@example.com";

    /// <summary>
    /// Fills the sign-up form, keeps the recovery code (returned), confirms it and lands on the
    /// user's home page.
    /// </summary>
    public static async Task<string> SignUpAsync(IPage page, string role, string name, string email, string password, string? specialty = null)
    {
        await page.GotoAsync("/Account/SignUp");
        await page.GetByLabel(role, new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Your name").FillAsync(name);
        if (specialty is not null)
        {
            await page.GetByLabel("Specialty (doctors only)").FillAsync(specialty);
        }
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password (at least 8 characters)").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await page.WaitForURLAsync("**/Account/RecoveryCode");
        var code = (await page.Locator("#recovery-code").TextContentAsync())!.Trim();
        await page.GetByLabel("I have kept my recovery code somewhere safe").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.WaitForURLAsync(role == "Doctor" ? "**/Doctor" : "**/Patient");
        return code;
    }
}
