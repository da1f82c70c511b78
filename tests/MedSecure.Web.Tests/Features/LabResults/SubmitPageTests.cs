using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using MedSecure.Paillier;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.LabResults;

public sealed class SubmitPageTests : IClassFixture<MedSecureWebFactory>
{
    private const string Password = "long enough 1";
    private readonly MedSecureWebFactory _app;

    public SubmitPageTests(MedSecureWebFactory app) => _app = app;

    private async Task<(PageClient Client, string Uid)> SignUpAsync(string role, string name)
    {
        var client = _app.NewClient();
        var email = $"{role}{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", name), ("Form.Specialty", "Cardiology"), ("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("/Account/RecoveryCode", answer.RedirectTarget);
        return (client, (await _app.Auth.SignInAsync(email, Password)).Uid);
    }

    private async Task<(PageClient Patient, string PatientUid, string DoctorUid)> PatientAndDoctorAsync()
    {
        var (_, doctorUid) = await SignUpAsync("Doctor", "Dr Lipid " + Guid.NewGuid().ToString("N")[..6]);
        var (patient, patientUid) = await SignUpAsync("Patient", "Pat Ient");
        return (patient, patientUid, doctorUid);
    }

    private static List<KeyValuePair<string, string>> Lipids(string doctorUid, string total = "287", string hdl = "61", string ldl = "193", string trig = "1437") => Form(
        ("Form.DoctorUid", doctorUid), ("Form.Panels", "lipids"),
        ("Form.Values[total-cholesterol]", total), ("Form.Values[hdl]", hdl), ("Form.Values[ldl]", ldl), ("Form.Values[triglycerides]", trig));

