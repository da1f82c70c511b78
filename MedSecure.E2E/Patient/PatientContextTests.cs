using System.Globalization;
using MedSecure.E2E.Account;
using MedSecure.E2E.Quality;

namespace MedSecure.E2E.Patient;

/// <summary>A patient gives their sex and year of birth once; the doctor sees them with the results.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PatientContextTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_patient_gives_sex_and_year_of_birth_and_the_doctor_sees_them_with_the_results()
    {
        var doctorName = "Dr Context " + Guid.NewGuid().ToString("N")[..6];
        await using var doctorContext = await fixture.NewContextAsync();
        var doctorPage = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctorPage, "Doctor", doctorName, Accounts.NewEmail("doctor"), "doctor password 1", "Haematology");

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await Accounts.SignUpAsync(page, "Patient", "Ada Context", Accounts.NewEmail("patient"), "patient password 1");
        await page.GotoAsync("/Patient");
        await page.Locator("#profile-link").ClickAsync();
        await page.GetByLabel("Female").CheckAsync();
        await page.GetByLabel("Year of birth", new() { Exact = false }).FillAsync("1980");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.Locator("#profile-saved")).ToBeVisibleAsync();

        await page.GotoAsync("/Patient/Submit");
        await Assertions.Expect(page.Locator("#sent-context")).ToContainTextAsync("Sent with your results: female, born 1980");
        await page.GetByLabel("Find your doctor by name or specialty").FillAsync(doctorName);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByLabel(doctorName).CheckAsync();
        await page.GetByLabel("HbA1c", new() { Exact = true }).First.CheckAsync();
        await page.GetByLabel("HbA1c (%)").FillAsync("6.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient/Submissions/**");
        var submissionId = page.Url.Split('/')[^1].Split('?')[0];

        await doctorPage.GotoAsync("/Doctor");
        await DoctorSteps.OpenFromInboxAsync(doctorPage, submissionId);
        var age = DateTime.UtcNow.Year - 1980;
        await Assertions.Expect(doctorPage.Locator("#patient-context"))
            .ToHaveTextAsync(string.Create(CultureInfo.InvariantCulture, $"Patient: female, {age} (born 1980)"));
    }
}
