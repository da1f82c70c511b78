using MedSecure.E2E.Account;
using MedSecure.E2E.Quality;
using Xunit.Abstractions;

namespace MedSecure.E2E.LabResults;

[Collection(BrowserCollection.Name)]
public sealed class WithdrawTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_patient_withdraws_results_after_reading_what_will_go_and_the_doctors_open_inbox_shows_it_withdrawn()
    {
        output.WriteLine(fixture.Environment_);
        var doctorName = "Dr Withdrawal " + Guid.NewGuid().ToString("N")[..6];
        await using var doctorContext = await fixture.NewContextAsync();
        var doctor = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctor, "Doctor", doctorName, Accounts.NewEmail("wdoctor"), "doctor password 1", "Nephrology");
        await doctor.GotoAsync("/Doctor");

        await using var patientContext = await fixture.NewContextAsync();
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Wanda Withdraws", Accounts.NewEmail("wpatient"), "patient password 1");
        var path = await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, doctorName);
        var id = path.Split('/')[^1];
        var row = doctor.Locator($"[data-submission='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });

        await patient.GetByRole(AriaRole.Link, new() { Name = "Withdraw these results" }).ClickAsync();
        await Assertions.Expect(patient.Locator("#what-happens")).ToContainTextAsync("delete your values in this submission");
        await Assertions.Expect(patient.Locator("#what-happens")).ToContainTextAsync("withdrawn by the patient");

        // A wrong password: the message sits by the field and nothing is withdrawn.
        await patient.GetByLabel("Your password").FillAsync("not the password");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Withdraw these results" }).ClickAsync();
        await Assertions.Expect(patient.Locator("[data-valmsg-for='Form.Password']")).ToHaveTextAsync("That is not your password. Nothing was changed.");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-removal", "none");

        await patient.GetByLabel("Your password").FillAsync("patient password 1");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Withdraw these results" }).ClickAsync();
        await Assertions.Expect(patient.Locator("#withdrawn")).ToContainTextAsync("Withdrawn.");

        // The doctor's inbox, left open, updates by itself.
        await Assertions.Expect(row).ToHaveAttributeAsync("data-removal", "withdrawn", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync("withdrawn by the patient");
        await row.Locator("a").ClickAsync();
        await Assertions.Expect(doctor.Locator("#gone")).ToContainTextAsync("Withdrawn by the patient on");
    }
}