    /// <summary>The hidden fields of a freshly rendered form (antiforgery token, idempotency key).</summary>
    private static async Task<List<KeyValuePair<string, string>>> HiddenFieldsAsync(PageClient client)
    {
        var page = await client.GetAsync("/Patient/Submit");
        var form = page.Document.QuerySelector<IHtmlFormElement>("#submission-form")!;
        return form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "hidden")
            .Select(i => KeyValuePair.Create(i.Name!, i.Value)).ToList();
    }

    private async Task<JsonNode?> StoredAsync(string path)
    {
        using var scope = _app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync(path);
    }

    [Fact]
    public async Task Values_typed_when_the_secure_session_ended_are_back_on_the_form_after_signing_in_and_nothing_was_sent()
    {
        var (_, doctorUid) = await SignUpAsync("Doctor", "Dr Draft " + Guid.NewGuid().ToString("N")[..6]);
        using var patient = _app.NewClient();
        var email = $"draft{Guid.NewGuid():N}@example.com";
        await patient.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", "Patient"), ("Form.DisplayName", "Pat Draft"), ("Form.Email", email), ("Form.Password", Password)));
        var patientUid = (await _app.Auth.SignInAsync(email, Password)).Uid;
        var hidden = await HiddenFieldsAsync(patient);
        await _app.Sessions.RemoveAsync(_app.Sessions.LatestOf(patientUid));

        var posted = await patient.PostAsync("/Patient/Submit", [.. hidden.Where(h => h.Key != "Form.DoctorUid"), .. Lipids(doctorUid)]);

        Assert.Contains("ReturnUrl=%2FPatient%2FSubmit&reason=expired", posted.RedirectTarget, StringComparison.Ordinal);
        Assert.Null(await StoredAsync($"patients/{patientUid}/submissions"));
        var signedIn = await patient.SubmitAsync(posted.RedirectTarget!, "#sign-in-form", Form(("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("/Patient/Submit", signedIn.RedirectTarget);
        var form = await patient.GetAsync("/Patient/Submit");
        Assert.Equal("193", form.Document.QuerySelector("input[name='Form.Values[ldl]']")!.GetAttribute("value"));
        Assert.Equal("1437", form.Document.QuerySelector("input[name='Form.Values[triglycerides]']")!.GetAttribute("value"));
        Assert.NotNull(form.Document.QuerySelector($"input[name='Form.DoctorUid'][value='{doctorUid}'][checked]"));
    }

    [Fact]
    public async Task A_sent_lipid_panel_is_stored_as_ciphertext_and_shown_back_decrypted_with_ranges()
    {
        var (patient, patientUid, doctorUid) = await PatientAndDoctorAsync();

        var sent = await patient.SubmitAsync("/Patient/Submit", "#submission-form", Lipids(doctorUid));

        Assert.Equal(HttpStatusCode.Redirect, sent.Status);
        Assert.StartsWith("/Patient/Submissions/", sent.RedirectTarget, StringComparison.Ordinal);
        var id = sent.RedirectTarget!.Split('/', '?')[3];
        var inbox = (await StoredAsync(SubmissionStore.InboxPath(doctorUid, id)))!.ToJsonString();
        var history = (await StoredAsync(SubmissionStore.HistoryPath(patientUid, id)))!.ToJsonString();
        foreach (var stored in new[] { inbox, history })
        {
            // As a token of its own: inside a base64 ciphertext, "1437" turns up by chance.
            Assert.DoesNotMatch(@"(?<![A-Za-z0-9_\-])1437(?![A-Za-z0-9_\-])", stored);
            Assert.DoesNotContain("\"193\"", stored, StringComparison.Ordinal);
            Assert.DoesNotContain(":193", stored, StringComparison.Ordinal);
        }

        var page = await patient.GetAsync(sent.RedirectTarget);
        Assert.Equal("1437 mg/dL", page.Document.QuerySelector("[data-analyte=triglycerides] .value")!.TextContent);
        // 193 mg/dL: the badge and the scale beside it say the same thing, with what it means.
        Assert.Equal("very high", page.Document.QuerySelector("[data-analyte=ldl] .flag")!.TextContent);
        Assert.Contains("very high 190 or more", page.Document.QuerySelector("[data-analyte=ldl] .scale")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Talk to your doctor", page.Document.QuerySelector("[data-analyte=ldl] .meaning")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("normal", page.Document.QuerySelector("[data-analyte=hdl] .flag")!.TextContent);
        Assert.Contains("≤ 199 mg/dL", page.Document.QuerySelector("[data-analyte=total-cholesterol]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("#tampered"));
        Assert.Equal("Lipid panel", page.Document.QuerySelector(".who .panels")!.TextContent);

        // The list is drawn from clear fields only: which panels were sent is on the record's own page.
        var home = await patient.GetAsync("/Patient");
        var row = home.Document.QuerySelector($"[data-submission='{id}']")!;
        Assert.DoesNotContain("Lipid panel", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("sent", row.QuerySelector(".state")!.TextContent);
    }

    [Fact]
    public async Task Implausible_and_malformed_values_get_field_messages_keep_what_was_typed_and_store_nothing()
    {
        var (patient, patientUid, doctorUid) = await PatientAndDoctorAsync();

        var answer = await patient.SubmitAsync("/Patient/Submit", "#submission-form", Lipids(doctorUid, ldl: "12O", trig: "99999"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("plain number", answer.FieldMessage("Form.Values[ldl]"), StringComparison.Ordinal);
        Assert.Contains("between", answer.FieldMessage("Form.Values[triglycerides]"), StringComparison.Ordinal);
        Assert.Equal("", answer.FieldMessage("Form.Values[hdl]"));
        Assert.Equal("12O", answer.Document.QuerySelector<IHtmlInputElement>("#value-ldl")!.Value);
        Assert.Equal("61", answer.Document.QuerySelector<IHtmlInputElement>("#value-hdl")!.Value);
        Assert.Null(await StoredAsync($"patients/{patientUid}"));
        Assert.Null(await StoredAsync($"inbox/{doctorUid}"));
    }

    [Fact]
    public async Task A_replayed_post_lands_on_the_first_submission_and_creates_no_second()
    {
        var (patient, patientUid, doctorUid) = await PatientAndDoctorAsync();
        var fields = (await HiddenFieldsAsync(patient)).Concat(Lipids(doctorUid)).ToList();

        var first = await patient.PostAsync("/Patient/Submit", fields);
        var replay = await patient.PostAsync("/Patient/Submit", fields, htmx: true);

        Assert.Equal(first.RedirectTarget!.Split('?')[0], replay.RedirectTarget!.Split('?')[0]);
        Assert.Single(((JsonObject)(await StoredAsync($"patients/{patientUid}/submissions"))!));
        Assert.Single(((JsonObject)(await StoredAsync($"inbox/{doctorUid}"))!));
    }

    [Fact]
    public async Task Ticking_a_panel_with_htmx_returns_only_its_fields_with_values_kept()
    {
        var (patient, _, doctorUid) = await PatientAndDoctorAsync();
        var fields = (await HiddenFieldsAsync(patient)).Concat(Form(("Form.Panels", "lipids"), ("Form.Panels", "hba1c"), ("Form.Values[hdl]", "61"))).ToList();

        var answer = await patient.PostAsync("/Patient/Submit?handler=Fields", fields, htmx: true);

        Assert.Null(answer.Document.QuerySelector("header"));
        Assert.Equal("panel-fields", answer.Document.Body!.FirstElementChild!.Id);
        Assert.Equal(["lipids", "hba1c"], answer.Document.QuerySelectorAll("[data-panel]").Select(e => e.GetAttribute("data-panel")));
        Assert.Equal("61", answer.Document.QuerySelector<IHtmlInputElement>("#value-hdl")!.Value);
        Assert.Equal("", answer.FieldMessage("Form.Values[ldl]"));
        Assert.Contains("HX-Request", answer.Response.Headers.Vary);
        _ = doctorUid;
    }

    [Fact]
    public async Task Show_fields_without_javascript_renders_the_whole_form_with_the_chosen_panels()
    {
        var (patient, _, doctorUid) = await PatientAndDoctorAsync();
        var fields = (await HiddenFieldsAsync(patient)).Concat(Form(("Form.DoctorUid", doctorUid), ("Form.Panels", "vitals"))).ToList();

        var answer = await patient.PostAsync("/Patient/Submit?handler=Fields", fields);

        Assert.NotNull(answer.Document.QuerySelector("header"));
        Assert.Equal(["vitals"], answer.Document.QuerySelectorAll("[data-panel]").Select(e => e.GetAttribute("data-panel")));
        Assert.True(answer.Document.QuerySelector<IHtmlInputElement>($"input[name='Form.DoctorUid'][value='{doctorUid}']")!.IsChecked);
    }

    [Fact]
    public async Task Htmx_post_with_errors_returns_only_the_form()
    {
        var (patient, _, doctorUid) = await PatientAndDoctorAsync();

        var answer = await patient.SubmitAsync("/Patient/Submit", "#submission-form", Lipids(doctorUid, hdl: ""), htmx: true);

        Assert.Null(answer.Document.QuerySelector("header"));
        Assert.Equal("submission-form", answer.Document.Body!.FirstElementChild!.Id);
        Assert.NotEqual("", answer.FieldMessage("Form.Values[hdl]"));
    }

    [Fact]
    public async Task Htmx_doctor_search_returns_only_the_choices()
    {
        var (patient, _, _) = await PatientAndDoctorAsync();

        var answer = await patient.GetAsync("/Patient/Submit?handler=Doctors&q=Lipid", htmx: true);

        Assert.Equal("doctor-choices", answer.Document.Body!.FirstElementChild!.Id);
        Assert.NotEmpty(answer.Document.QuerySelectorAll("input[type=radio][name='Form.DoctorUid']"));
        Assert.NotEmpty(answer.Document.QuerySelectorAll(".fingerprint"));
    }

    [Fact]
    public async Task An_altered_record_says_so_and_shows_no_value()
    {
        var (patient, patientUid, doctorUid) = await PatientAndDoctorAsync();
        var sent = await patient.SubmitAsync("/Patient/Submit", "#submission-form", Lipids(doctorUid));
        var id = sent.RedirectTarget!.Split('/', '?')[3];
        using (var scope = _app.Services.CreateScope())
        {
            // The values travel in an envelope nobody without a key can alter inside; what anyone with
            // storage access can do is swap in a well-formed envelope of another of this patient's records.
            var other = await patient.SubmitAsync("/Patient/Submit", "#submission-form", Lipids(doctorUid, ldl: "101"));
            var otherId = other.RedirectTarget!.Split('/', '?')[3];
            var store = scope.ServiceProvider.GetRequiredService<ITreeStore>();
            var path = SubmissionStore.HistoryPath(patientUid, id) + "/sealed/envelope";
            await store.SetAsync(path, await store.GetAsync(SubmissionStore.HistoryPath(patientUid, otherId) + "/sealed/envelope"));
        }

        var page = await patient.GetAsync($"/Patient/Submissions/{id}");

        Assert.Equal("This record was changed after it was sent. Its values are not shown.", page.Document.QuerySelector("#tampered")!.TextContent);
        Assert.Empty(page.Document.QuerySelectorAll(".value"));
    }

    [Fact]
    public async Task Another_patients_submission_is_not_found()
    {
        var (patient, _, doctorUid) = await PatientAndDoctorAsync();
        var sent = await patient.SubmitAsync("/Patient/Submit", "#submission-form", Lipids(doctorUid));
        var (other, _) = await SignUpAsync("Patient", "Other Patient");

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(sent.RedirectTarget!)).Status);
    }
}
