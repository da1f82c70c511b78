using System.Net;
using MedSecure.Web.Tests.Hardening;
using MedSecure.Web.Tests.Storage.Rules;
using MedSecure.Web.Tests.Support;
using Xunit.Abstractions;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

/// <summary>
/// Withdrawing and deleting through the app on the Firestore emulator with the committed rules and
/// the real Auth emulator: every write the deletion makes passes the rules as the acting user (no
/// admin credential), the Auth account is really gone, and a dump of every document holds nothing of
/// the deleted accounts but the server-signed directory tombstone's uid and public keys.
/// </summary>
public sealed class ErasureOnFirestoreTests(FirestoreWebFactory app, ITestOutputHelper output) : IClassFixture<FirestoreWebFactory>
{
    private const string What = "erasure on Firestore";

    private async Task<(SignedInUser User, string Name)> SignUpAsync(string role, string name)
    {
        var client = app.NewClient();
        var email = $"erase-{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", name), ("Form.Specialty", "General practice"),
            ("Form.Email", email), ("Form.Password", SignedInUser.Password)));
        Assert.True(answer.Status == HttpStatusCode.Redirect, $"sign-up failed: {answer.Status} {answer.FormAlert}");
        var firebase = await app.Emulator!.SignInAsync(email, SignedInUser.Password);
        return (new SignedInUser(client, firebase.Uid, email), name);
    }

    [SkippableFact]
    public async Task Withdrawing_then_deleting_both_accounts_passes_the_rules_and_leaves_nothing_of_them()
    {
        FirestoreEmulator.Require(What);
        await app.Emulator!.LoadRulesAsync(await File.ReadAllTextAsync(FirestoreEmulator.CommittedRulesPath()));
        var (doctor, doctorName) = await SignUpAsync("Doctor", "Dr Quentar Ashby " + Guid.NewGuid().ToString("N")[..4]);
        var (patient, patientName) = await SignUpAsync("Patient", "Ilsa Pemberwick " + Guid.NewGuid().ToString("N")[..4]);
        var kept = await patient.SubmitHba1cAsync(doctor.Uid, "7.2");
        var withdrawn = await patient.SubmitHba1cAsync(doctor.Uid, "6.3");
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{withdrawn}");
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var check = page.Document.QuerySelector("button[name=checkId]")!.GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.OK, (await doctor.Client.PostAsync($"/Doctor/Submissions/{withdrawn}?handler=Check", Form(("checkId", check), ("__RequestVerificationToken", token)), htmx: true)).Status);
        var diagnosis = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{withdrawn}", "#diagnosis-form", Form(("DiagnosisText", "Velmarish; recheck.")));
        Assert.Equal($"/Doctor/Submissions/{withdrawn}?sent=true", diagnosis.RedirectTarget);

        var withdraw = await patient.Client.SubmitAsync($"/Patient/Submissions/{withdrawn}/Withdraw", "#withdraw-form", Form(("Form.Password", SignedInUser.Password)));
        Assert.True(withdraw.Document.QuerySelector("#withdrawn") is not null, withdraw.FormAlert);
        var inbox = await doctor.Client.GetAsync("/Doctor/Index");
        Assert.Equal("withdrawn", inbox.Document.QuerySelector($"[data-submission='{withdrawn}']")!.GetAttribute("data-removal"));
        Assert.Equal("none", inbox.Document.QuerySelector($"[data-submission='{kept}']")!.GetAttribute("data-removal"));

        var patientFingerprint = (await app.Emulator.ReadAsAdminAsync($"keys/{patient.Uid}/parts/public"))!["fingerprint"]!["stringValue"]!.GetValue<string>();
        var deleted = await patient.Client.SubmitAsync("/Account/Delete", "#delete-account-form", Form(("Form.Password", SignedInUser.Password)));
        Assert.True(deleted.RedirectTarget == "/Account/SignIn?reason=deleted", $"{deleted.Status} {deleted.FormAlert}");
        using var fresh = app.NewClient();
        var signIn = await fresh.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", patient.Email), ("Form.Password", SignedInUser.Password)));
        Assert.Equal("That email and password do not match an account.", signIn.FormAlert);

        var afterPatient = await StorageScan.DumpFirestoreAsync(app.Emulator);
        var findings = StorageScan.Scan(afterPatient, StorageScan.AccountNeedles(patient.Uid, patient.Email, patientName, patientFingerprint));
        foreach (var f in findings)
        {
            output.WriteLine(f.ToString());
        }
        Assert.Empty(findings);
        inbox = await doctor.Client.GetAsync("/Doctor/Index");
        Assert.Equal("accountdeleted", inbox.Document.QuerySelector($"[data-submission='{kept}']")!.GetAttribute("data-removal"));

        var doctorFingerprint = (await app.Emulator.ReadAsAdminAsync($"keys/{doctor.Uid}/parts/public"))!["fingerprint"]!["stringValue"]!.GetValue<string>();
        var doctorDeleted = await doctor.Client.SubmitAsync("/Account/Delete", "#delete-account-form", Form(("Form.Password", SignedInUser.Password)));
        Assert.True(doctorDeleted.RedirectTarget == "/Account/SignIn?reason=deleted", $"{doctorDeleted.Status} {doctorDeleted.FormAlert}");
        var doctorSignIn = await fresh.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", doctor.Email), ("Form.Password", SignedInUser.Password)));
        Assert.Equal("That email and password do not match an account.", doctorSignIn.FormAlert);

        var afterDoctor = await StorageScan.DumpFirestoreAsync(app.Emulator);
        var doctorFindings = StorageScan.Scan(afterDoctor, StorageScan.AccountNeedles(doctor.Uid, doctor.Email, doctorName, doctorFingerprint))
            .Where(f => !(f.TreePath == $"directory/doctors/entries/{doctor.Uid}" && f.Needle.Source is "account uid" or "account key fingerprint"))
            .ToList();
        foreach (var f in doctorFindings)
        {
            output.WriteLine(f.ToString());
        }
        Assert.Empty(doctorFindings);
        Assert.DoesNotContain(afterDoctor, t => t.TreePath.StartsWith($"inbox/{doctor.Uid}", StringComparison.Ordinal) || t.TreePath.StartsWith($"users/{doctor.Uid}", StringComparison.Ordinal));
    }
}
