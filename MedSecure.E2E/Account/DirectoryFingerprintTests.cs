using Xunit.Abstractions;

namespace MedSecure.E2E.Account;

[Collection(BrowserCollection.Name)]
public sealed class DirectoryFingerprintTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_patient_finds_the_doctor_in_the_directory_with_the_fingerprint_the_doctor_sees()
    {
        output.WriteLine(fixture.Environment_);
        var specialty = "Nephrology " + Guid.NewGuid().ToString("N")[..6];

        await using var doctorContext = await fixture.NewContextAsync();
        var doctor = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctor, "Doctor", "Dr Nadia Renal", Accounts.NewEmail("doctor"), "doctor password 1", specialty);
        await doctor.GetByRole(AriaRole.Link, new() { Name = "Profile" }).ClickAsync();
        var doctorSees = (await doctor.Locator("#my-fingerprint").TextContentAsync())!.Trim();
        Assert.Matches("^[0-9A-Z]{4}(-[0-9A-Z]{4})+$", doctorSees);

        await using var patientContext = await fixture.NewContextAsync();
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Pat Client", Accounts.NewEmail("patient"), "patient password 1");
        await patient.GetByRole(AriaRole.Link, new() { Name = "Find a doctor" }).ClickAsync();
        await patient.GetByLabel("Name or specialty").FillAsync(specialty);
        // HTMX searches as the patient types; the list updates without a page load.
        var card = patient.Locator(".card", new() { HasText = "Dr Nadia Renal" });
        await Assertions.Expect(card).ToHaveCountAsync(1);
        Assert.EndsWith("/Directory", new Uri(patient.Url).AbsolutePath, StringComparison.Ordinal);

        Assert.Equal(doctorSees, (await card.Locator(".fingerprint").TextContentAsync())!.Trim());
    }
}
