using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>
/// WCAG 2.1 A/AA on every page, signed out and in, with and without validation messages on the
/// forms; every control labelled; the keyboard focus always visible.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_page_has_no_WCAG_21_AA_violation_every_control_has_a_label_and_focus_is_visible()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        var problems = new List<string>();
        foreach (var viewer in Enum.GetValues<Viewer>())
        {
            await using var context = await fixture.ContextForAsync(world, viewer);
            var page = await context.NewPageAsync();
            foreach (var sitePage in Site.Pages(world).Where(p => p.Viewer == viewer))
            {
                await page.OpenAsync(sitePage);
                problems.AddRange(await Accessibility.ViolationsAsync(page, sitePage.ToString()));
                problems.AddRange((await Accessibility.UnlabelledControlsAsync(page)).Select(c => $"{sitePage}: no label for {c}"));
                problems.AddRange((await Accessibility.InvisibleFocusAsync(page)).Select(f => $"{sitePage}: focus not visible on {f}"));
                output.WriteLine($"checked {sitePage}");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Forms_showing_validation_messages_have_no_WCAG_21_AA_violation()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        var problems = new List<string>();

        await using (var context = await fixture.NewContextAsync())
        {
            var page = await context.NewPageAsync();
            foreach (var (path, button) in new[]
            {
                ("/Account/SignIn", "Sign in"),
                ("/Account/SignUp", "Create account"),
                ("/Account/Forgot", "Email me a reset link"),
                ("/Account/Recover", "Reset password"),
                ("/Account/Unlock", "Unlock my records"),
            })
            {
                problems.AddRange(await SubmitEmptyAndCheckAsync(page, path, button));
            }
        }

        await using (var context = await fixture.ContextAsAsync(world.Patient))
        {
            var page = await context.NewPageAsync();
            problems.AddRange(await SubmitEmptyAndCheckAsync(page, "/Account/ChangePassword", "Change password"));
            problems.AddRange(await SubmitEmptyAndCheckAsync(page, "/Patient/Submit", "Encrypt and send"));

            // A year of birth out of range: the message sits by its field, nothing saved is lost.
            await page.GotoAsync("/Patient/Profile");
            await page.GetByLabel("Year of birth", new() { Exact = false }).FillAsync("1850");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
            await Assertions.Expect(page.Locator("#birth-year-error:not(:empty)")).ToBeVisibleAsync();
            problems.AddRange(await Accessibility.ViolationsAsync(page, "/Patient/Profile with a year out of range"));
            // An empty password: the message only, nothing is withdrawn or deleted.
            problems.AddRange(await SubmitEmptyAndCheckAsync(page, $"/Patient/Submissions/{world.OpenId}/Withdraw", "Withdraw these results"));
            problems.AddRange(await SubmitEmptyAndCheckAsync(page, "/Account/Delete", "Delete my account and everything in it"));

            // A value outside the plausible range: the message sits next to its field.
            await PatientSteps.OpenFormWithVitalSignsAsync(page, world.Doctor.Name, world.DoctorSpecialty);
            await page.GetByLabel(PatientSteps.VitalSigns[0].Label).FillAsync("999");
            await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
            await Assertions.Expect(page.Locator(".field-error:not(:empty)").First).ToBeVisibleAsync();
            problems.AddRange(await Accessibility.ViolationsAsync(page, "/Patient/Submit with an implausible value"));
        }

        await using (var context = await fixture.ContextAsAsync(world.Doctor))
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/Doctor/Profile");
            await page.GetByLabel("Specialty").FillAsync("");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await page.WaitForLoadStateAsync();
            problems.AddRange(await Accessibility.ViolationsAsync(page, "/Doctor/Profile with an empty specialty"));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private async Task<IReadOnlyList<string>> SubmitEmptyAndCheckAsync(IPage page, string path, string button)
    {
        await page.GotoAsync(path);
        await page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
        // Plain posts reload the page, HTMX swaps the form: either way a message appears.
        await Assertions.Expect(page.Locator(".field-error:not(:empty), .alert:not(.validation-summary-valid)").First).ToBeVisibleAsync();
        output.WriteLine($"{path}: messages shown: {string.Join(" | ", await page.Locator(".field-error:not(:empty), .alert:not(.validation-summary-valid)").AllInnerTextsAsync())}");
        var problems = new List<string>(await Accessibility.ViolationsAsync(page, path + " with validation messages"));
        problems.AddRange((await Accessibility.UnlabelledControlsAsync(page)).Select(c => $"{path} with messages: no label for {c}"));
        return problems;
    }
}
