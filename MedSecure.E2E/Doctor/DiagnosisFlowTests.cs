using System.Security.Claims;
using MedSecure.E2E.Account;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MedSecure.E2E.Doctor;

[Collection(BrowserCollection.Name)]
public sealed class DiagnosisFlowTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task The_doctors_open_inbox_shows_a_new_submission_and_the_patient_reads_the_diagnosis_and_results()
    {
        output.WriteLine(fixture.Environment_);
        await using var doctorContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 768, Height = 1024 }, HasTouch = true });
        var doctor = await doctorContext.NewPageAsync();
        await Accounts.SignUpAsync(doctor, "Doctor", "Dr Tablet", Accounts.NewEmail("doctor"), "doctor password 1", "Cardiology");
        await doctor.GotoAsync("/Doctor");

        await using var patientContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Pat Phone", Accounts.NewEmail("patient"), "patient password 1");
        var submissionId = await SendAsync(patientContext, "Dr Tablet",
            [new("systolic-bp", 120, 0), new("diastolic-bp", 80, 0), new("total-cholesterol", 200, 0), new("hdl", 50, 0)]);

        // The inbox polls: the row appears without a reload.
        var row = doctor.Locator($"[data-submission='{submissionId}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(row).ToContainTextAsync("Pat Phone");
        var box = await row.Locator("a").BoundingBoxAsync();
        Assert.True(box!.Height >= 44, $"row is {box.Height}px tall");

        await row.Locator("a").ClickAsync();
        await doctor.Locator("[data-formula='map']").ClickAsync();
        await Assertions.Expect(doctor.Locator("[data-result='formula~map']")).ToContainTextAsync("93.3 mmHg");
        await doctor.Locator("[data-formula='non-hdl-cholesterol']").ClickAsync();
        await Assertions.Expect(doctor.Locator("[data-result='formula~non-hdl-cholesterol']")).ToContainTextAsync("150 mg/dL");
        await Assertions.Expect(doctor.Locator("[data-result='formula~map'] input[type=checkbox]")).ToBeCheckedAsync();
        await doctor.GetByLabel("Your diagnosis for the patient").FillAsync("Blood pressure and cholesterol are fine.");
        await doctor.GetByRole(AriaRole.Button, new() { Name = "Send diagnosis" }).ClickAsync();
        await Assertions.Expect(doctor.Locator("#diagnosis-sent")).ToBeVisibleAsync();

        await patient.GotoAsync($"/Patient/Submissions/{submissionId}");
        await Assertions.Expect(patient.Locator("#diagnosis-text")).ToContainTextAsync("Blood pressure and cholesterol are fine.");
        await Assertions.Expect(patient.Locator("#sent-results")).ToContainTextAsync("93.3 mmHg");
        await Assertions.Expect(patient.Locator("#sent-results")).ToContainTextAsync("150 mg/dL");
        await Assertions.Expect(patient.Locator("#audit-log")).ToContainTextAsync("Mean arterial pressure");
    }

    [Fact]
    public async Task An_unticked_result_stays_out_of_the_diagnosis_and_a_formula_the_guard_now_refuses_turns_unavailable_without_a_reload()
    {
        await using var doctorContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 820, Height = 1180 }, HasTouch = true });
        var doctor = await doctorContext.NewPageAsync();
        var doctorName = "Dr Ticks " + Guid.NewGuid().ToString("N")[..6];
        await Accounts.SignUpAsync(doctor, "Doctor", doctorName, Accounts.NewEmail("doctor"), "doctor password 1", "Cardiology");
        await using var patientContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Pat Phone", Accounts.NewEmail("patient"), "patient password 1");
        var submissionId = await SendAsync(patientContext, doctorName,
            [new("systolic-bp", 120, 0), new("diastolic-bp", 80, 0), new("total-cholesterol", 200, 0), new("hdl", 50, 0), new("triglycerides", 150, 0)]);

        await doctor.GotoAsync($"/Doctor/Submissions/{submissionId}");
        var marker = await doctor.EvaluateAsync<double>("() => (window.__diagMarker = Math.random())");
        // Before any click: Friedewald LDL is a button.
        await Assertions.Expect(doctor.Locator("[data-formula='friedewald-ldl']")).ToBeVisibleAsync();
        await doctor.Locator("[data-formula='non-hdl-cholesterol']").ClickAsync();
        await Assertions.Expect(doctor.Locator("[data-result='formula~non-hdl-cholesterol']")).ToContainTextAsync("150 mg/dL");
        // The same answer brought the compute list: Friedewald is now shown as unavailable, naming non-HDL.
        await Assertions.Expect(doctor.Locator("[data-withheld='friedewald-ldl']")).ToContainTextAsync("with Non-HDL cholesterol already computed");
        await Assertions.Expect(doctor.Locator("[data-formula='friedewald-ldl']")).ToHaveCountAsync(0);
        Assert.Equal(marker, await doctor.EvaluateAsync<double>("() => window.__diagMarker"));

        await doctor.Locator("[data-formula='map']").ClickAsync();
        await Assertions.Expect(doctor.Locator("[data-result='formula~map']")).ToContainTextAsync("93.3 mmHg");
        // Untick non-HDL: only MAP goes with the diagnosis.
        await doctor.Locator("[data-result='formula~non-hdl-cholesterol'] input[type=checkbox]").UncheckAsync();
        await doctor.GetByLabel("Your diagnosis for the patient").FillAsync("Blood pressure is fine.");
        await doctor.GetByRole(AriaRole.Button, new() { Name = "Send diagnosis" }).ClickAsync();
        await Assertions.Expect(doctor.Locator("#diagnosis-sent")).ToBeVisibleAsync();
        await Assertions.Expect(doctor.Locator("#sent-diagnosis-text")).ToContainTextAsync("Blood pressure is fine.");
        await Assertions.Expect(doctor.Locator("#sent-results [data-sent-result]")).ToHaveCountAsync(1);
        await Assertions.Expect(doctor.Locator("#sent-results")).ToContainTextAsync("Mean arterial pressure");
        await Assertions.Expect(doctor.Locator("#compute-closed")).ToBeVisibleAsync();
        await Assertions.Expect(doctor.Locator("[data-formula]")).ToHaveCountAsync(0);

        await patient.GotoAsync($"/Patient/Submissions/{submissionId}");
        await Assertions.Expect(patient.Locator("#sent-results [data-result]")).ToHaveCountAsync(1);
        await Assertions.Expect(patient.Locator("#sent-results")).ToContainTextAsync("93.3 mmHg");
        await Assertions.Expect(patient.Locator("#computed-results")).ToContainTextAsync("150 mg/dL");
    }

    [Fact]
    public async Task Compute_buttons_in_one_row_are_equally_tall()
    {
        await using var doctorContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 1180, Height = 820 }, HasTouch = true });
        var doctor = await doctorContext.NewPageAsync();
        var doctorName = "Dr Rows " + Guid.NewGuid().ToString("N")[..6];
        await Accounts.SignUpAsync(doctor, "Doctor", doctorName, Accounts.NewEmail("doctor"), "doctor password 1", "Cardiology");
        await using var patientContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        var patient = await patientContext.NewPageAsync();
        await Accounts.SignUpAsync(patient, "Patient", "Pat Rows", Accounts.NewEmail("patient"), "patient password 1");
        var submissionId = await SendAsync(patientContext, doctorName,
            [new("systolic-bp", 120, 0), new("diastolic-bp", 80, 0), new("total-cholesterol", 200, 0), new("hdl", 50, 0), new("ldl", 120, 0), new("triglycerides", 150, 0)]);

        await doctor.GotoAsync($"/Doctor/Submissions/{submissionId}");
        var boxes = new List<(double Y, double Height)>();
        foreach (var button in await doctor.Locator("#compute .compute > button").AllAsync())
        {
            var box = (await button.BoundingBoxAsync())!;
            boxes.Add((Math.Round(box.Y), box.Height));
        }
        Assert.True(boxes.Count >= 4, $"only {boxes.Count} compute buttons");
        Assert.Contains(boxes.GroupBy(b => b.Y), r => r.Count() > 1);
        foreach (var row in boxes.GroupBy(b => b.Y).Where(r => r.Count() > 1))
        {
            Assert.True(row.Max(b => b.Height) - row.Min(b => b.Height) < 1, $"row at {row.Key}: heights {string.Join(", ", row.Select(b => b.Height))}");
        }
    }

    // The patient's submit form is the submissions feature's; until it is merged this sends the way
    // that form's handler does, with the signed-in patient's own session keys.
    private async Task<string> SendAsync(IBrowserContext patientContext, string doctorName, LabValue[] values)
    {
        var services = fixture.Server.Services;
        var cookies = await patientContext.CookiesAsync();
        var auth = cookies.Where(c => c.Name.StartsWith("medsecure.auth", StringComparison.Ordinal)).ToDictionary(c => c.Name, c => c.Value);
        var value = auth["medsecure.auth"];
        if (value.StartsWith("chunks-", StringComparison.Ordinal))
        {
            value = string.Concat(Enumerable.Range(1, int.Parse(value["chunks-".Length..], System.Globalization.CultureInfo.InvariantCulture)).Select(i => auth[$"medsecure.authC{i}"]));
        }
        var ticket = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat.Unprotect(value)!;
        var uid = ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier)!;
        using var keys = (await services.GetRequiredService<ISessionKeyStore>().TryGetForUserAsync(ticket.Principal.FindFirstValue(SignedInKeys.SessionClaim)!, uid))!;

        // The send happens outside a request, so act as the signed-in patient explicitly: the
        // security rules refuse the store to anyone else.
        using var actingAsPatient = ActingUser.As(keys.Tokens ?? throw new InvalidOperationException("The patient's session holds no Firebase tokens."));
        using var scope = services.CreateScope();
        var directory = scope.ServiceProvider.GetRequiredService<DoctorDirectory>();
        var entry = (await directory.SearchAsync(doctorName)).First(d => d.DisplayName == doctorName);
        var doctorKeys = await scope.ServiceProvider.GetRequiredService<AccountKeyRecords>().FindPublicAsync(entry.Uid);
        var submissions = new LabSubmissions(new SubmissionSealer(services.GetRequiredService<RecordSigner>()),
            new SubmissionStore(services.GetRequiredService<ITreeStore>()), TimeProvider.System);
        var sent = await submissions.SendAsync(new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), "Pat Phone", ["vitals", "lipids"], values), entry, doctorKeys, keys);
        return sent.SubmissionId;
    }
}
