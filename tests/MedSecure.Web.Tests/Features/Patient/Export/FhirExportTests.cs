using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Validation;
using MedSecure.Web.Features.Patient.Export;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Patient.Export;

/// <summary>
/// A patient sends two submissions, a doctor computes on one and diagnoses it; the patient's export
/// is read back with the Firely SDK, and imported into a fresh account.
/// </summary>
public sealed class ExportJourneyFactory : MedSecureWebFactory, IAsyncLifetime
{
    public SignedInUser Patient { get; private set; } = null!;
    public SignedInUser Doctor { get; private set; } = null!;
    public string LipidsId { get; private set; } = "";
    public string MetabolicId { get; private set; } = "";

    /// <summary>Every value sent, as typed.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sent = new Dictionary<string, string>
    {
        ["total-cholesterol"] = "212", ["hdl"] = "47", ["ldl"] = "141", ["triglycerides"] = "118",
        ["sodium"] = "140", ["potassium"] = "4.2", ["chloride"] = "102", ["bicarbonate"] = "24",
        ["glucose-fasting"] = "97", ["creatinine"] = "1.05", ["calcium"] = "9.3", ["albumin"] = "4.1",
        ["hba1c"] = "5.9",
    };

    public const string DiagnosisText = "Cholesterol a little high.\nRecheck in six months.";

    public async System.Threading.Tasks.Task InitializeAsync()
    {
        Patient = await this.SignUpAsync("Patient", "Pat Export");
        Doctor = await this.SignUpAsync("Doctor", "Dr Export");
        LipidsId = await SendAsync(["lipids"]);
        MetabolicId = await SendAsync(["bmp", "hba1c"]);
        await Doctor.Client.PressAsync($"/Doctor/Submissions/{LipidsId}", "button[name=formulaId][value='non-hdl-cholesterol']", htmx: true);
        var sent = await Doctor.Client.SubmitAsync($"/Doctor/Submissions/{LipidsId}", "#diagnosis-form",
            Form(("DiagnosisText", DiagnosisText), ("Include", "formula~non-hdl-cholesterol")));
        Assert.Equal($"/Doctor/Submissions/{LipidsId}?sent=true", sent.RedirectTarget);
    }

    private async Task<string> SendAsync(string[] panels)
    {
        var catalog = MedSecure.Web.Features.LabResults.Catalog.LabCatalog.Standard;
        var fields = Form(("Form.DoctorUid", Doctor.Uid));
        fields.AddRange(panels.Select(p => KeyValuePair.Create("Form.Panels", p)));
        fields.AddRange(panels.SelectMany(p => catalog.GetPanel(p).Analytes).Select(a => KeyValuePair.Create($"Form.Values[{a.Id}]", Sent[a.Id])));
        var answer = await Patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", fields);
        return TestSubmissions.SubmissionIdOf(answer) ?? throw new InvalidOperationException(answer.Html);
    }

    System.Threading.Tasks.Task IAsyncLifetime.DisposeAsync() => System.Threading.Tasks.Task.CompletedTask;
}

public sealed class FhirExportTests(ExportJourneyFactory app) : IClassFixture<ExportJourneyFactory>
{
    private static readonly HtmlParser Parser = new();
    private static readonly FhirJsonDeserializer Strict = new(new DeserializerSettings().UsingMode(DeserializationMode.Strict));

    private async Task<(HttpResponseMessage Response, string Json, Bundle Bundle)> DownloadAsync()
    {
        var response = await app.Patient.Client.Http.GetAsync("/Patient/Export?handler=Download");
        var json = await response.Content.ReadAsStringAsync();
        return (response, json, Strict.Deserialize<Bundle>(json));
    }

    private static IEnumerable<T> All<T>(Bundle bundle) where T : Resource => bundle.Entry.Select(e => e.Resource).OfType<T>();

