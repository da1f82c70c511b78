using MedSecure.E2E.Account;
using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>
/// Every page as a person sees it on the patient's phone and the doctor's tablet (both
/// orientations), with and without JavaScript: saved as full-page screenshots in the artifacts
/// folder for a human to look at, and checked for what that human would check first — nothing
/// scrolls sideways, the header stays compact on the phone, buttons side by side are equally tall,
/// and the doctor's inbox reads as a table (dates on one line, columns aligned) on a tablet.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>The error pages a user can land on: an unknown address, a submission that is not theirs.</summary>
    private static IReadOnlyList<SitePage> ErrorPages =>
    [
        new("not found", "/no-such-page", Viewer.Anonymous),
        new("not found", "/no-such-page", Viewer.Patient),
        new("someone elses submission", "/Patient/Submissions/not-yours", Viewer.Patient),
        new("someone elses submission", "/Doctor/Submissions/not-yours", Viewer.Doctor),
    ];

    [Fact]
    public async Task Every_page_at_phone_and_tablet_sizes_fits_the_screen_has_a_compact_header_and_even_buttons_and_is_saved_as_a_screenshot() =>
        await CheckEveryPageAsync(javaScript: true);

    [Fact]
    public async Task Every_page_without_JavaScript_at_phone_and_tablet_sizes_fits_the_screen_has_a_compact_header_and_is_saved_as_a_screenshot() =>
        await CheckEveryPageAsync(javaScript: false);

    [Fact]
    public async Task The_show_fields_button_is_there_without_JavaScript_and_hidden_when_the_fields_swap_in_by_themselves()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        foreach (var javaScript in new[] { true, false })
        {
            await using var context = await ContextAsync(world, Viewer.Patient, Layout.TouchDevice(390, 844), javaScript);
            var page = await context.NewPageAsync();
            await page.GotoAsync("/Patient/Submit");
            var button = page.GetByRole(AriaRole.Button, new() { Name = "Show fields" });
            if (javaScript)
            {
                await Assertions.Expect(page.Locator("html.js")).ToHaveCountAsync(1);
                await Assertions.Expect(button).ToBeHiddenAsync();
                // With the button gone the fields still come: ticking a panel swaps them in.
                await page.GetByLabel("Vital signs", new() { Exact = true }).CheckAsync();
                await Assertions.Expect(page.GetByLabel(PatientSteps.VitalSigns[0].Label)).ToBeVisibleAsync();
            }
            else
            {
                await Assertions.Expect(button).ToBeVisibleAsync();
            }
        }
    }

    [Fact]
    public async Task On_a_phone_the_signed_in_menu_is_one_row_and_opens_without_JavaScript_into_44_px_links_with_no_WCAG_violation()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await ContextAsync(world, Viewer.Patient, Layout.TouchDevice(390, 844), javaScript: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Patient");
        var findDoctor = page.GetByRole(AriaRole.Link, new() { Name = "Find a doctor" });
        await Assertions.Expect(findDoctor).ToBeHiddenAsync();
        var closed = await LayoutChecks.HeaderHeightAsync(page);
        Assert.True(closed <= Layout.MaxPhoneHeader, $"the closed header takes {closed:0}px");

        await page.OpenMenuAsync();
        await Assertions.Expect(findDoctor).ToBeVisibleAsync();
        output.WriteLine(await Artifacts.ScreenshotAsync(page, "phone-patient-menu-open-no-js"));
        var problems = new List<string>(await Layout.SmallTargetsAsync(page));
        problems.AddRange(await Accessibility.ViolationsAsync(page, "/Patient with the phone menu open"));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        await findDoctor.ClickAsync();
        await page.WaitForURLAsync("**/Directory");
    }

    [Theory]
    [InlineData(820, 1180)]
    [InlineData(1180, 820)]
    public async Task A_submission_arriving_in_an_open_tablet_inbox_lines_up_with_the_other_rows_and_keeps_its_badge_a_pill(int width, int height)
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var specialty = "Nephrology " + tag;
        var doctorName = "Dr Inbox " + tag;
        await using var doctorContext = await fixture.NewContextAsync(Layout.TouchDevice(width, height));
        var doctor = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctor, "Doctor", doctorName, Accounts.NewEmail("inbox-doctor"), "doctor password 1", specialty);

        await using var patientContext = await fixture.NewContextAsync(Layout.TouchDevice(390, 844));
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Pat Inbox With A Longer Name " + tag, Accounts.NewEmail("inbox-patient"), "patient password 1");
        var first = DoctorSteps.IdOf(await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, specialty));
        var second = DoctorSteps.IdOf(await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, specialty));

        await doctor.GotoAsync("/Doctor");
        await Assertions.Expect(doctor.Locator($"[data-submission='{second}']")).ToBeVisibleAsync();
        // Opening one leaves a read row beside the unread one: rows with and without the badge.
        await DoctorSteps.OpenFromInboxAsync(doctor, first);
        await doctor.GotoAsync("/Doctor");

        var live = DoctorSteps.IdOf(await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, specialty));
        // The inbox polls: the row arrives by an HTMX swap, the page is not reloaded.
        await Assertions.Expect(doctor.Locator($"[data-submission='{live}'] .badge")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(doctor.Locator("#inbox .inbox-item")).ToHaveCountAsync(3);

        output.WriteLine(await Artifacts.ScreenshotAsync(doctor, $"tablet-{width}x{height}-doctor-inbox-after-a-live-row"));
        var problems = await LayoutChecks.InboxProblemsAsync(doctor);
        Assert.True(problems.Length == 0, string.Join(Environment.NewLine, problems));
    }

    private async Task CheckEveryPageAsync(bool javaScript)
    {
        var world = await QualityAccounts.GetAsync(fixture);
        var problems = new List<string>();
        var suffix = javaScript ? "" : "-no-js";
        output.WriteLine($"Screenshots in {Artifacts.Screenshots}");
        foreach (var (name, width, height) in Layout.AllSizes)
        {
            foreach (var viewer in Enum.GetValues<Viewer>())
            {
                await using var context = await ContextAsync(world, viewer, Layout.TouchDevice(width, height), javaScript);
                var page = await context.NewPageAsync();
                foreach (var sitePage in Site.Pages(world).Concat(ErrorPages).Where(p => p.Viewer == viewer))
                {
                    var where = $"{sitePage} at {width}×{height}{(javaScript ? "" : " without JavaScript")}";
                    if (ErrorPages.Contains(sitePage))
                    {
                        var response = await page.GotoAsync(sitePage.Path);
                        Assert.True(response is { Status: >= 400 }, $"{where}: HTTP {response?.Status}");
                        // The app's own error page in the layout, not the browser's.
                        await Assertions.Expect(page.Locator("header.top")).ToBeVisibleAsync();
                    }
                    else
                    {
                        await page.OpenAsync(sitePage);
                    }
                    problems.AddRange(await CheckAsync(page, where, width));
                    await Artifacts.ScreenshotAsync(page, $"{name}-{sitePage.Slug}{suffix}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static async Task<IReadOnlyList<string>> CheckAsync(IPage page, string where, int width)
    {
        var problems = new List<string>();
        var overflow = await Layout.HorizontalOverflowAsync(page);
        if (overflow > 0)
        {
            problems.Add($"{where}: scrolls sideways by {overflow}px");
        }
        var header = await LayoutChecks.HeaderHeightAsync(page);
        if (width < 600 && header > Layout.MaxPhoneHeader)
        {
            problems.Add($"{where}: the header takes {header:0}px (at most {Layout.MaxPhoneHeader}px on a phone)");
        }
        problems.AddRange((await LayoutChecks.UnevenButtonRowsAsync(page)).Select(b => $"{where}: uneven buttons {b}"));
        if (width >= 600 && new Uri(page.Url).AbsolutePath == "/Doctor")
        {
            problems.AddRange((await LayoutChecks.InboxProblemsAsync(page)).Select(p => $"{where}: inbox {p}"));
        }
        return problems;
    }

    /// <summary>
    /// A context for the viewer; without JavaScript every script request is refused at the network
    /// (Playwright's JavaScriptEnabled switch hung locators after multipart posts here).
    /// </summary>
    private async Task<IBrowserContext> ContextAsync(QualityWorld world, Viewer viewer, BrowserNewContextOptions options, bool javaScript)
    {
        var context = await fixture.ContextForAsync(world, viewer, options);
        if (!javaScript)
        {
            await context.RouteAsync(
                request => new Uri(request).AbsolutePath.EndsWith(".js", StringComparison.OrdinalIgnoreCase),
                route => route.AbortAsync("blockedbyclient"));
        }
        return context;
    }
}
