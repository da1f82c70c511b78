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
        await Assertions.Expect(patient.Locator("#computed-results")).ToContainTextAsync("93.3 mmHg");
        await Assertions.Expect(patient.Locator("#computed-results")).ToContainTextAsync("150 mg/dL");
        await Assertions.Expect(patient.Locator("#audit-log")).ToContainTextAsync("Mean arterial pressure");
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
