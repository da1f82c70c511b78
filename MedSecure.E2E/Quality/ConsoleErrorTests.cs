using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>
/// No page writes an error to the browser console, neither on load nor through the everyday HTMX
/// interactions (searching, ticking panels, a rejected value, a send, the doctor's compute): an
/// error there is a broken selector or a failed request that the user may not see.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleErrorTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private static List<string> Record(IPage page, Func<string> where)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                errors.Add($"{where()}: console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add($"{where()}: uncaught {error}");
        return errors;
    }

    [Fact]
    public async Task No_page_and_no_everyday_interaction_logs_a_console_error()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        var problems = new List<string>();
        foreach (var viewer in Enum.GetValues<Viewer>())
        {
            await using var context = await fixture.ContextForAsync(world, viewer);
            var page = await context.NewPageAsync();
            var current = "";
            problems.AddRange(await CollectAsync(page, () => current, async () =>
            {
                foreach (var sitePage in Site.Pages(world).Where(p => p.Viewer == viewer && p.Path != "/Account/SignOut"))
                {
                    current = sitePage.ToString();
                    await page.OpenAsync(sitePage);
                    await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                    output.WriteLine($"loaded {sitePage}");
                }
            }));
        }

        // The interactions that swap by HTMX, as the patient and the doctor do them every day.
        await using (var context = await fixture.NewContextAsync())
        {
            var page = await context.NewPageAsync();
            problems.AddRange(await CollectAsync(page, () => "sign in with a wrong password", async () =>
            {
                await page.GotoAsync("/Account/SignIn");
                await page.GetByLabel("Email").FillAsync(world.Patient.Email);
                await page.GetByLabel("Password").FillAsync("not the password");
                await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
                await Assertions.Expect(page.Locator("#sign-in-form").GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
            }));
        }
        await using (var context = await fixture.ContextAsAsync(world.Patient))
        {
            var page = await context.NewPageAsync();
            problems.AddRange(await CollectAsync(page, () => "patient: search, panels, a rejected value", async () =>
            {
                await page.GotoAsync("/Directory");
                await page.RunAndWaitForResponseAsync(() => page.GetByLabel("Name or specialty").FillAsync(world.DoctorSpecialty), r => r.Url.Contains("q=", StringComparison.Ordinal));
                await PatientSteps.OpenFormWithVitalSignsAsync(page, world.Doctor.Name, world.DoctorSpecialty);
                await page.GetByLabel(PatientSteps.VitalSigns[0].Label).FillAsync("999");
                await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
                await Assertions.Expect(page.Locator("#submission-form .field-error:not(:empty)").First).ToBeVisibleAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }));
        }
        await using (var context = await fixture.ContextAsAsync(world.Doctor))
        {
            var page = await context.NewPageAsync();
            problems.AddRange(await CollectAsync(page, () => "doctor: compute, empty diagnosis", async () =>
            {
                await page.GotoAsync($"/Doctor/Submissions/{world.OpenId}");
                await DoctorSteps.ComputeMapAsync(page);
                await page.GetByRole(AriaRole.Button, new() { Name = "Send diagnosis" }).ClickAsync();
                await Assertions.Expect(page.Locator("#diagnosis .field-error:not(:empty), #diagnosis .alert").First).ToBeVisibleAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }));
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static async Task<IReadOnlyList<string>> CollectAsync(IPage page, Func<string> where, Func<Task> steps)
    {
        var errors = Record(page, where);
        await steps();
        return errors;
    }
}
