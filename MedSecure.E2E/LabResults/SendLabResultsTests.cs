using MedSecure.E2E.Account;
using Xunit.Abstractions;

namespace MedSecure.E2E.LabResults;

[Collection(BrowserCollection.Name)]
public sealed class SendLabResultsTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_patient_sends_a_lipid_panel_to_a_doctor_and_sees_it_in_their_history()
    {
        output.WriteLine(fixture.Environment_);
        var doctorName = "Dr Lipid " + Guid.NewGuid().ToString("N")[..6];
        await using (var doctorContext = await fixture.NewContextAsync())
        {
            var doctorPage = await doctorContext.NewPageAsync();
            await Accounts.SignUpAsync(doctorPage, "Doctor", doctorName, Accounts.NewEmail("doctor"), "doctor password 1", "Cardiology");
        }

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await Accounts.SignUpAsync(page, "Patient", "Lena Patient", Accounts.NewEmail("patient"), "patient password 1");

        await page.GetByRole(AriaRole.Link, new() { Name = "Send lab results" }).ClickAsync();
        await page.GetByLabel("Find your doctor by name or specialty").FillAsync(doctorName);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByLabel(doctorName).CheckAsync();
        await page.GetByLabel("Lipid panel").CheckAsync();
        // With HTMX the panel's fields arrive as a partial when the box is ticked.
        await page.GetByLabel("Total cholesterol (mg/dL)").FillAsync("212");
        await page.GetByLabel("HDL cholesterol (mg/dL)").FillAsync("47");
        await page.GetByLabel("LDL cholesterol (mg/dL)").FillAsync("138");
        await page.GetByLabel("Triglycerides (mg/dL)").FillAsync("135");
        await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();

        await page.WaitForURLAsync("**/Patient/Submissions/**");
        await Assertions.Expect(page.Locator("[data-analyte=total-cholesterol] .value")).ToHaveTextAsync("212 mg/dL");
        await Assertions.Expect(page.Locator("[data-analyte=hdl] .value")).ToHaveTextAsync("47 mg/dL");
        await Assertions.Expect(page.Locator("[data-analyte=ldl] .value")).ToHaveTextAsync("138 mg/dL");
        await Assertions.Expect(page.Locator("[data-analyte=triglycerides] .value")).ToHaveTextAsync("135 mg/dL");
        // 138 mg/dL: "borderline high" on the badge and on the scale beside it.
        await Assertions.Expect(page.Locator("[data-analyte=ldl] .flag")).ToHaveTextAsync("borderline high");
        await Assertions.Expect(page.Locator("[data-analyte=ldl] .scale")).ToContainTextAsync("borderline high 130–159");
        await Assertions.Expect(page.Locator(".who .panels")).ToHaveTextAsync("Lipid panel");

        await page.GetByRole(AriaRole.Link, new() { Name = "All your submissions" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient");
        var row = page.Locator("[data-submission]").First;
        // The list shows only clear fields (doctor, time, state); the panels are inside the envelope.
        await Assertions.Expect(row).Not.ToContainTextAsync("Lipid panel");
        await Assertions.Expect(row).ToContainTextAsync(doctorName);
        await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("sent");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.Locator("[data-analyte=triglycerides] .value")).ToHaveTextAsync("135 mg/dL");
    }
}
