using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using MedSecure.Web.Features.LabResults.Fhir;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.LabResults.Fhir;

/// <summary>
/// The FHIR import through the real submission page: a multipart post as a browser without
/// JavaScript makes it (the whole page comes back) and as HTMX makes it (only the form).
/// </summary>
public sealed class FhirImportPageTests(CastWebFactory app) : IClassFixture<CastWebFactory>
{
    private static readonly HtmlParser Parser = new();

    private SignedInUser Patient => app.PatientA;

    /// <summary>Posts the form's hidden fields, then <paramref name="before"/>, the file, then <paramref name="after"/> — in that order, as a browser sends a form.</summary>
    private async Task<Answer> ImportAsync(string? file, IEnumerable<(string Name, string Value)>? after = null, bool htmx = false,
        IEnumerable<(string Name, string Value)>? before = null, byte[]? fileBytes = null, string? pasted = null, string handler = "Import")
    {
        var page = await Patient.Client.GetAsync("/Patient/Submit");
        var form = page.Document.QuerySelector<IHtmlFormElement>("#submission-form")!;
        using var content = new MultipartFormDataContent();
        foreach (var hidden in form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "hidden"))
        {
            content.Add(new StringContent(hidden.Value), hidden.Name!);
        }
        foreach (var (name, value) in before ?? [])
        {
            content.Add(new StringContent(value), name);
        }
        var bytes = fileBytes ?? (file is null ? [] : Encoding.UTF8.GetBytes(file));
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue(bytes.Length == 0 ? "application/octet-stream" : "application/fhir+json");
        // A browser sends an empty part with filename="" when no file was chosen.
        part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"Import.File\"", FileName = bytes.Length == 0 ? "\"\"" : "\"results.json\"" };
        content.Add(part);
        content.Add(new StringContent(pasted ?? ""), "Import.Text");
        foreach (var (name, value) in after ?? [])
        {
            content.Add(new StringContent(value), name);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Submit?handler=" + handler) { Content = content };
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
        var response = await Patient.Client.Http.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        return new Answer(response, await Parser.ParseDocumentAsync(html), html);
    }

    private static string Value(Answer answer, string analyteId) =>
        answer.Document.QuerySelector<IHtmlInputElement>($"#value-{analyteId}")?.Value ?? "(no field)";

    private static string[] Ticked(Answer answer) =>
        answer.Document.QuerySelectorAll<IHtmlInputElement>("input[name='Form.Panels']").Where(i => i.IsChecked).Select(i => i.Value).ToArray();

    private static string[] Lines(Answer answer, string listId) =>
        answer.Document.QuerySelectorAll($"#{listId} li").Select(li => li.TextContent.Trim()).ToArray();

    [Fact]
    public async Task A_lipid_panel_bundle_in_mmol_per_litre_fills_the_lipid_fields_in_mg_per_decilitre_and_ticks_the_panel()
    {
        var answer = await ImportAsync(FhirSamples.LipidBundleMmol);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.NotNull(answer.Document.QuerySelector("header"));
        Assert.Equal(["lipids"], Ticked(answer));
        Assert.Equal("201", Value(answer, "total-cholesterol"));
        Assert.Equal("50", Value(answer, "hdl"));
        Assert.Equal("131", Value(answer, "ldl"));
        Assert.Equal("151", Value(answer, "triglycerides"));
        Assert.Equal(
            [
                "Total cholesterol: 5.2 mmol/L converted to 201 mg/dL.",
                "HDL cholesterol: 1.3 mmol/L converted to 50 mg/dL.",
                "LDL cholesterol: 3.4 mmol/L converted to 131 mg/dL.",
                "Triglycerides: 1.7 mmol/L converted to 151 mg/dL.",
            ],
            Lines(answer, "import-notes"));
        Assert.Empty(Lines(answer, "import-skipped"));
        Assert.Equal("4 values were filled in from the file. Check them before sending.", answer.Document.QuerySelector("#import-count")!.TextContent);
        Assert.Equal("", answer.FieldMessage("Import.File"));
        // Prefilled, not validated as a send: no field has a message.
        Assert.All(answer.Document.QuerySelectorAll(".field-error"), e => Assert.Equal("", e.TextContent.Trim()));
    }

    [Fact]
    public async Task A_diagnostic_report_with_contained_observations_fills_the_metabolic_panel_over_htmx_with_only_the_changed_parts()
    {
        var answer = await ImportAsync(FhirSamples.MetabolicReportMgDl, htmx: true);

        Assert.Null(answer.Document.QuerySelector("header"));
        Assert.Equal("fhir-import", answer.Document.Body!.FirstElementChild!.Id);
        // The panels and their fields swap out of band; the doctor list is not sent again.
        Assert.Equal("true", answer.Document.QuerySelector("#panel-choices")!.GetAttribute("hx-swap-oob"));
        Assert.Equal("true", answer.Document.QuerySelector("#panel-fields")!.GetAttribute("hx-swap-oob"));
        Assert.Null(answer.Document.QuerySelector("#doctor-choices"));
        Assert.Contains("HX-Request", answer.Response.Headers.Vary);
        Assert.Equal(["bmp"], Ticked(answer));
        Assert.Equal(
            [("sodium", "139"), ("potassium", "4.2"), ("chloride", "101"), ("bicarbonate", "25"), ("glucose-fasting", "92"), ("creatinine", "1.00"), ("calcium", "9.4"), ("albumin", "4.2")],
            new[] { "sodium", "potassium", "chloride", "bicarbonate", "glucose-fasting", "creatinine", "calcium", "albumin" }.Select(id => (id, Value(answer, id))));
        // mEq/L is mmol/L for a monovalent ion: no conversion to mention.
        Assert.Equal(
            ["Creatinine: 88.42 µmol/L converted to 1.00 mg/dL.", "Albumin: 42 g/L converted to 4.2 g/dL."],
            Lines(answer, "import-notes"));
    }

    [Fact]
    public async Task A_single_hba1c_observation_in_ifcc_units_is_converted_to_percent()
    {
        var answer = await ImportAsync(FhirSamples.Hba1cObservationIfcc);

        Assert.Equal(["hba1c"], Ticked(answer));
        Assert.Equal("6.5", Value(answer, "hba1c"));
        Assert.Equal(["HbA1c: 48 mmol/mol converted to 6.5%."], Lines(answer, "import-notes"));
    }

    [Fact]
    public async Task Unknown_codes_are_listed_plainly_by_name_and_loinc_and_the_known_one_is_imported()
    {
        var answer = await ImportAsync(FhirSamples.UnknownCodesBundle);

        Assert.Equal(["cbc"], Ticked(answer));
        Assert.Equal("13.8", Value(answer, "haemoglobin"));
        Assert.Equal(
            [
                "Vitamin D 25-OH, LOINC 1989-3: not a test MedSecure takes.",
                "Ferritin [Mass/volume] in Serum or Plasma, LOINC 2276-4: not a test MedSecure takes.",
                "Haemoglobin (local code): no LOINC code, so MedSecure cannot tell which test it is.",
            ],
            Lines(answer, "import-skipped"));
    }

    [Fact]
    public async Task Values_with_comparators_are_left_out_with_a_message_and_the_others_are_imported()
    {
        var answer = await ImportAsync(FhirSamples.ComparatorsBundle);

        Assert.Equal("58", Value(answer, "hdl"));
        Assert.Equal("", Value(answer, "triglycerides"));
        Assert.Equal("", Value(answer, "total-cholesterol"));
        Assert.Equal(
            [
                "Triglycerides (LOINC 2571-8): the value is \u201c< 50 mg/dL\u201d, a limit rather than a measurement, so it was left out.",
                "Total cholesterol (LOINC 2093-3): the value is \u201c> 300 mg/dL\u201d, a limit rather than a measurement, so it was left out.",
            ],
            Lines(answer, "import-skipped"));
    }

    [Fact]
    public async Task Missing_or_unknown_units_and_a_value_without_a_quantity_are_left_out_with_a_message()
    {
        var answer = await ImportAsync(FhirSamples.MissingUnitsBundle);

        Assert.Equal("", Value(answer, "systolic-bp"));
        Assert.Equal("82", Value(answer, "diastolic-bp"));
        Assert.Equal("", Value(answer, "heart-rate"));
        Assert.Equal(["vitals"], Ticked(answer));
        Assert.Equal(
            [
                "Systolic blood pressure (LOINC 8480-6): the value 128 has no unit, so it was left out. It should be in mmHg.",
                "Heart rate (LOINC 8867-4): the unit \u201c[fur]/[fortnight]\u201d cannot be converted to beats/min, so it was left out.",
                "HbA1c (LOINC 4548-4): the value is not a number with a unit, so type it yourself if your report gives one.",
            ],
            Lines(answer, "import-skipped"));
    }

    [Fact]
    public async Task Several_values_for_one_test_take_the_latest_and_say_so_and_blood_pressure_components_are_read()
    {
        var answer = await ImportAsync(FhirSamples.RepeatedAndComponentsBundle);

        Assert.Equal("131", Value(answer, "systolic-bp"));
        Assert.Equal("84", Value(answer, "diastolic-bp"));
        Assert.Equal("6.2", Value(answer, "hba1c"));
        Assert.Equal(["vitals", "hba1c"], Ticked(answer));
        Assert.Equal(["HbA1c: the file has 3 values; the latest, from 3 May 2026, was taken."], Lines(answer, "import-notes"));
    }

    [Fact]
    public async Task An_imported_value_outside_the_plausible_range_is_filled_in_with_the_usual_message_beside_it()
    {
        var answer = await ImportAsync(FhirSamples.ImplausibleGlucose);

        Assert.Equal("9008", Value(answer, "glucose-fasting"));
        Assert.Equal("Fasting glucose must be between 10 and 2000 mg/dL.", answer.FieldMessage("Form.Values[glucose-fasting]"));
    }

    public static TheoryData<string, string> BadFiles() => new()
    {
        { FhirSamples.NotJson, FhirLabImport.NotJsonMessage },
        { FhirSamples.JsonNotFhir, FhirLabImport.NotFhirMessage },
        { FhirSamples.InvalidFhir, "This file is not valid FHIR R4, so nothing was imported: " },
        { FhirSamples.PatientOnly, "This FHIR file holds a Patient, not lab results. Nothing was imported. Import a Bundle of Observations, a DiagnosticReport or an Observation." },
        { """{ "resourceType": "Bundle", "type": "collection", "entry": [ { "resource": { "resourceType": "Patient", "id": "p1" } } ] }""", "No lab results (Observations) were found in this file. Nothing was imported." },
        { "", FhirLabImport.NothingChosenMessage },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_file_gets_a_message_by_the_file_field_and_values_already_typed_stay(string file, string message)
    {
        foreach (var htmx in new[] { false, true })
        {
            var answer = await ImportAsync(file, before: [("Form.Panels", "lipids"), ("Form.Values[hdl]", "61")], after: [("Form.Values[ldl]", "12O")], htmx: htmx);

            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.StartsWith(message, answer.FieldMessage("Import.File"), StringComparison.Ordinal);
            Assert.Equal("61", Value(answer, "hdl"));
            Assert.Equal("12O", Value(answer, "ldl"));
            Assert.Equal(["lipids"], Ticked(answer));
            Assert.Null(answer.Document.QuerySelector("#import-count"));
        }
    }

    [Fact]
    public async Task A_file_over_one_megabyte_gets_a_message_by_the_field_not_a_413_and_values_typed_after_it_stay()
    {
        // A valid file, padded past the limit with spaces: the size alone refuses it.
        var big = Encoding.UTF8.GetBytes(FhirSamples.Hba1cObservationIfcc + new string(' ', FhirLabImport.MaxBytes));

        var answer = await ImportAsync(null, fileBytes: big, before: [("Form.Panels", "lipids")], after: [("Form.Values[hdl]", "61")]);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(FhirLabImport.TooBigMessage, answer.FieldMessage("Import.File"));
        Assert.Equal("61", Value(answer, "hdl"));
        Assert.Equal(["lipids"], Ticked(answer));
    }

    [Fact]
    public async Task A_multipart_import_without_the_antiforgery_token_is_refused()
    {
        using var content = new MultipartFormDataContent
        {
            { new StringContent("61"), "Form.Values[hdl]" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(FhirSamples.Hba1cObservationIfcc)), "Import.File", "results.json" },
        };

        var response = await Patient.Client.Http.PostAsync("/Patient/Submit?handler=Import", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Pasted_text_imports_like_a_file()
    {
        var answer = await ImportAsync(null, pasted: FhirSamples.Hba1cObservationIfcc, htmx: true);

        Assert.Equal("6.5", Value(answer, "hba1c"));
        Assert.Equal("", answer.Document.QuerySelector<IHtmlTextAreaElement>("#import-text")!.Value);
    }

    [Fact]
    public async Task Pasted_text_sent_with_encrypt_and_send_is_imported_for_review_and_nothing_is_sent()
    {
        var page = await Patient.Client.GetAsync("/Patient/Submit");
        var hidden = page.Document.QuerySelector<IHtmlFormElement>("#submission-form")!.Elements.OfType<IHtmlInputElement>()
            .Where(i => i.Type == "hidden").Select(i => KeyValuePair.Create(i.Name!, i.Value)).ToList();

        var answer = await Patient.Client.PostAsync("/Patient/Submit",
            [.. hidden, .. Form(("Form.DoctorUid", app.DoctorX.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "5.0"), ("Import.Text", FhirSamples.Hba1cObservationIfcc))]);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("6.5", Value(answer, "hba1c"));
        Assert.Contains("nothing was sent", answer.Document.QuerySelector("#import-outcome")!.TextContent, StringComparison.Ordinal);
        using var scope = app.Services.CreateScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync($"patients/{Patient.Uid}/submissions"));
    }

    [Fact]
    public async Task An_import_stores_nothing_and_a_later_send_sends_the_imported_values()
    {
        var patient = await app.SignUpAsync("Patient", "Pat Import");
        using var scope = app.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ITreeStore>();
        var page = await patient.Client.GetAsync("/Patient/Submit");
        var token = page.Document.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var key = page.Document.QuerySelector<IHtmlInputElement>("input[name='Form.IdempotencyKey']")!.Value;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(key), "Form.IdempotencyKey" },
            { new StringContent(app.DoctorX.Uid), "Form.DoctorUid" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(FhirSamples.LipidBundleMmol)), "Import.File", "lipids.json" },
        };
        var imported = await patient.Client.Http.PostAsync("/Patient/Submit?handler=Import", content);
        var shown = new Answer(imported, await Parser.ParseDocumentAsync(await imported.Content.ReadAsStringAsync()), "");
        Assert.Null(await store.GetAsync($"patients/{patient.Uid}"));

        var sent = await patient.Client.ResubmitAsync(shown, "#submission-form", "/Patient/Submit");

        var id = TestSubmissions.SubmissionIdOf(sent) ?? throw new InvalidOperationException(sent.FieldMessage("Form.DoctorUid") + sent.FormAlert);
        var result = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Equal("201 mg/dL", result.Document.QuerySelector("[data-analyte=total-cholesterol] .value")!.TextContent);
        Assert.Equal("151 mg/dL", result.Document.QuerySelector("[data-analyte=triglycerides] .value")!.TextContent);
    }
}
