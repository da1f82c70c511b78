using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Diagnostics.Workbench;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Doctor;

/// <summary>The doctor's half through the web front: inbox, computing on ciphertexts, diagnosis, and what the patient then reads.</summary>
public sealed class DoctorWorkflowTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    private const string Password = "doctor flow 123";

    private sealed record Account(PageClient Client, string Uid, string Name);

    private async Task<Account> SignUpAsync(string role)
    {
        var client = app.NewClient();
        var email = $"d{Guid.NewGuid():N}@example.com";
        var name = $"{role} {Guid.NewGuid().ToString("N")[..6]}";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", name), ("Form.Specialty", "General practice"), ("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("/Account/RecoveryCode", answer.RedirectTarget);
        return new Account(client, (await app.Auth.SignInAsync(email, Password)).Uid, name);
    }

    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    // The patient's submit form belongs to the submissions feature; its service is driven directly here.
    private async Task<string> SendAsync(Account patient, Account doctor, params LabValue[] values)
    {
        using var scope = app.Services.CreateScope();
        var doctorKeys = (await scope.ServiceProvider.GetRequiredService<AccountKeyRecords>().FindPublicAsync(doctor.Uid))!;
        var signer = scope.ServiceProvider.GetRequiredService<RecordSigner>();
        var submissions = new LabSubmissions(new SubmissionSealer(signer), new SubmissionStore(Store), TimeProvider.System);
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(patient.Uid)))!;
        var panels = values.Any(v => v.AnalyteId.EndsWith("-bp", StringComparison.Ordinal)) ? new[] { "vitals" } : ["lipids"];
        var sent = await submissions.SendAsync(new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), patient.Name, panels, values),
            new DirectoryEntry(doctor.Uid, doctor.Name, "General practice", doctorKeys.Fingerprint), doctorKeys, keys);
        return sent.SubmissionId;
    }

    private static LabValue[] Vitals(int systolic = 120, int diastolic = 80) =>
        [new("systolic-bp", systolic, 0), new("diastolic-bp", diastolic, 0), new("heart-rate", 70, 0)];

    private static LabValue[] Lipids() =>
        [new("total-cholesterol", 200, 0), new("hdl", 50, 0), new("ldl", 120, 0), new("triglycerides", 150, 0)];

    private async Task<(Account Patient, Account Doctor)> PairAsync() => (await SignUpAsync("Patient"), await SignUpAsync("Doctor"));

    private static Task<Answer> ComputeAsync(Account doctor, string id, string formulaId) =>
        doctor.Client.PressAsync($"/Doctor/Submissions/{id}", $"[data-formula='{formulaId}']", htmx: true);

    private static Task<Answer> CheckAsync(Account doctor, string id, string checkId) =>
        doctor.Client.PressAsync($"/Doctor/Submissions/{id}", $"[data-check='{checkId}']", htmx: true);

    private async Task<int> AuditCountAsync(string patientUid) => (await Store.GetAsync($"audit/{patientUid}") as JsonObject)?.Count ?? 0;

    // Computations are stored under their place in the doctor's log, which says nothing of what ran.
    private async Task<string> OnlyComputationPathAsync(string patientUid, string id)
    {
        var records = (JsonObject)(await Store.GetAsync($"computations/{patientUid}/{id}"))!;
        return $"computations/{patientUid}/{id}/{Assert.Single(records).Key}";
    }

    [Fact]
    public async Task The_inbox_lists_a_new_submission_as_unread_and_opening_it_marks_it_opened_in_both_copies()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());

        var inbox = await doctor.Client.GetAsync("/Doctor");
        var row = inbox.Document.QuerySelector($"[data-submission='{id}']")!;
        Assert.Contains("unread", row.ClassName);
        Assert.Contains(patient.Name, row.TextContent);
        // The row is drawn from clear fields; which panels were sent shows once the envelope is opened.
        Assert.DoesNotContain("Vital signs", row.TextContent, StringComparison.OrdinalIgnoreCase);

        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Vital signs", page.Document.QuerySelector("p.who")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("[data-formula='map']"));
        Assert.Equal("opened", (await Store.GetAsync($"inbox/{doctor.Uid}/{id}/state"))!.GetValue<string>());
        Assert.Equal("opened", (await Store.GetAsync($"patients/{patient.Uid}/submissions/{id}/state"))!.GetValue<string>());
        Assert.DoesNotContain("unread", (await doctor.Client.GetAsync("/Doctor")).Document.QuerySelector($"[data-submission='{id}']")!.ClassName);
    }

    [Fact]
    public async Task The_inbox_filters_by_patient()
    {
        var (patient, doctor) = await PairAsync();
        var other = await SignUpAsync("Patient");
        var mine = await SendAsync(patient, doctor, Vitals());
        var theirs = await SendAsync(other, doctor, Vitals());

        var filtered = await doctor.Client.GetAsync($"/Doctor?patient={patient.Uid}");

        Assert.NotNull(filtered.Document.QuerySelector($"[data-submission='{mine}']"));
        Assert.Null(filtered.Document.QuerySelector($"[data-submission='{theirs}']"));
    }

    [Fact]
    public async Task An_idle_poll_costs_at_most_300_bytes_and_a_new_submission_swaps_in_the_list()
    {
        var (patient, doctor) = await PairAsync();
        var inbox = await doctor.Client.GetAsync("/Doctor");
        var pollUrl = inbox.Document.QuerySelector("#inbox")!.GetAttribute("hx-get")!;
        Assert.Contains("handler=Poll", pollUrl);
        Assert.Contains("every 5s", inbox.Document.QuerySelector("#inbox")!.GetAttribute("hx-trigger"));

        var idle = await doctor.Client.GetAsync(pollUrl, htmx: true);

        Assert.Equal(HttpStatusCode.NoContent, idle.Status);
        var bytes = WireBytes(idle.Response, idle.Html);
        Assert.True(bytes <= 300, $"idle poll took {bytes} bytes: {idle.Response}");
        Console.WriteLine($"Idle inbox poll: {bytes} bytes on the wire");

        var id = await SendAsync(patient, doctor, Vitals());
        var changed = await doctor.Client.GetAsync(pollUrl, htmx: true);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.NotNull(changed.Document.QuerySelector($"[data-submission='{id}']"));
        Assert.NotEqual(pollUrl, changed.Document.QuerySelector("#inbox")!.GetAttribute("hx-get"));
    }

    // HTTP/1.1 framing as it would go over the wire: status line, each header line, blank line, body.
    private static int WireBytes(HttpResponseMessage response, string body)
    {
        var text = new StringBuilder($"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            text.Append(header.Key).Append(": ").Append(string.Join(", ", header.Value)).Append("\r\n");
        }
        // A real server adds these two; count them so the budget holds outside the test host too.
        text.Append("Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nServer: Kestrel\r\n");
        return Encoding.UTF8.GetByteCount(text.Append("\r\n").ToString()) + Encoding.UTF8.GetByteCount(body);
    }

    [Fact]
    public async Task Computing_a_formula_shows_its_result_writes_an_audit_event_and_stores_the_patients_copy()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());

        var result = await ComputeAsync(doctor, id, "map");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var line = result.Document.QuerySelector("[data-result='formula~map']")!;
        Assert.Contains("93.3 mmHg", line.TextContent);
        Assert.True(result.Html.Length < 3072, $"swap of {result.Html.Length} bytes");
        Assert.Equal(1, await AuditCountAsync(patient.Uid));
        var stored = await OnlyComputationPathAsync(patient.Uid, id);
        Assert.DoesNotContain("map", stored[(stored.LastIndexOf('/') + 1)..], StringComparison.Ordinal);

        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Contains("93.3 mmHg", mine.Document.QuerySelector("#computed-results")!.TextContent);
        Assert.Contains("Mean arterial pressure", mine.Document.QuerySelector("#audit-log")!.TextContent);
        Assert.Contains(doctor.Name, mine.Document.QuerySelector("#audit-log")!.TextContent);
    }

    [Fact]
    public async Task A_threshold_check_reports_the_side_and_the_patient_sees_it()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, [new("total-cholesterol", 260, 0), new("hdl", 40, 0), new("ldl", 190, 0), new("triglycerides", 150, 0)]);

        var result = await doctor.Client.PressAsync($"/Doctor/Submissions/{id}", "button[name=checkId][value='ldl-very-high']", htmx: true);

        Assert.Contains("Very high", result.Document.QuerySelector("[data-result='check~ldl-very-high']")!.TextContent);
        Assert.DoesNotContain("190 mg/dL ·", result.Html);
        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Contains("Very high", mine.Document.QuerySelector("#computed-results")!.TextContent);
    }

    [Fact]
    public async Task A_formula_over_one_value_is_refused_and_nothing_is_decrypted_or_audited()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.Null(page.Document.QuerySelector("[data-formula^='mean:']"));

        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var answer = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Compute", Form(("formulaId", "mean:systolic-bp:1"), ("__RequestVerificationToken", token)), htmx: true);

        Assert.Contains("would reveal that value", answer.Document.QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal(0, await AuditCountAsync(patient.Uid));
    }

    [Fact]
    public async Task Mean_and_change_across_the_patients_submissions_are_offered_but_not_both_since_together_they_reveal_the_values()
    {
        var (patient, doctor) = await PairAsync();
        await SendAsync(patient, doctor, Vitals(systolic: 130));
        await Task.Delay(5);
        var id = await SendAsync(patient, doctor, Vitals(systolic: 110));

        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.NotNull(page.Document.QuerySelector("[data-formula='mean:systolic-bp:2']"));

        var mean = await ComputeAsync(doctor, id, "mean:systolic-bp:2");
        Assert.Contains("120.0 mmHg", mean.Document.QuerySelector("[data-result='formula~mean:systolic-bp:2']")!.TextContent);
        var auditsBefore = await AuditCountAsync(patient.Uid);
        // Mean and change of two values are two equations in two unknowns: the second is refused.
        var afterMean = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = afterMean.Document.QuerySelector("#diagnosis-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var change = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Compute",
            Form(("__RequestVerificationToken", token), ("formulaId", "change:systolic-bp:2")), htmx: true);
        Assert.Null(change.Document.QuerySelector("[data-result='formula~change:systolic-bp:2']"));
        Assert.Contains("with Mean Systolic", change.Document.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("would reveal the patient's Systolic", change.Document.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(auditsBefore, await AuditCountAsync(patient.Uid));
        // Shown for what it is on the next visit, instead of as a button that will be refused.
        var reloaded = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.NotNull(afterMean.Document.QuerySelector("[data-withheld='change:systolic-bp:2']"));
        Assert.Contains("would reveal the patient's Systolic", reloaded.Document.QuerySelector("[data-withheld='change:systolic-bp:2']")!.TextContent, StringComparison.Ordinal);
        Assert.Null(reloaded.Document.QuerySelector("[data-formula='change:systolic-bp:2']"));
    }

    [Fact]
    public async Task An_altered_input_record_is_refused_with_the_plain_message_and_nothing_is_decrypted()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());
        var other = await SendAsync(patient, doctor, Vitals(systolic: 200));
        // Swap the sealed values for another valid envelope under the same key: only the signature can tell.
        var path = $"inbox/{doctor.Uid}/{id}/sealed/envelope";
        await Store.SetAsync(path, await Store.GetAsync($"inbox/{doctor.Uid}/{other}/sealed/envelope"));

        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");

        Assert.Equal(RecordTamperedException.PlainMessage, page.Document.QuerySelector("#refused")!.TextContent.Trim());
        Assert.Null(page.Document.QuerySelector("[data-formula]"));
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? (await doctor.Client.GetAsync($"/Doctor/Submissions/{other}")).Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var answer = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Compute", Form(("formulaId", "map"), ("__RequestVerificationToken", token)), htmx: true);
        Assert.Contains(RecordTamperedException.PlainMessage, answer.Html);
        Assert.Equal(0, await AuditCountAsync(patient.Uid));
        Assert.Null(await Store.GetAsync($"computations/{patient.Uid}/{id}"));
    }

    [Fact]
    public async Task An_altered_patient_copy_stops_the_computation_before_anything_is_decrypted()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());
        await Store.SetAsync($"patients/{patient.Uid}/submissions/{id}/sealed/patientName", "Someone else");

        var answer = await ComputeAsync(doctor, id, "map");

        Assert.Contains(RecordTamperedException.PlainMessage, answer.Html);
        Assert.Null(answer.Document.QuerySelector("[data-result='formula~map']"));
        Assert.Equal(0, await AuditCountAsync(patient.Uid));
    }

    [Fact]
    public async Task Another_doctor_cannot_open_the_submission()
    {
        var (patient, doctor) = await PairAsync();
        var stranger = await SignUpAsync("Doctor");
        var id = await SendAsync(patient, doctor, Vitals());

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/Doctor/Submissions/{id}")).Status);
    }

    [Fact]
    public async Task The_diagnosis_reaches_the_patient_encrypted_with_the_chosen_results_and_the_state_becomes_diagnosed()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());
        await ComputeAsync(doctor, id, "non-hdl-cholesterol");
        const string text = "Cholesterol is fine. Recheck in a year.";

        var sent = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form",
            Form(("DiagnosisText", text), ("Include", "formula~non-hdl-cholesterol")));

        Assert.Equal($"/Doctor/Submissions/{id}?sent=true", sent.RedirectTarget);
        Assert.NotNull((await doctor.Client.GetAsync($"/Doctor/Submissions/{id}")).Document.QuerySelector("#diagnosis-sent"));
        Assert.Equal("diagnosed", (await Store.GetAsync($"inbox/{doctor.Uid}/{id}/state"))!.GetValue<string>());
        Assert.Equal("diagnosed", (await Store.GetAsync($"patients/{patient.Uid}/submissions/{id}/state"))!.GetValue<string>());
        Assert.DoesNotContain("Recheck", (await Store.GetAsync($"diagnoses/{patient.Uid}/{id}"))!.ToJsonString());

        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        var diagnosis = mine.Document.QuerySelector("#patient-diagnostics")!.TextContent;
        Assert.Contains(text, mine.Document.QuerySelector("#diagnosis-text")!.TextContent);
        Assert.Contains("Non-HDL cholesterol", diagnosis);
        Assert.Contains("150 mg/dL", diagnosis);
    }

    [Theory]
    [InlineData("", "Write the diagnosis before sending it.")]
    [InlineData("x", "Keep the diagnosis under 4,000 characters.")]
    public async Task An_empty_or_too_long_diagnosis_gets_a_message_beside_the_field(string text, string message)
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());
        if (text == "x")
        {
            text = new string('x', 4001);
        }

        var answer = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", text)), htmx: true);

        Assert.Equal(message, answer.FieldMessage("DiagnosisText"));
        Assert.Null(await Store.GetAsync($"diagnoses/{patient.Uid}/{id}"));
    }

    [Fact]
    public async Task A_second_tab_gets_already_diagnosed_and_nothing_is_overwritten()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());
        var secondTab = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = secondTab.Document.QuerySelector("#diagnosis-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", "First")));
        var stored = (await Store.GetAsync($"diagnoses/{patient.Uid}/{id}"))!.ToJsonString();

        var answer = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Diagnose", Form(("DiagnosisText", "Second"), ("__RequestVerificationToken", token)), htmx: true);

        Assert.Contains(AlreadyDiagnosedException.PlainMessage, answer.Html);
        Assert.Equal(stored, (await Store.GetAsync($"diagnoses/{patient.Uid}/{id}"))!.ToJsonString());
    }

    [Fact]
    public async Task Concurrent_diagnoses_one_wins_and_the_other_is_told()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Vitals());
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(doctor.Uid)))!;
        var acting = new ActingDoctor(doctor.Uid, doctor.Name, keys);

        async Task<bool> DiagnoseAsync(string text)
        {
            using var scope = app.Services.CreateScope();
            try
            {
                return await scope.ServiceProvider.GetRequiredService<DoctorWorkbench>().DiagnoseAsync(acting, id, text, []);
            }
            catch (AlreadyDiagnosedException)
            {
                return false;
            }
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => DiagnoseAsync($"Tab {i}"))));

        Assert.Single(outcomes, won => won);
    }

    [Fact]
    public async Task An_altered_diagnosis_or_result_is_refused_on_the_patients_page_and_nothing_from_it_is_shown()
    {
        var (patient, doctor) = await PairAsync();
        var other = await SendAsync(patient, doctor, Vitals(systolic: 150));
        await ComputeAsync(doctor, other, "map");
        var id = await SendAsync(patient, doctor, Vitals());
        await ComputeAsync(doctor, id, "map");
        await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", "Blood pressure is fine.")));
        // Replace the result with the encryption of another result (the other submission's MAP) under the patient's key.
        await Store.SetAsync($"{await OnlyComputationPathAsync(patient.Uid, id)}/sealed/forPatient",
            await Store.GetAsync($"{await OnlyComputationPathAsync(patient.Uid, other)}/sealed/forPatient"));
        await Store.SetAsync($"diagnoses/{patient.Uid}/{id}/sealed/doctorName", "Dr Impostor");

        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");

        var alerts = string.Join("\n", mine.Document.QuerySelectorAll("[role=alert]").Select(a => a.TextContent));
        Assert.Contains("The diagnosis: " + RecordTamperedException.PlainMessage, alerts);
        Assert.Contains("Some results: " + RecordTamperedException.PlainMessage, alerts);
        Assert.Null(mine.Document.QuerySelector("#diagnosis-text"));
        Assert.Null(mine.Document.QuerySelector("[data-result='formula~map']"));
        Assert.NotNull((await patient.Client.GetAsync($"/Patient/Submissions/{other}")).Document.QuerySelector("[data-result='formula~map']"));
    }

    [Fact]
    public async Task The_diagnosis_carries_only_the_ticked_results_and_the_patient_sees_the_others_apart()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());
        await ComputeAsync(doctor, id, "non-hdl-cholesterol");
        await CheckAsync(doctor, id, "ldl-very-high");

        // The check is left unticked: only non-HDL goes with the diagnosis.
        await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form",
            Form(("DiagnosisText", "Cholesterol is fine."), ("Include", "formula~non-hdl-cholesterol")));

        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        var sent = mine.Document.QuerySelector("#sent-results")!;
        Assert.Equal(["formula~non-hdl-cholesterol"], sent.QuerySelectorAll("[data-result]").Select(r => r.GetAttribute("data-result")));
        Assert.Contains("150 mg/dL", sent.TextContent);
        Assert.Contains("Sent with the diagnosis", mine.Document.QuerySelector("#patient-diagnostics")!.TextContent);
        var others = mine.Document.QuerySelector("#computed-results")!;
        Assert.Equal(["check~ldl-very-high"], others.QuerySelectorAll("[data-result]").Select(r => r.GetAttribute("data-result")));
        Assert.Contains("did not send them with the diagnosis", mine.Document.QuerySelector("#patient-diagnostics")!.TextContent);
    }

    [Fact]
    public async Task After_sending_the_doctors_page_shows_the_diagnosis_text_and_exactly_the_results_sent_with_it()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());
        await ComputeAsync(doctor, id, "non-hdl-cholesterol");
        await CheckAsync(doctor, id, "ldl-very-high");
        const string text = "Cholesterol is fine.\nRecheck in a year.";

        var answer = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form",
            Form(("DiagnosisText", text), ("Include", "check~ldl-very-high")), htmx: true);

        // The HTMX answer: the diagnosis as sent, and the results and compute list out of band (no more ticking or computing).
        Assert.NotNull(answer.Document.QuerySelector("#diagnosis-sent"));
        Assert.Contains("Recheck in a year.", answer.Document.QuerySelector("#sent-diagnosis-text")!.TextContent);
        Assert.Equal(["check~ldl-very-high"], answer.Document.QuerySelectorAll("#sent-results [data-sent-result]").Select(r => r.GetAttribute("data-sent-result")));
        Assert.Equal("true", answer.Document.QuerySelector("#results")!.GetAttribute("hx-swap-oob"));
        Assert.Empty(answer.Document.QuerySelectorAll("input[name=Include]"));
        Assert.NotNull(answer.Document.QuerySelector("#compute[hx-swap-oob=true] #compute-closed"));
        Assert.True(answer.Html.Length < 3072, $"swap of {answer.Html.Length} bytes");

        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.Contains("Cholesterol is fine.", page.Document.QuerySelector("#sent-diagnosis-text")!.TextContent);
        Assert.Equal(["check~ldl-very-high"], page.Document.QuerySelectorAll("#sent-results [data-sent-result]").Select(r => r.GetAttribute("data-sent-result")));
        Assert.Equal("no", page.Document.QuerySelector("[data-result='formula~non-hdl-cholesterol'] [data-sent]")!.GetAttribute("data-sent"));
        Assert.Equal("yes", page.Document.QuerySelector("[data-result='check~ldl-very-high'] [data-sent]")!.GetAttribute("data-sent"));
        Assert.Null(page.Document.QuerySelector("#compute")!.GetAttribute("hx-swap-oob"));
    }

    [Fact]
    public async Task Computing_closes_once_the_diagnosis_is_sent_and_a_stale_compute_is_refused_with_a_plain_message()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());
        var stale = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = stale.Document.QuerySelector("#compute-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", "Nothing to compute.")));
        var audits = await AuditCountAsync(patient.Uid);

        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.NotNull(page.Document.QuerySelector("#compute-closed"));
        Assert.Null(page.Document.QuerySelector("[data-formula], [data-check]"));

        var formula = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Compute", Form(("formulaId", "non-hdl-cholesterol"), ("__RequestVerificationToken", token)), htmx: true);
        var check = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Check", Form(("checkId", "ldl-very-high"), ("__RequestVerificationToken", token)));

        Assert.Equal(ComputingClosedException.PlainMessage, formula.Document.QuerySelector("#results [role=alert]")!.TextContent.Trim());
        Assert.Equal(ComputingClosedException.PlainMessage, check.Document.QuerySelector("#results [role=alert]")!.TextContent.Trim());
        Assert.Null(formula.Document.QuerySelector("[data-result]"));
        Assert.Equal(audits, await AuditCountAsync(patient.Uid));
        Assert.Null(await Store.GetAsync($"computations/{patient.Uid}/{id}"));
    }

    [Fact]
    public async Task Before_any_click_the_page_lists_the_available_formulas_and_names_the_earlier_result_behind_an_unavailable_one()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());

        var first = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.NotNull(first.Document.QuerySelector("#compute [data-formula='friedewald-ldl']"));
        Assert.NotNull(first.Document.QuerySelector("#compute [data-formula='non-hdl-cholesterol']"));
        Assert.NotNull(first.Document.QuerySelector("#compute [data-check='ldl-very-high']"));
        Assert.Null(first.Document.QuerySelector("[data-withheld]"));

        // Computed elsewhere (another tab): the next first look already tells what is left and why.
        var token = first.Document.QuerySelector("#compute-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Compute", Form(("formulaId", "non-hdl-cholesterol"), ("__RequestVerificationToken", token)));
        var next = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");

        var withheld = next.Document.QuerySelector("#compute [data-withheld='friedewald-ldl']")!;
        Assert.Equal("LDL cholesterol (Friedewald): not available — with Non-HDL cholesterol already computed it would reveal the patient's Triglycerides value.",
            withheld.TextContent.Trim());
        Assert.Null(next.Document.QuerySelector("[data-formula='friedewald-ldl']"));
        Assert.NotNull(next.Document.QuerySelector("[data-check='ldl-very-high']"));
    }

    [Fact]
    public async Task The_htmx_compute_answer_brings_the_compute_list_out_of_band_with_the_now_refused_formula_unavailable()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());

        var answer = await ComputeAsync(doctor, id, "non-hdl-cholesterol");

        Assert.NotNull(answer.Document.QuerySelector("#results [data-result='formula~non-hdl-cholesterol']"));
        var compute = answer.Document.QuerySelector("#compute")!;
        Assert.Equal("true", compute.GetAttribute("hx-swap-oob"));
        Assert.Null(compute.QuerySelector("[data-formula='friedewald-ldl']"));
        Assert.Contains("with Non-HDL cholesterol already computed", compute.QuerySelector("[data-withheld='friedewald-ldl']")!.TextContent);
        Assert.NotNull(compute.QuerySelector("[data-formula='non-hdl-cholesterol']"));
        Assert.True(answer.Html.Length < 3072, $"swap of {answer.Html.Length} bytes");
    }

    [Fact]
    public async Task Without_javascript_a_compute_re_renders_the_whole_page_with_the_same_availability()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());

        var answer = await doctor.Client.PressAsync($"/Doctor/Submissions/{id}", "[data-formula='non-hdl-cholesterol']");

        Assert.NotNull(answer.Document.QuerySelector("h1"));
        Assert.NotNull(answer.Document.QuerySelector("#diagnosis-form"));
        Assert.Null(answer.Document.QuerySelector("#compute")!.GetAttribute("hx-swap-oob"));
        Assert.NotNull(answer.Document.QuerySelector("[data-withheld='friedewald-ldl']"));
        Assert.NotNull(answer.Document.QuerySelector("[data-result='formula~non-hdl-cholesterol']"));

        // A check is a button of the same form with its own target, which a plain post follows too.
        var check = await doctor.Client.PressAsync($"/Doctor/Submissions/{id}", "[data-check='ldl-very-high']");
        Assert.NotNull(check.Document.QuerySelector("h1"));
        Assert.NotNull(check.Document.QuerySelector("[data-result='check~ldl-very-high']"));
    }

    [Fact]
    public async Task A_refused_compute_from_a_stale_page_names_the_earlier_result_that_causes_it()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());
        var stale = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = stale.Document.QuerySelector("#compute-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        await ComputeAsync(doctor, id, "non-hdl-cholesterol");
        var audits = await AuditCountAsync(patient.Uid);

        var answer = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Compute", Form(("formulaId", "friedewald-ldl"), ("__RequestVerificationToken", token)), htmx: true);

        Assert.Equal("Not run: with Non-HDL cholesterol already computed it would reveal the patient's Triglycerides value.",
            answer.Document.QuerySelector("#results [role=alert]")!.TextContent.Trim());
        Assert.NotNull(answer.Document.QuerySelector("#compute[hx-swap-oob=true] [data-withheld='friedewald-ldl']"));
        Assert.Equal(audits, await AuditCountAsync(patient.Uid));
    }

    [Fact]
    public async Task A_diagnosis_whose_result_list_a_store_writer_extended_is_refused_for_patient_and_doctor()
    {
        var (patient, doctor) = await PairAsync();
        var id = await SendAsync(patient, doctor, Lipids());
        await ComputeAsync(doctor, id, "non-hdl-cholesterol");
        await CheckAsync(doctor, id, "ldl-very-high");
        await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form",
            Form(("DiagnosisText", "Cholesterol is fine."), ("Include", "formula~non-hdl-cholesterol")));
        // Anyone can encrypt to the patient: a store writer seals a body naming one more result, under a
        // fresh key wrapped for the patient, and leaves the doctor's signature as it was.
        using (var scope = app.Services.CreateScope())
        {
            var patientKey = (await scope.ServiceProvider.GetRequiredService<AccountKeyRecords>().FindPublicAsync(patient.Uid))!.GetPaillierPublicKey();
            var results = new[]
            {
                new ResultLine(ComputationKind.Formula, "non-hdl-cholesterol", "Non-HDL cholesterol", "150 mg/dL", "Optimal", "", false, DateTimeOffset.UtcNow),
                new ResultLine(ComputationKind.Check, "ldl-very-high", "LDL cholesterol 190 or more", "LDL", "Very high", "", true, DateTimeOffset.UtcNow),
            };
            var payload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { text = "Cholesterol is fine.", results },
                new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
            var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(12);
            var body = new byte[payload.Length + 16];
            using (var aes = new System.Security.Cryptography.AesGcm(key, 16))
            {
                aes.Encrypt(nonce, payload, body.AsSpan(0, payload.Length), body.AsSpan(payload.Length),
                    Encoding.UTF8.GetBytes($"medsecure.diagnosis.v1\n{patient.Uid}\n{id}\n{doctor.Uid}"));
            }
            var wrapped = MedSecure.Paillier.EncryptedFixedPoint.FromCiphertext(
                patientKey.Encrypt(new System.Numerics.BigInteger(key, isUnsigned: true, isBigEndian: true)), 0, System.Numerics.BigInteger.One);
            var path = $"diagnoses/{patient.Uid}/{id}/sealed";
            await Store.SetAsync($"{path}/key", JsonNode.Parse(wrapped.ToJson()));
            await Store.SetAsync($"{path}/nonce", System.Buffers.Text.Base64Url.EncodeToString(nonce));
            await Store.SetAsync($"{path}/body", System.Buffers.Text.Base64Url.EncodeToString(body));
        }

        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        var theirs = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");

        Assert.Contains("The diagnosis: " + RecordTamperedException.PlainMessage, string.Join("\n", mine.Document.QuerySelectorAll("[role=alert]").Select(a => a.TextContent)));
        Assert.Null(mine.Document.QuerySelector("#diagnosis-text"));
        Assert.Null(mine.Document.QuerySelector("#sent-results"));
        Assert.NotNull(theirs.Document.QuerySelector("#sent-diagnosis-refused"));
        Assert.Null(theirs.Document.QuerySelector("#sent-results"));
    }
}
