using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using MedSecure.E2E.Quality;
using Xunit.Abstractions;

namespace MedSecure.E2E.LabResults;

/// <summary>
/// The patient's FHIR import, export and print page in a real browser: the upload with and
/// without JavaScript, the download as the browser saves it, the print page under print media,
/// with axe on each new page and the byte budget on the import swap.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FhirImportTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>A lab's lipid panel in mmol/L, as a Bundle of Observations.</summary>
    private const string LipidBundle = """
    { "resourceType": "Bundle", "type": "collection", "entry": [
      { "resource": { "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "14647-2" }], "text": "Cholesterol" },
        "valueQuantity": { "value": 5.2, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } },
      { "resource": { "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "14646-4" }], "text": "HDL" },
        "valueQuantity": { "value": 1.3, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } },
      { "resource": { "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "22748-8" }], "text": "LDL" },
        "valueQuantity": { "value": 3.4, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } },
      { "resource": { "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "14927-8" }], "text": "Triglycerides" },
        "valueQuantity": { "value": 1.7, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } },
      { "resource": { "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "1989-3" }], "text": "Vitamin D 25-OH" },
        "valueQuantity": { "value": 31, "unit": "ng/mL", "system": "http://unitsofmeasure.org", "code": "ng/mL" } } } ] }
    """;

    private static FilePayload File(string json) => new() { Name = "results.json", MimeType = "application/fhir+json", Buffer = Encoding.UTF8.GetBytes(json) };

    private static async System.Threading.Tasks.Task ExpectLipidsImportedAsync(IPage page)
    {
        await Assertions.Expect(page.GetByLabel("Total cholesterol (mg/dL)")).ToHaveValueAsync("201");
        await Assertions.Expect(page.GetByLabel("HDL cholesterol (mg/dL)")).ToHaveValueAsync("50");
        await Assertions.Expect(page.GetByLabel("LDL cholesterol (mg/dL)")).ToHaveValueAsync("131");
        await Assertions.Expect(page.GetByLabel("Triglycerides (mg/dL)")).ToHaveValueAsync("151");
        await Assertions.Expect(page.GetByLabel("Lipid panel", new() { Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#import-skipped")).ToContainTextAsync("Vitamin D 25-OH, LOINC 1989-3: not a test MedSecure takes.");
    }

    [Fact]
    public async System.Threading.Tasks.Task With_javascript_an_uploaded_lab_file_fills_the_form_in_place_within_the_swap_budget_and_is_sent_after_review()
    {
        output.WriteLine(fixture.Environment_);
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await fixture.ContextAsAsync(world.Patient);
        var page = await context.NewPageAsync();
        await PatientSteps.OpenFormWithVitalSignsAsync(page, world.Doctor.Name, world.DoctorSpecialty);
        await page.GetByLabel("Systolic blood pressure (mmHg)").FillAsync("128");
        var meter = await WireMeter.AttachAsync(page);

        await page.GetByLabel("FHIR file").SetInputFilesAsync(File(LipidBundle));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

        await ExpectLipidsImportedAsync(page);
        // Swapped in place: no navigation, the value typed before the import is still there.
        Assert.EndsWith("/Patient/Submit", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByLabel("Systolic blood pressure (mmHg)")).ToHaveValueAsync("128");
        var swap = Assert.Single(await meter.SettledAsync(), r => r.Htmx);
        output.WriteLine(swap.ToString());
        Assert.Contains("handler=Import", swap.Url, StringComparison.Ordinal);
        Assert.True(swap.WireBytes <= ByteBudgetTests.SwapBudget, $"import swap {swap.WireBytes} B > {ByteBudgetTests.SwapBudget} B");
        Assert.Empty(await Accessibility.ViolationsAsync(page, "submit after import"));
        Assert.Empty(await Accessibility.UnlabelledControlsAsync(page));

        await page.GetByLabel("Diastolic blood pressure (mmHg)").FillAsync("84");
        await page.GetByLabel("Heart rate (beats/min)").FillAsync("72");
        await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient/Submissions/**");
        await Assertions.Expect(page.Locator("[data-analyte=total-cholesterol] .value")).ToHaveTextAsync("201 mg/dL");
        await Assertions.Expect(page.Locator("[data-analyte=triglycerides] .value")).ToHaveTextAsync("151 mg/dL");
        await Assertions.Expect(page.Locator("[data-analyte=systolic-bp] .value")).ToHaveTextAsync("128 mmHg");
    }

    /// <summary>
    /// A browser that runs none of MedSecure's script: every script request is refused at the network,
    /// and the content security policy forbids inline script, so neither htmx nor site.js ever runs —
    /// the page a patient with JavaScript off gets. Playwright's own switch (JavaScriptEnabled = false)
    /// is not used here: after the multipart post rendered its page, its locators never returned, not
    /// even at their timeout, which hung the whole suite.
    /// </summary>
    private async System.Threading.Tasks.Task<IBrowserContext> ContextWithoutScriptsAsync(SignedInUser patient)
    {
        var context = await fixture.ContextAsAsync(patient);
        await context.RouteAsync(
            request => new Uri(request).AbsolutePath.EndsWith(".js", StringComparison.OrdinalIgnoreCase),
            route => route.AbortAsync("blockedbyclient"));
        return context;
    }

    [Fact]
    public async System.Threading.Tasks.Task Without_javascript_the_upload_is_a_plain_multipart_post_and_a_bad_file_gets_a_message_by_the_field()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await ContextWithoutScriptsAsync(world.Patient);
        var page = await context.NewPageAsync();
        var scriptRequests = 0;
        page.RequestFailed += (_, request) => { if (request.ResourceType == "script") scriptRequests++; };
        await PatientSteps.OpenFormWithVitalSignsAsync(page, world.Doctor.Name, world.DoctorSpecialty);
        Assert.False(await page.EvaluateAsync<bool>("() => typeof htmx !== 'undefined'"), "htmx ran: the test would prove nothing");
        Assert.True(scriptRequests > 0, "the page asked for no script: the test would prove nothing");
        await page.GetByLabel("Systolic blood pressure (mmHg)").FillAsync("128");

        await page.GetByLabel("FHIR file").SetInputFilesAsync(File("this is not json"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/Patient/Submit?handler=Import");
        await Assertions.Expect(page.Locator("[data-valmsg-for='Import.File']")).ToContainTextAsync("not FHIR JSON");
        // The whole form came back from the plain post with what was typed and picked before it.
        await Assertions.Expect(page.GetByLabel("Systolic blood pressure (mmHg)")).ToHaveValueAsync("128");
        await Assertions.Expect(page.GetByLabel(world.Doctor.Name, new() { Exact = true })).ToBeCheckedAsync();
        Assert.Empty(await Accessibility.ViolationsAsync(page, "submit with an import error"));

        await page.GetByLabel("FHIR file").SetInputFilesAsync(File(LipidBundle));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await ExpectLipidsImportedAsync(page);
        await Assertions.Expect(page.Locator("[data-valmsg-for='Import.File']")).ToBeEmptyAsync();
        await Assertions.Expect(page.GetByLabel("Systolic blood pressure (mmHg)")).ToHaveValueAsync("128");
        Assert.False(await page.EvaluateAsync<bool>("() => typeof htmx !== 'undefined'"), "htmx ran after the post");
    }

    [Fact]
    public async System.Threading.Tasks.Task Download_my_data_saves_a_fhir_bundle_that_firely_reads_with_the_diagnosis_and_the_print_page_drops_its_links_on_paper()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await fixture.ContextAsAsync(world.Patient, new() { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Patient");
        await page.GetByRole(AriaRole.Link, new() { Name = "Download my data" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient/Export");
        Assert.Empty(await Accessibility.ViolationsAsync(page, "download my data"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download (FHIR JSON)" }).ClickAsync());
        Assert.EndsWith(".fhir.json", download.SuggestedFilename, StringComparison.Ordinal);
        var path = await download.PathAsync();
        var json = await System.IO.File.ReadAllTextAsync(path);
        await download.DeleteAsync();
        var bundle = new FhirJsonDeserializer(new DeserializerSettings().UsingMode(DeserializationMode.Strict)).Deserialize<Bundle>(json);
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        Assert.Contains(bundle.Entry.Select(e => e.Resource).OfType<DiagnosticReport>(), r => r.Conclusion == QualityWorld.Diagnosis);
        Assert.Contains(bundle.Entry.Select(e => e.Resource).OfType<Observation>(), o => o.Code.Coding.Any(c => c.Code == "8480-6") && o.Value is Quantity { Code: "mm[Hg]" });

        await page.GotoAsync($"/Patient/Submissions/{world.DiagnosedId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Print-friendly page" }).ClickAsync();
        await page.WaitForURLAsync("**/Print");
        await Assertions.Expect(page.Locator("nav")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#diagnosis-text")).ToContainTextAsync(QualityWorld.Diagnosis);
        await Assertions.Expect(page.Locator("#print-summary")).ToContainTextAsync(world.Doctor.Name);
        await Assertions.Expect(page.Locator("[data-analyte=systolic-bp] .value")).ToHaveTextAsync("128 mmHg");
        Assert.Empty(await Accessibility.ViolationsAsync(page, "print page"));
        await Assertions.Expect(page.Locator(".no-print")).ToBeVisibleAsync();
        await page.EmulateMediaAsync(new() { Media = Microsoft.Playwright.Media.Print });
        await Assertions.Expect(page.Locator(".no-print")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#diagnosis-text")).ToBeVisibleAsync();
    }
}
