using System.Globalization;
using MedSecure.E2E.Account;
using MedSecure.E2E.Quality;
using Xunit.Abstractions;

namespace MedSecure.E2E.Patient;

/// <summary>
/// The patient's home as a patient in New York sees it: the open list marks a diagnosis the doctor
/// sends without a reload and counts it in the window title, times read in their own zone, and the
/// values they sent twice have a chart.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PatientHomeTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Zone = "America/New_York";

    [Fact]
    public async Task The_open_list_marks_a_new_diagnosis_without_a_reload_and_times_and_trends_read_for_the_patient()
    {
        output.WriteLine(fixture.Environment_);
        var doctorName = "Dr Poll " + Guid.NewGuid().ToString("N")[..6];
        await using var doctorContext = await fixture.NewContextAsync();
        var doctor = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctor, "Doctor", doctorName, Accounts.NewEmail("pdoctor"), "doctor password 1", "Cardiology");

        await using var patientContext = await fixture.NewContextAsync(new() { TimezoneId = Zone, ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Nora York", Accounts.NewEmail("ppatient"), "patient password 1");
        await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, doctorName);
        var id = DoctorSteps.IdOf(await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, doctorName));

        await patient.GotoAsync("/Patient");
        var card = patient.Locator($"[data-submission='{id}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator(".new-diagnosis")).ToHaveCountAsync(0);
        await Assertions.Expect(patient).ToHaveTitleAsync("Your results · MedSecure");

        // Times: the browser's zone, with its abbreviation, and no "UTC" left.
        var time = card.Locator("time[datetime]");
        var at = DateTimeOffset.Parse((await time.GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(Zone));
        var expected = local.ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
        await Assertions.Expect(time).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(expected) + " E[SD]T$"));

        await doctor.GotoAsync("/Doctor");
        await DoctorSteps.OpenFromInboxAsync(doctor, id);
        await DoctorSteps.ComputeMapAsync(doctor);
        await DoctorSteps.DiagnoseAsync(doctor, "Your blood pressure is a little above ideal.");

        // The list, left open, polls: the mark and the title count arrive by themselves.
        await Assertions.Expect(card.Locator(".new-diagnosis")).ToHaveTextAsync("New diagnosis", new() { Timeout = 45_000 });
        await Assertions.Expect(patient).ToHaveTitleAsync("(1) Your results · MedSecure");
        // Times in the swapped list are local too.
        await Assertions.Expect(card.Locator("time[datetime]")).Not.ToContainTextAsync("UTC");

        await card.Locator("a").First.ClickAsync();
        await Assertions.Expect(patient.Locator("#diagnosis-text")).ToContainTextAsync("a little above ideal");
        await Assertions.Expect(patient.Locator("details.codes summary").First).ToContainTextAsync("LOINC");
        await patient.GetByRole(AriaRole.Link, new() { Name = "Your values over time" }).ClickAsync();

        // Two submissions of vital signs: a chart each, with the usual range shaded.
        var chart = patient.Locator("#trend-systolic-bp svg");
        await Assertions.Expect(chart).ToBeVisibleAsync();
        await Assertions.Expect(chart.Locator("rect.band")).ToHaveCountAsync(1);
        await Assertions.Expect(chart.Locator("circle")).ToHaveCountAsync(2);
        await Assertions.Expect(patient.Locator("#trend-systolic-bp table time").First).Not.ToContainTextAsync("UTC");

        await patient.GotoAsync("/Patient");
        await Assertions.Expect(patient.Locator($"[data-submission='{id}'] .new-diagnosis")).ToHaveCountAsync(0);
        await Assertions.Expect(patient).ToHaveTitleAsync("Your results · MedSecure");
    }

    [Fact]
    public async Task Without_javascript_times_stay_in_utc_and_say_so()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await fixture.ContextAsAsync(world.Patient, new() { JavaScriptEnabled = false, TimezoneId = Zone });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/Patient");

        await Assertions.Expect(page.Locator("#submissions time[datetime]").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(" UTC$"));
    }
}
