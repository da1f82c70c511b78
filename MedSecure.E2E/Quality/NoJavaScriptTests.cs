using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>
/// Old phones, data savers and locked-down tablets run without JavaScript: every step of the
/// mission must work as plain links and form posts.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NoJavaScriptTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private static BrowserNewContextOptions NoScript => new() { JavaScriptEnabled = false };

    [Fact]
    public async Task Without_JavaScript_a_patient_signs_in_sends_results_and_reads_a_diagnosis()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await fixture.NewContextAsync(NoScript);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/Account/SignIn");
        Assert.False(await page.EvaluateAsync<bool>("() => typeof htmx !== 'undefined'"), "scripts ran: the test would prove nothing");
        await page.GetByLabel("Email").FillAsync(world.Patient.Email);
        await page.GetByLabel("Password").FillAsync(world.Patient.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient");

        var path = await PatientSteps.SubmitVitalSignsAsync(page, world.Doctor.Name, world.DoctorSpecialty);
        output.WriteLine("sent " + path);

        await page.GotoAsync("/Patient");
        await page.Locator($"[data-submission='{world.DiagnosedId}'] a").ClickAsync();
        await Assertions.Expect(page.Locator("#diagnosis-text")).ToContainTextAsync(QualityWorld.Diagnosis);
        await Assertions.Expect(page.Locator("#sent-results")).ToContainTextAsync(DoctorSteps.ExpectedMap);
    }

    [Fact]
    public async Task Without_JavaScript_a_doctor_opens_a_submission_computes_and_diagnoses()
    {
        var world = await QualityAccounts.GetAsync(fixture);

        // A fresh submission of the shared patient, so the shared open one stays undiagnosed.
        string id;
        await using (var patientContext = await fixture.ContextAsAsync(world.Patient))
        {
            var patient = await patientContext.NewPageAsync();
            id = DoctorSteps.IdOf(await PatientSteps.SubmitVitalSignsAsync(patient, world.Doctor.Name, world.DoctorSpecialty));
        }

        await using var context = await fixture.NewContextAsync(NoScript);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync(world.Doctor.Email);
        await page.GetByLabel("Password").FillAsync(world.Doctor.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/Doctor");

        await DoctorSteps.OpenFromInboxAsync(page, id);
        await DoctorSteps.ComputeMapAsync(page);
        await DoctorSteps.DiagnoseAsync(page, "No JavaScript needed to say: all fine.");
        Assert.EndsWith($"/Doctor/Submissions/{id}", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }
}
