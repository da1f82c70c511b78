using MedSecure.E2E.Quality;
using Xunit.Abstractions;

namespace MedSecure.E2E.Account;

[Collection(BrowserCollection.Name)]
public sealed class DeleteAccountTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_patient_deletes_their_account_and_signing_in_then_fails_with_a_plain_message()
    {
        output.WriteLine(fixture.Environment_);
        var doctorName = "Dr Erasure Witness " + Guid.NewGuid().ToString("N")[..6];
        await using var doctorContext = await fixture.NewContextAsync();
        var doctor = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctor, "Doctor", doctorName, Accounts.NewEmail("edoctor"), "doctor password 1", "Geriatrics");

        await using var patientContext = await fixture.NewContextAsync();
        var patient = await patientContext.NewPageAsync();
        var email = Accounts.NewEmail("epatient");
        var name = "Erin Erased " + Guid.NewGuid().ToString("N")[..6];
        await Accounts.SignUpAsync(patient, "Patient", name, email, "patient password 1");
        var id = (await PatientSteps.SubmitVitalSignsAsync(patient, doctorName, doctorName)).Split('/')[^1];

        await patient.GotoAsync("/Patient");
        await patient.GetByRole(AriaRole.Link, new() { Name = "Delete my account" }).ClickAsync();
        await Assertions.Expect(patient.Locator("#what-happens")).ToContainTextAsync("destroy your keys");
        await Assertions.Expect(patient.Locator("#what-happens")).ToContainTextAsync("delete every submission you sent");

        await patient.GetByLabel("Your password").FillAsync("wrong password");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Delete my account and everything in it" }).ClickAsync();
        await Assertions.Expect(patient.Locator("[data-valmsg-for='Form.Password']")).ToHaveTextAsync("That is not your password. Nothing was changed.");

        await patient.GetByLabel("Your password").FillAsync("patient password 1");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Delete my account and everything in it" }).ClickAsync();
        await patient.WaitForURLAsync("**/Account/SignIn?reason=deleted");
        await Assertions.Expect(patient.GetByRole(AriaRole.Status)).ToContainTextAsync("Your account was deleted");

        await patient.GetByLabel("Email").FillAsync(email);
        await patient.GetByLabel("Password").FillAsync("patient password 1");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(patient.Locator("#sign-in-form").GetByRole(AriaRole.Alert)).ToContainTextAsync("That email and password do not match an account.");

        // The doctor keeps an anonymous note in place of the submission.
        await doctor.GotoAsync("/Doctor");
        var row = doctor.Locator($"[data-submission='{id}']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-removal", "accountdeleted");
        await Assertions.Expect(row).Not.ToContainTextAsync(name);
    }
}
