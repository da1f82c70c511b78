using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>
/// Byte budgets from DESIGN.md (Web), measured from what Chromium actually received, headers
/// included: patients pay for every byte on metered 2G/3G connections. Measured against the app
/// as <c>npm start</c> runs it (its environment and configuration files), not the test host's
/// configuration: that is where a newcomer's first visit once went out at 62 KB.
/// </summary>
[Collection(NpmStartCollection.Name)]
public sealed class ByteBudgetTests(NpmStartFixture fixture, ITestOutputHelper output)
{
    /// <summary>First visit to any page, everything it loads, compressed, on the wire.</summary>
    public const long FirstVisitBudget = 30 * 1024;

    /// <summary>One HTMX request and its response.</summary>
    public const long SwapBudget = 3 * 1024;

    /// <summary>An inbox poll when nothing changed: the tablet polls all day.</summary>
    public const long IdlePollBudget = 300;

    [Fact]
    public async Task The_first_visit_to_every_page_transfers_at_most_30_KB_and_a_second_visit_fetches_no_stylesheet_or_script()
    {
        output.WriteLine(fixture.Environment_);
        var world = await QualityAccounts.GetAsync(fixture);
        var failures = new List<string>();
        foreach (var sitePage in Site.Pages(world))
        {
            // A fresh context per page: an empty cache, as for a patient's first visit.
            await using var context = await fixture.ContextForAsync(world, sitePage.Viewer);
            var page = await context.NewPageAsync();
            var meter = await WireMeter.AttachAsync(page);

            await page.OpenAsync(sitePage);
            var first = await meter.SettledAsync(expectAtLeast: 3);
            var total = first.Sum(r => r.WireBytes);
            output.WriteLine($"{sitePage}: first visit {total} B on the wire in {first.Count} requests{Environment.NewLine}{WireMeter.Describe(first)}");
            if (total > FirstVisitBudget)
            {
                failures.Add($"{sitePage}: first visit {total} B > {FirstVisitBudget} B");
            }
            if (!first.Any(r => r.Type == "Stylesheet") || !first.Any(r => r.Type == "Script"))
            {
                failures.Add($"{sitePage}: expected the page to load its stylesheet and scripts");
            }
            // Chromium asks for br first; every text response (page, css, js) should come back as brotli.
            var notBrotli = first.Where(r => r.Type is "Document" or "Stylesheet" or "Script" && r.Status == 200 && r.ContentEncoding != "br").ToList();
            if (notBrotli.Count > 0)
            {
                failures.Add($"{sitePage}: not brotli-compressed{Environment.NewLine}{WireMeter.Describe(notBrotli)}");
            }

            meter.Reset();
            await page.OpenAsync(sitePage);
            var second = await meter.SettledAsync();
            var refetched = second.Where(r => r.IsStaticAsset && !r.FromCache).ToList();
            output.WriteLine($"{sitePage}: second visit{Environment.NewLine}{WireMeter.Describe(second)}");
            if (refetched.Count > 0)
            {
                failures.Add($"{sitePage}: second visit fetched again{Environment.NewLine}{WireMeter.Describe(refetched)}");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Every_htmx_swap_on_the_patient_and_sign_in_pages_transfers_at_most_3_KB()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        var swaps = new List<WireRequest>();

        // Signed out: a wrong password and an empty sign-up come back as form partials.
        await using (var context = await fixture.NewContextAsync())
        {
            var page = await context.NewPageAsync();
            var meter = await WireMeter.AttachAsync(page);
            await page.GotoAsync("/Account/SignIn");
            await page.GetByLabel("Email").FillAsync(world.Patient.Email);
            await page.GetByLabel("Password").FillAsync("not the password");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.Locator("#sign-in-form").GetByRole(AriaRole.Alert)).ToBeVisibleAsync();

            await page.GotoAsync("/Account/SignUp");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
            await Assertions.Expect(page.Locator("#sign-up-form .field-error:not(:empty)").First).ToBeVisibleAsync();
            swaps.AddRange((await meter.SettledAsync()).Where(r => r.Htmx));
        }

        // Signed in as the patient: directory search, doctor search, panel fields, a rejected value, a send.
        await using (var context = await fixture.ContextAsAsync(world.Patient))
        {
            var page = await context.NewPageAsync();
            var meter = await WireMeter.AttachAsync(page);
            await page.GotoAsync("/Directory");
            await page.RunAndWaitForResponseAsync(() => page.GetByLabel("Name or specialty").FillAsync(world.DoctorSpecialty), r => r.Url.Contains("q=", StringComparison.Ordinal));
            await Assertions.Expect(page.Locator(".card", new() { HasText = world.Doctor.Name })).ToHaveCountAsync(1);

            await PatientSteps.OpenFormWithVitalSignsAsync(page, world.Doctor.Name, world.DoctorSpecialty);
            await page.GetByLabel(PatientSteps.VitalSigns[0].Label).FillAsync("999");
            await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
            await Assertions.Expect(page.Locator("#submission-form .field-error:not(:empty)").First).ToBeVisibleAsync();
            foreach (var (label, value) in PatientSteps.VitalSigns)
            {
                await page.GetByLabel(label).FillAsync(value);
            }
            await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
            await page.WaitForURLAsync("**/Patient/Submissions/**");
            swaps.AddRange((await meter.SettledAsync()).Where(r => r.Htmx));
        }

        output.WriteLine($"{swaps.Count} HTMX requests:{Environment.NewLine}{WireMeter.Describe(swaps)}");
        Assert.True(swaps.Count >= 6, "expected every interaction above to go through htmx");
        var over = swaps.Where(r => r.WireBytes > SwapBudget).ToList();
        Assert.True(over.Count == 0, $"over {SwapBudget} B:{Environment.NewLine}{WireMeter.Describe(over)}");
    }

    [Fact]
    public async Task An_idle_inbox_poll_transfers_at_most_300_bytes_and_the_doctors_swaps_at_most_3_KB()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await fixture.ContextAsAsync(world.Doctor);
        var page = await context.NewPageAsync();
        var meter = await WireMeter.AttachAsync(page);

        await page.GotoAsync("/Doctor");
        await page.WaitForResponseAsync(r => r.Url.Contains("handler=Poll", StringComparison.Ordinal));
        var polls = (await meter.SettledAsync()).Where(r => r.PathAndQuery.Contains("handler=Poll", StringComparison.Ordinal)).ToList();
        output.WriteLine($"idle polls:{Environment.NewLine}{WireMeter.Describe(polls)}");
        Assert.NotEmpty(polls);
        Assert.All(polls, p =>
        {
            Assert.True(p.Htmx);
            Assert.Equal(204, p.Status);
            Assert.True(p.WireBytes <= IdlePollBudget, $"{p} > {IdlePollBudget} B");
        });

        // Compute on the open submission, then try to send an empty diagnosis: two swaps.
        meter.Reset();
        await page.GotoAsync($"/Doctor/Submissions/{world.OpenId}");
        await DoctorSteps.ComputeMapAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send diagnosis" }).ClickAsync();
        await Assertions.Expect(page.Locator("#diagnosis .field-error:not(:empty), #diagnosis .alert").First).ToBeVisibleAsync();
        // Only the submission page's swaps: an inbox poll the previous page had in flight can land after the reset.
        var swaps = (await meter.SettledAsync()).Where(r => r.Htmx && r.PathAndQuery.StartsWith("/Doctor/Submissions/", StringComparison.Ordinal)).ToList();
        output.WriteLine($"doctor's swaps:{Environment.NewLine}{WireMeter.Describe(swaps)}");
        Assert.Equal(2, swaps.Count);
        var over = swaps.Where(r => r.WireBytes > SwapBudget).ToList();
        Assert.True(over.Count == 0, $"over {SwapBudget} B:{Environment.NewLine}{WireMeter.Describe(over)}");
    }
}