    [Fact]
    public async System.Threading.Tasks.Task The_download_is_a_fhir_json_attachment_that_no_cache_may_keep()
    {
        var (response, _, _) = await DownloadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(IndexModel.FhirJson, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Matches(@"^medsecure-\d{4}-\d{2}-\d{2}\.fhir\.json$", response.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_exported_bundle_deserializes_strictly_validates_and_every_reference_resolves_inside_it()
    {
        var (_, json, bundle) = await DownloadAsync();

        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        var issues = bundle.Validate(ModelInfo.ModelInspector, NarrativeValidationKind.FhirXhtml, null, true);
        Assert.Empty(issues);
        var fullUrls = bundle.Entry.Select(e => e.FullUrl).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(bundle.Entry.Count, fullUrls.Count);
        var references = Regex.Matches(json, "\"reference\"\\s*:\\s*\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.Contains(r, fullUrls));
        foreach (var observation in All<Observation>(bundle))
        {
            Assert.NotEmpty(observation.Code.Coding);
            Assert.NotNull(observation.Value);
            Assert.Equal(ObservationStatus.Final, observation.Status);
            if (observation.Value is Quantity q)
            {
                Assert.NotNull(q.Value);
                Assert.Equal("http://unitsofmeasure.org", q.System);
                Assert.False(string.IsNullOrEmpty(q.Code));
                Assert.False(string.IsNullOrEmpty(q.Unit));
            }
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_sent_value_is_an_observation_with_its_loinc_code_ucum_unit_and_the_time_sent()
    {
        var (_, _, bundle) = await DownloadAsync();
        var catalog = MedSecure.Web.Features.LabResults.Catalog.LabCatalog.Standard;
        var patient = Assert.Single(All<Hl7.Fhir.Model.Patient>(bundle));
        Assert.Equal("Pat Export", patient.Name[0].Text);
        var values = All<Observation>(bundle).Where(o => o.Identifier.Any(i => i.System == FhirExport.SubmissionSystem)).ToList();

        Assert.Equal(ExportJourneyFactory.Sent.Count, values.Count);
        foreach (var (analyteId, typed) in ExportJourneyFactory.Sent)
        {
            var analyte = catalog.GetAnalyte(analyteId);
            var observation = Assert.Single(values, o => o.Code.Coding[0].Code == analyte.LoincCode);
            Assert.Equal("http://loinc.org", observation.Code.Coding[0].System);
            Assert.Equal(analyte.Name, observation.Code.Coding[0].Display);
            var quantity = Assert.IsType<Quantity>(observation.Value);
            Assert.Equal(decimal.Parse(typed, System.Globalization.CultureInfo.InvariantCulture), quantity.Value);
            Assert.Equal(analyte.UcumUnit, quantity.Code);
            Assert.NotNull(observation.Effective as FhirDateTime);
            Assert.Equal(bundle.Entry.Single(e => e.Resource is Hl7.Fhir.Model.Patient).FullUrl, observation.Subject!.Reference);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Computed_results_derive_from_their_inputs_the_diagnosis_is_a_report_by_the_doctor_and_the_log_is_audit_events()
    {
        var (_, _, bundle) = await DownloadAsync();
        var byUrl = bundle.Entry.ToDictionary(e => e.FullUrl!, e => e.Resource!);

        var nonHdl = Assert.Single(All<Observation>(bundle), o => o.Code.Coding.Any(c => c.Code == "formula~non-hdl-cholesterol"));
        Assert.Equal("43396-1", nonHdl.Code.Coding.First(c => c.System == "http://loinc.org").Code);
        Assert.Equal(165m, Assert.IsType<Quantity>(nonHdl.Value).Value);
        var inputs = nonHdl.DerivedFrom.Select(r => ((Observation)byUrl[r.Reference!]).Code.Coding[0].Code!).Order().ToArray();
        Assert.Equal(new[] { "2085-9", "2093-3" }, inputs);

        var report = Assert.Single(All<DiagnosticReport>(bundle));
        Assert.Equal(ExportJourneyFactory.DiagnosisText, report.Conclusion);
        var doctor = Assert.IsType<Practitioner>(byUrl[report.ResultsInterpreter[0].Reference!]);
        Assert.Equal("Dr Export", doctor.Name[0].Text);
        Assert.Equal(report.Performer[0].Reference, report.ResultsInterpreter[0].Reference);
        Assert.Contains(report.Result, r => ReferenceEquals(byUrl[r.Reference!], nonHdl));
        Assert.Equal(5, report.Result.Count);

        var audit = All<Hl7.Fhir.Model.AuditEvent>(bundle).ToList();
        Assert.Equal(new[] { "Dr Export ran Non-HDL cholesterol", "Dr Export sent the diagnosis" }, audit.Select(a => a.OutcomeDesc!).ToArray());
        Assert.All(audit, a => Assert.Same(doctor, byUrl[a.Agent[0].Who!.Reference!]));
    }

    [Fact]
    public async System.Threading.Tasks.Task Export_then_import_into_a_new_account_reproduces_every_value()
    {
        var (_, json, _) = await DownloadAsync();
        using var other = await app.SignUpAsync("Patient", "Pat Elsewhere");
        var page = await other.Client.GetAsync("/Patient/Submit");
        using var content = new MultipartFormDataContent
        {
            { new StringContent(page.Document.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(json)), "Import.File", "export.fhir.json" },
        };

        var response = await other.Client.Http.PostAsync("/Patient/Submit?handler=Import", content);
        var imported = await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var (analyteId, typed) in ExportJourneyFactory.Sent)
        {
            Assert.Equal(typed, imported.QuerySelector<IHtmlInputElement>($"#value-{analyteId}")?.Value);
        }
        Assert.Equal(["lipids", "bmp", "hba1c"], imported.QuerySelectorAll<IHtmlInputElement>("input[name='Form.Panels']").Where(i => i.IsChecked).Select(i => i.Value));
        Assert.Empty(imported.QuerySelector("#import-notes")?.Children ?? Enumerable.Empty<IElement>());
    }

    [Fact]
    public async System.Threading.Tasks.Task The_patient_home_links_to_the_export_page_which_links_to_the_download()
    {
        var home = await app.Patient.Client.GetAsync("/Patient");
        var link = home.Document.QuerySelector<IHtmlAnchorElement>("#download-my-data")!;
        var page = await app.Patient.Client.GetAsync(link.GetAttribute("href")!);

        Assert.Equal("Download my data", link.TextContent);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("/Patient/Export?handler=Download", page.Document.QuerySelector("#download")!.GetAttribute("href"));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_doctor_cannot_download_a_patients_export()
    {
        var response = await app.Doctor.Client.Http.GetAsync("/Patient/Export?handler=Download");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Bundle", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_print_page_shows_doctor_date_values_results_and_diagnosis_without_navigation()
    {
        var submission = await app.Patient.Client.GetAsync($"/Patient/Submissions/{app.LipidsId}");
        var href = submission.Document.QuerySelector("#print-link")!.GetAttribute("href")!;

        var print = await app.Patient.Client.GetAsync(href);

        Assert.Equal($"/Patient/Submissions/{app.LipidsId}/Print", href);
        Assert.Equal(HttpStatusCode.OK, print.Status);
        Assert.Null(print.Document.QuerySelector("header"));
        Assert.Null(print.Document.QuerySelector("nav"));
        Assert.Contains("Dr Export", print.Document.QuerySelector("#print-summary")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(print.Document.QuerySelector("#print-summary time[datetime]"));
        Assert.Equal("212 mg/dL", print.Document.QuerySelector("[data-analyte=total-cholesterol] .value")!.TextContent);
        Assert.Equal("165 mg/dL", print.Document.QuerySelector("[data-result='formula~non-hdl-cholesterol'] .value")!.TextContent);
        Assert.Contains("Recheck in six months.", print.Document.QuerySelector("#diagnosis-text")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("@media print", await app.Patient.Client.Http.GetStringAsync(print.Document.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")), StringComparison.Ordinal);
    }
}
