using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>
/// Someone who can write the store works on the patient's log directly (the app's own store, not
/// its code): deletes, copies, reorders and alters entries, deletes the diagnosis, resets the state.
/// Each time the patient's page says plainly what is affected, and the rest of it still works.
/// </summary>
/// <remarks>Every journey: the doctor computes non-HDL cholesterol (entry 1), checks LDL ≥ 190 (entry 2) and sends the diagnosis (entry 3).</remarks>
public sealed class TamperEvidentHistoryTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    private const string Password = "history attack 123";
    private const string Diagnosis = "Cholesterol is fine; recheck in a year.";

    private sealed record Account(PageClient Client, string Uid, string Name);

    private sealed record Journey(Account Patient, Account Doctor, string SubmissionId)
    {
        public string Entry(long seq) => $"audit/{Patient.Uid}/{AuditChain.EntryId(Doctor.Uid, seq)}";

        public string Computation(long seq) => $"computations/{Patient.Uid}/{SubmissionId}/{AuditChain.EntryId(Doctor.Uid, seq)}";

        public string Page => $"/Patient/Submissions/{SubmissionId}";
    }

    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    private async Task<Account> SignUpAsync(string role)
    {
        var client = app.NewClient();
        var email = $"h{Guid.NewGuid():N}@example.com";
        var name = $"{role} {Guid.NewGuid().ToString("N")[..6]}";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", name), ("Form.Specialty", "General practice"), ("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("/Account/RecoveryCode", answer.RedirectTarget);
        return new Account(client, (await app.Auth.SignInAsync(email, Password)).Uid, name);
    }

    private async Task<Journey> JourneyAsync()
    {
        var patient = await SignUpAsync("Patient");
        var doctor = await SignUpAsync("Doctor");
        string id;
        using (var scope = app.Services.CreateScope())
        {
            var doctorKeys = (await scope.ServiceProvider.GetRequiredService<AccountKeyRecords>().FindPublicAsync(doctor.Uid))!;
            var submissions = new LabSubmissions(new SubmissionSealer(scope.ServiceProvider.GetRequiredService<RecordSigner>()), new SubmissionStore(Store), TimeProvider.System);
            using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(patient.Uid)))!;
            id = (await submissions.SendAsync(new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), patient.Name, ["lipids"],
                    [new("total-cholesterol", 200, 0), new("hdl", 50, 0), new("ldl", 120, 0), new("triglycerides", 150, 0)]),
                new DirectoryEntry(doctor.Uid, doctor.Name, "General practice", doctorKeys.Fingerprint), doctorKeys, keys)).SubmissionId;
        }
        var page = $"/Doctor/Submissions/{id}";
        await doctor.Client.PressAsync(page, "button[name=formulaId][value='non-hdl-cholesterol']", htmx: true);
        await doctor.Client.PressAsync(page, "button[name=checkId][value='ldl-very-high']", htmx: true);
        var sent = await doctor.Client.SubmitAsync(page, "#diagnosis-form", Form(("DiagnosisText", Diagnosis)));
        Assert.Equal($"{page}?sent=true", sent.RedirectTarget);
        return new Journey(patient, doctor, id);
    }

    private async Task<string> WhenAsync(string entryPath) =>
        AuditChain.When(DateTimeOffset.FromUnixTimeMilliseconds((await Store.GetAsync($"{entryPath}/sealed/at"))!.GetValue<long>()));

    // The patient's page, as a full page and as an HTMX request: the log section's warnings, and
    // the page still shows the values and everything that did verify.
    private static async Task<IReadOnlyList<string>> WarningsAsync(Journey journey)
    {
        var lists = new List<IReadOnlyList<string>>();
        foreach (var htmx in new[] { false, true })
        {
            var page = await journey.Patient.Client.GetAsync(journey.Page, htmx);
            Assert.Equal(System.Net.HttpStatusCode.OK, page.Status);
            Assert.NotNull(page.Document.QuerySelector("[data-analyte='ldl'] .value"));
            Assert.NotNull(page.Document.QuerySelector("#audit-log"));
            lists.Add(page.Document.QuerySelectorAll("#log-warnings .log-problem").Select(p => p.TextContent.Trim()).ToList());
        }
        Assert.Equal(lists[0], lists[1]);
        return lists[0];
    }

    [Fact]
    public async Task An_untouched_log_shows_every_entry_in_order_and_no_warning()
    {
        var journey = await JourneyAsync();

        var page = await journey.Patient.Client.GetAsync(journey.Page);

        Assert.Empty(await WarningsAsync(journey));
        Assert.Null(page.Document.QuerySelector("#log-warnings"));
        Assert.Empty(page.Document.QuerySelectorAll("#patient-diagnostics [role=alert]"));
        var entries = page.Document.QuerySelectorAll("#audit-log li").Select(li => li.GetAttribute("data-audit")).ToList();
        Assert.Equal(["non-hdl-cholesterol", "ldl-very-high", "diagnosis"], entries);
        Assert.Contains(Diagnosis, page.Document.QuerySelector("#diagnosis-text")!.TextContent, StringComparison.Ordinal);
        var list = await journey.Patient.Client.GetAsync("/Patient");
        Assert.Null(list.Document.QuerySelector($"[data-note='{journey.SubmissionId}']"));
    }

    [Fact]
    public async Task A_deleted_audit_event_is_named_as_a_missing_computation_by_the_doctor_on_its_date()
    {
        var journey = await JourneyAsync();
        var when = await WhenAsync(journey.Entry(1));

        await Store.DeleteAsync(journey.Entry(1));

        var warnings = await WarningsAsync(journey);
        Assert.Contains($"A record of a computation by {journey.Doctor.Name} on {when} is missing from this log.", warnings);
    }

    [Fact]
    public async Task A_deleted_computation_with_its_audit_event_is_named_as_missing_and_the_other_results_still_show()
    {
        var journey = await JourneyAsync();
        var when = await WhenAsync(journey.Entry(2));

        await Store.DeleteAsync(journey.Computation(2));
        await Store.DeleteAsync(journey.Entry(2));

        var warnings = await WarningsAsync(journey);
        Assert.Contains($"A record of a computation by {journey.Doctor.Name} on {when} is missing from this log.", warnings);
        var page = await journey.Patient.Client.GetAsync(journey.Page);
        Assert.NotNull(page.Document.QuerySelector("[data-result='formula~non-hdl-cholesterol']"));
        Assert.Null(page.Document.QuerySelector("[data-result='check~ldl-very-high']"));
    }

    [Fact]
    public async Task The_last_entry_deleted_while_the_head_names_it_is_reported()
    {
        var journey = await JourneyAsync();
        var when = await WhenAsync(journey.Entry(3));

        await Store.DeleteAsync(journey.Entry(3));

        Assert.Contains($"The record of the diagnosis {journey.Doctor.Name} sent on {when} is missing from this log.", await WarningsAsync(journey));
    }

    [Fact]
    public async Task An_audit_event_copied_under_a_new_id_is_reported_as_a_duplicate_and_shown_once()
    {
        var journey = await JourneyAsync();
        var when = await WhenAsync(journey.Entry(1));

        await Store.SetAsync($"audit/{journey.Patient.Uid}/{new PushIdGenerator(TimeProvider.System).Next()}", await Store.GetAsync(journey.Entry(1)));

        Assert.Contains($"A record of a computation by {journey.Doctor.Name} on {when} appears twice in this log; the copy is not shown.", await WarningsAsync(journey));
        var page = await journey.Patient.Client.GetAsync(journey.Page);
        Assert.Single(page.Document.QuerySelectorAll("#audit-log li[data-audit='non-hdl-cholesterol']"));
    }

    [Fact]
    public async Task Two_swapped_audit_events_are_reported_as_reordered_and_shown_in_their_signed_order()
    {
        var journey = await JourneyAsync();
        var first = await Store.GetAsync(journey.Entry(1));
        var second = await Store.GetAsync(journey.Entry(2));

        await Store.UpdateAsync("", new Dictionary<string, JsonNode?> { [journey.Entry(1)] = second, [journey.Entry(2)] = first });

        var warnings = await WarningsAsync(journey);
        Assert.Contains(warnings, w => w.StartsWith("This log was reordered in the store: a record of a computation by " + journey.Doctor.Name, StringComparison.Ordinal));
        var page = await journey.Patient.Client.GetAsync(journey.Page);
        Assert.Equal(["non-hdl-cholesterol", "ldl-very-high", "diagnosis"], page.Document.QuerySelectorAll("#audit-log li").Select(li => li.GetAttribute("data-audit")).ToList());
    }

    [Fact]
    public async Task An_audit_event_with_one_flipped_byte_is_reported_as_altered_and_not_shown()
    {
        var journey = await JourneyAsync();
        var when = await WhenAsync(journey.Entry(2));
        var body = (await Store.GetAsync($"{journey.Entry(2)}/sealed/about/body"))!.GetValue<string>();
        var flipped = (body[10] == 'A' ? 'B' : 'A').ToString();

        await Store.SetAsync($"{journey.Entry(2)}/sealed/about/body", body[..10] + flipped + body[11..]);

        Assert.Contains($"A record of a computation by {journey.Doctor.Name} on {when} was altered in the store; it is not shown.", await WarningsAsync(journey));
        var page = await journey.Patient.Client.GetAsync(journey.Page);
        Assert.Null(page.Document.QuerySelector("#audit-log li[data-audit='ldl-very-high']"));
        Assert.NotNull(page.Document.QuerySelector("#audit-log li[data-audit='non-hdl-cholesterol']"));
    }

    [Fact]
    public async Task A_deleted_diagnosis_is_named_on_the_page_and_noted_in_the_list()
    {
        var journey = await JourneyAsync();
        var when = await WhenAsync(journey.Entry(3));

        await Store.DeleteAsync(Diagnoses.PathOf(journey.Patient.Uid, journey.SubmissionId));

        var message = $"The diagnosis {journey.Doctor.Name} sent on {when} is missing from the store.";
        Assert.Contains(message, await WarningsAsync(journey));
        var page = await journey.Patient.Client.GetAsync(journey.Page);
        Assert.Equal(message, page.Document.QuerySelector("#diagnosis-missing")!.TextContent.Trim());
        Assert.DoesNotContain("No diagnosis yet", page.Document.QuerySelector("#patient-diagnostics")!.TextContent, StringComparison.Ordinal);
        var list = await journey.Patient.Client.GetAsync("/Patient");
        Assert.Contains("diagnosis is missing", list.Document.QuerySelector($"[data-note='{journey.SubmissionId}']")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_diagnosis_with_its_entry_and_the_head_is_still_caught_by_the_signed_state()
    {
        var journey = await JourneyAsync();

        await Store.DeleteAsync(Diagnoses.PathOf(journey.Patient.Uid, journey.SubmissionId));
        await Store.DeleteAsync(journey.Entry(3));
        await Store.DeleteAsync(AuditChain.HeadPath(journey.Patient.Uid, journey.Doctor.Uid));

        var warnings = await WarningsAsync(journey);
        Assert.Contains(warnings, w => w.StartsWith($"The diagnosis {journey.Doctor.Name} sent on ", StringComparison.Ordinal) && w.EndsWith("is missing from the store.", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith($"The record of the diagnosis {journey.Doctor.Name} sent on ", StringComparison.Ordinal) && w.EndsWith("is missing from this log.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_state_reset_to_opened_is_reported_with_the_diagnosis_still_shown()
    {
        var journey = await JourneyAsync();

        await Store.SetAsync($"patients/{journey.Patient.Uid}/submissions/{journey.SubmissionId}/state", "opened");

        var warnings = await WarningsAsync(journey);
        Assert.Contains(warnings, w => w.StartsWith($"The store shows this submission as \u201copened\u201d, but {journey.Doctor.Name} sent a diagnosis on ", StringComparison.Ordinal)
            && w.EndsWith("its state was changed in the store.", StringComparison.Ordinal));
        var page = await journey.Patient.Client.GetAsync(journey.Page);
        Assert.Contains(Diagnosis, page.Document.QuerySelector("#diagnosis-text")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_in_the_records_or_their_keys_says_which_formula_or_check_ran()
    {
        var journey = await JourneyAsync();

        var stored = string.Join("\n", await Task.WhenAll(
            Task.Run(async () => (await Store.GetAsync($"computations/{journey.Patient.Uid}"))!.ToJsonString()),
            Task.Run(async () => (await Store.GetAsync($"audit/{journey.Patient.Uid}"))!.ToJsonString()),
            Task.Run(async () => (await Store.GetAsync($"auditHeads/{journey.Patient.Uid}"))!.ToJsonString()),
            Task.Run(async () => (await Store.GetAsync($"diagnoses/{journey.Patient.Uid}"))!.ToJsonString())));

        // Words that cannot occur by chance in base64url ciphertext (spaces, quotes, or long enough).
        foreach (var word in new[] { "non-hdl-cholesterol", "Non-HDL cholesterol", "ldl-very-high", "LDL cholesterol", "\"formula\"", "\"check\"", "recheck in a year", "\"inputs\"", "\"name\"" })
        {
            Assert.DoesNotContain(word, stored, StringComparison.Ordinal);
        }
    }
}
