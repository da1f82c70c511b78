using MedSecure.E2E.Account;
using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>The whole mission, as the two users live it, in Chromium: a doctor on a tablet, a patient on a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MissionTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_patient_sends_results_the_doctors_open_inbox_shows_them_the_doctor_diagnoses_and_the_patient_reads_it()
    {
        output.WriteLine(fixture.Environment_);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var doctorName = "Dr Mission " + tag;
        var specialty = "Internal medicine " + tag;

        await using var doctorContext = await fixture.NewContextAsync(Layout.TouchDevice(1024, 768));
        var doctor = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctor, "Doctor", doctorName, Accounts.NewEmail("mission-doctor"), "doctor password 1", specialty);
        await Assertions.Expect(doctor.Locator("#inbox")).ToContainTextAsync("Nothing here yet");

        await using var patientContext = await fixture.NewContextAsync(Layout.TouchDevice(375, 667));
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Pat Mission " + tag, Accounts.NewEmail("mission-patient"), "patient password 1");
        var submissionPath = await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, specialty);
        var id = DoctorSteps.IdOf(submissionPath);

        // The doctor's inbox was open all along: the row arrives by polling, the page is not reloaded.
        var marker = await doctor.EvaluateAsync<double>("() => (window.__missionMarker = Math.random())");
        var row = doctor.Locator($"[data-submission='{id}']");
        await Assertions.Expect(row).ToContainTextAsync("Pat Mission " + tag, new() { Timeout = 15_000 });
        Assert.Equal(marker, await doctor.EvaluateAsync<double>("() => window.__missionMarker"));

        await DoctorSteps.OpenFromInboxAsync(doctor, id);
        await DoctorSteps.ComputeMapAsync(doctor);
        await DoctorSteps.DiagnoseAsync(doctor, "Your blood pressure is a little high. Recheck in three months.");

        await patient.GotoAsync("/Patient");
        await patient.Locator($"[data-submission='{id}'] a").ClickAsync();
        await Assertions.Expect(patient.Locator("#diagnosis-text")).ToContainTextAsync("Recheck in three months.");
        await Assertions.Expect(patient.Locator("#sent-results")).ToContainTextAsync(DoctorSteps.ExpectedMap);
        await Assertions.Expect(patient.Locator("#audit-log")).ToContainTextAsync("Mean arterial pressure");

        foreach (var page in new[] { patient, doctor })
        {
            await page.OpenMenuAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You have signed out");
        }
    }
}
