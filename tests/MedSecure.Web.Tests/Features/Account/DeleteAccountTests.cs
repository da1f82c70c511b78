using System.Net;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Sqlite;
using MedSecure.Web.Tests.Hardening;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

/// <summary>
/// The app whose store can be made to fail part-way through a deletion (one named write fails once),
/// as a storage outage in the middle of it would.
/// </summary>
public sealed class ErasureFaultWebFactory : MedSecureWebFactory
{
    /// <summary>When set, the first store call it matches (method, first argument) fails as an outage, then it clears itself.</summary>
    public Func<string, string, bool>? FailOnce { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
            services.AddSingleton<ITreeStore>(sp => TreeStoreInterceptor.Wrap(sp.GetRequiredService<SqliteTreeStore>(), (method, args, call) =>
            {
                if (FailOnce is { } fail && args.Length > 0 && args[0] is string path && fail(method, path))
                {
                    FailOnce = null;
                    return method == nameof(ITreeStore.GetAsync)
                        ? Task.FromException<JsonNode?>(new StorageUnavailableException())
                        : Task.FromException(new StorageUnavailableException());
                }
                return call();
            })));
    }
}

/// <summary>
/// Deleting an account: the page says exactly what will happen and asks for the password; after it,
/// signing in fails with a plain message, a dump of the store holds nothing of the account but what
/// the trust model allows, the other party's pages say what happened, and a deletion interrupted
/// part-way is finished by the next sign-in.
/// </summary>
public sealed class DeleteAccountTests(ErasureFaultWebFactory app, ITestOutputHelper output) : IClassFixture<ErasureFaultWebFactory>
{
    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    private const string NoAccount = "That email and password do not match an account.";

    [Theory]
    [InlineData("Patient", false)]
    [InlineData("Patient", true)]
    [InlineData("Doctor", false)]
    [InlineData("Doctor", true)]
    public async Task The_page_says_exactly_what_will_be_deleted_for_the_role_and_asks_for_the_password(string role, bool htmx)
    {
        using var user = await app.SignUpAsync(role, $"{role} Shown {Guid.NewGuid():N}"[..20]);

        var page = await user.Client.GetAsync("/Account/Delete", htmx);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(!htmx, page.Html.Contains("<html", StringComparison.OrdinalIgnoreCase));
        var what = page.Document.QuerySelector("#what-happens")!.TextContent;
        Assert.Contains("destroy your keys", what, StringComparison.Ordinal);
        Assert.Contains("delete your sign-in", what, StringComparison.Ordinal);
        Assert.Contains(role == "Doctor" ? "remove you from the doctors' directory" : "delete every submission you sent", what, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("#delete-account-form input[type=password][name='Form.Password']"));
        var home = await user.Client.GetAsync(role == "Doctor" ? "/Doctor/Profile" : "/Patient/Index");
        Assert.Equal("/Account/Delete", home.Document.QuerySelector("#delete-account-link")!.GetAttribute("href"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_wrong_password_says_so_by_the_field_and_deletes_nothing(bool htmx)
    {
        using var patient = await app.SignUpAsync("Patient", "Wrong Password Patient");
        var before = StorageScan.DumpSqlite(app.DatabasePath).Count(t => t.TreePath.Contains(patient.Uid, StringComparison.Ordinal));

        var answer = await patient.Client.SubmitAsync("/Account/Delete", "#delete-account-form", Form(("Form.Password", "not it at all")), htmx);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("That is not your password. Nothing was changed.", answer.FieldMessage("Form.Password"));
        Assert.Equal(before, StorageScan.DumpSqlite(app.DatabasePath).Count(t => t.TreePath.Contains(patient.Uid, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, (await patient.Client.GetAsync("/Patient/Index")).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deleting_a_patient_leaves_nothing_of_them_in_the_store_and_sign_in_then_fails_plainly(bool htmx)
    {
        using var doctor = await app.SignUpAsync("Doctor", "Dr Kept Orvalle");
        var name = "Erased Quimbly " + Guid.NewGuid().ToString("N")[..6];
        using var patient = await app.SignUpAsync("Patient", name);
        using var elsewhere = app.NewClient();
        await SignInAsync(elsewhere, patient.Email);
        var first = await patient.SubmitHba1cAsync(doctor.Uid, "7.3");
        var second = await patient.SubmitHba1cAsync(doctor.Uid, "6.1");
        await CheckAsync(doctor, first);
        await DiagnoseAsync(doctor, first);
        var withdrawn = await patient.SubmitHba1cAsync(doctor.Uid, "5.5");
        await patient.Client.SubmitAsync($"/Patient/Submissions/{withdrawn}/Withdraw", "#withdraw-form", Form(("Form.Password", SignedInUser.Password)));
        var fingerprint = (string)(await Store.GetAsync($"keys/{patient.Uid}/public/fingerprint"))!;
        Assert.Contains(StorageScan.DumpSqlite(app.DatabasePath), t => t.TreePath.StartsWith($"disclosures/{doctor.Uid}/{patient.Uid}", StringComparison.Ordinal));

        var answer = await patient.Client.SubmitAsync("/Account/Delete", "#delete-account-form", Form(("Form.Password", SignedInUser.Password)), htmx);

        Assert.Equal("/Account/SignIn?reason=deleted", answer.RedirectTarget);
        var notice = await patient.Client.GetAsync(answer.RedirectTarget!);
        Assert.Contains("Your account was deleted", notice.Document.QuerySelector(".notice")!.TextContent, StringComparison.Ordinal);
        // Signed out here and everywhere else.
        Assert.NotEqual(HttpStatusCode.OK, (await patient.Client.GetAsync("/Patient/Index")).Status);
        Assert.NotEqual(HttpStatusCode.OK, (await elsewhere.GetAsync("/Patient/Index")).Status);

        using var fresh = app.NewClient();
        var signIn = await SignInAsync(fresh, patient.Email);
        Assert.Equal(HttpStatusCode.OK, signIn.Status);
        Assert.Equal(NoAccount, signIn.FormAlert);

        var findings = StorageScan.Scan(StorageScan.DumpSqlite(app.DatabasePath), StorageScan.AccountNeedles(patient.Uid, patient.Email, name, fingerprint));
        foreach (var f in findings)
        {
            output.WriteLine(f.ToString());
        }
        Assert.Empty(findings);

        // What the doctor keeps: anonymous, server-signed tombstones, shown as such.
        var inbox = await doctor.Client.GetAsync("/Doctor/Index");
        foreach (var id in new[] { first, second, withdrawn })
        {
            var row = inbox.Document.QuerySelector($"[data-submission='{id}']")!;
            Assert.Equal("accountdeleted", row.GetAttribute("data-removal"));
            Assert.DoesNotContain(name, row.TextContent, StringComparison.Ordinal);
        }
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{first}");
        Assert.StartsWith("The patient deleted their account on", page.Document.QuerySelector("#gone")!.TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_doctor_removes_them_everywhere_but_patients_own_records_which_say_the_doctor_is_gone()
    {
        var name = "Dr Departed Vantrell " + Guid.NewGuid().ToString("N")[..4];
        using var doctor = await app.SignUpAsync("Doctor", name);
        using var patient = await app.SignUpAsync("Patient", "Patient Stays Here");
        var diagnosed = await patient.SubmitHba1cAsync(doctor.Uid, "7.6");
        await CheckAsync(doctor, diagnosed);
        await DiagnoseAsync(doctor, diagnosed);
        var pending = await patient.SubmitHba1cAsync(doctor.Uid, "6.2");
        var fingerprint = (string)(await Store.GetAsync($"keys/{doctor.Uid}/public/fingerprint"))!;

        var answer = await doctor.Client.SubmitAsync("/Account/Delete", "#delete-account-form", Form(("Form.Password", SignedInUser.Password)));

        Assert.Equal("/Account/SignIn?reason=deleted", answer.RedirectTarget);
        using var fresh = app.NewClient();
        Assert.Equal(NoAccount, (await SignInAsync(fresh, doctor.Email)).FormAlert);

        // Nothing of the doctor is left outside the patient's own records, but the signed tombstone.
        var tokens = StorageScan.DumpSqlite(app.DatabasePath).ToList();
        Assert.DoesNotContain(tokens, t => t.TreePath.StartsWith($"users/{doctor.Uid}", StringComparison.Ordinal)
            || t.TreePath.StartsWith($"keys/{doctor.Uid}", StringComparison.Ordinal)
            || t.TreePath.StartsWith($"inbox/{doctor.Uid}", StringComparison.Ordinal)
            || t.TreePath.StartsWith($"disclosures/{doctor.Uid}", StringComparison.Ordinal));
        var tombstone = (JsonObject)(await Store.GetAsync($"directory/doctors/{doctor.Uid}"))!;
        Assert.Equal(["deleted", "deletedAt", "kid", "publicKeys", "role", "serverSig", "uid"], tombstone.Select(p => p.Key).Order(StringComparer.Ordinal));
        var patientsOwn = new[] { "patients", "audit", "auditHeads", "pins", "computations", "diagnoses" }.Select(r => $"{r}/{patient.Uid}/").ToList();
        var findings = StorageScan.Scan(tokens, StorageScan.AccountNeedles(doctor.Uid, doctor.Email, name, fingerprint))
            .Where(f => !patientsOwn.Any(p => f.TreePath.StartsWith(p, StringComparison.Ordinal)))
            .Where(f => !(f.TreePath.StartsWith($"directory/doctors/{doctor.Uid}", StringComparison.Ordinal) && f.Needle.Source is "account uid" or "account key fingerprint"))
            .ToList();
        foreach (var f in findings)
        {
            output.WriteLine(f.ToString());
        }
        Assert.Empty(findings);

        // The patient's pages say the doctor is gone; the diagnosis they signed still verifies.
        var list = await patient.Client.GetAsync("/Patient/Index");
        Assert.Contains($"{name} has deleted their account", list.Document.QuerySelector($"[data-note='{pending}']")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("will not be read", list.Document.QuerySelector($"[data-note='{pending}']")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("has deleted their account", list.Document.QuerySelector($"[data-note='{diagnosed}']")!.TextContent, StringComparison.Ordinal);
        var own = await patient.Client.GetAsync($"/Patient/Submissions/{diagnosed}");
        Assert.Contains("has deleted their account", own.Document.QuerySelector("#doctor-gone")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Quorbantine", own.Document.QuerySelector("#diagnosis-text")!.TextContent, StringComparison.Ordinal);
        Assert.Null(own.Document.QuerySelector("#tampered"));
        // The submit form no longer offers the doctor.
        var submit = await patient.Client.GetAsync("/Patient/Submit");
        Assert.Null(submit.Document.QuerySelector($"[data-doctor='{doctor.Uid}']"));
        Assert.Null(submit.Document.QuerySelector($"input[name='Form.DoctorUid'][value='{doctor.Uid}']"));
    }

    [Theory]
    [InlineData("UpdateAsync", "")]
    [InlineData("DeleteAsync", "audit/")]
    public async Task A_deletion_interrupted_by_a_storage_fault_is_finished_by_the_next_sign_in(string method, string pathPrefix)
    {
        using var doctor = await app.SignUpAsync("Doctor", "Dr Fault Witness");
        var name = "Halfway Pelloran " + Guid.NewGuid().ToString("N")[..6];
        using var patient = await app.SignUpAsync("Patient", name);
        var id = await patient.SubmitHba1cAsync(doctor.Uid, "6.9");
        await CheckAsync(doctor, id);
        var fingerprint = (string)(await Store.GetAsync($"keys/{patient.Uid}/public/fingerprint"))!;
        var armed = false;
        app.FailOnce = (m, p) => m == method && p.StartsWith(pathPrefix, StringComparison.Ordinal)
            // The submission's own atomic write (the only UpdateAsync of the deletion, at the root).
            && (method != "UpdateAsync" || p.Length == 0)
            && (armed = true);

        var failed = await patient.Client.SubmitAsync("/Account/Delete", "#delete-account-form", Form(("Form.Password", SignedInUser.Password)));

        Assert.True(armed);
        Assert.Equal(HttpStatusCode.OK, failed.Status);
        Assert.Contains("press the button again to finish", failed.FormAlert, StringComparison.Ordinal);
        // Part of it is done: the keys went first.
        Assert.Null(await Store.GetAsync($"keys/{patient.Uid}/wrapped"));

        using var fresh = app.NewClient();
        var resumed = await SignInAsync(fresh, patient.Email);
        Assert.Equal(HttpStatusCode.OK, resumed.Status);
        Assert.Contains("The deletion is now complete", resumed.FormAlert, StringComparison.Ordinal);
        Assert.Equal(NoAccount, (await SignInAsync(fresh, patient.Email)).FormAlert);
        Assert.Empty(StorageScan.Scan(StorageScan.DumpSqlite(app.DatabasePath), StorageScan.AccountNeedles(patient.Uid, patient.Email, name, fingerprint)));
        var row = (await doctor.Client.GetAsync("/Doctor/Index")).Document.QuerySelector($"[data-submission='{id}']")!;
        Assert.Equal("accountdeleted", row.GetAttribute("data-removal"));
    }

    [Fact]
    public async Task A_fault_on_the_last_write_after_the_sign_in_is_gone_is_retried_so_the_deletion_still_completes()
    {
        var name = "Last Write Tessaly " + Guid.NewGuid().ToString("N")[..6];
        using var patient = await app.SignUpAsync("Patient", name);
        var armed = false;
        app.FailOnce = (m, p) => m == "DeleteAsync" && p == $"users/{patient.Uid}" && (armed = true);

        var answer = await patient.Client.SubmitAsync("/Account/Delete", "#delete-account-form", Form(("Form.Password", SignedInUser.Password)));

        Assert.True(armed);
        Assert.Equal("/Account/SignIn?reason=deleted", answer.RedirectTarget);
        Assert.Null(await Store.GetAsync($"users/{patient.Uid}"));
        Assert.Empty(StorageScan.Scan(StorageScan.DumpSqlite(app.DatabasePath), StorageScan.AccountNeedles(patient.Uid, patient.Email, name)));
    }

    [Fact]
    public async Task An_erasure_marker_written_into_the_store_by_someone_else_does_not_delete_the_account_at_sign_in()
    {
        using var patient = await app.SignUpAsync("Patient", "Marker Target");
        await Store.SetAsync($"users/{patient.Uid}", new JsonObject { ["uid"] = patient.Uid, ["erasing"] = true, ["erasingRole"] = "patient", ["kid"] = "test-1", ["serverSig"] = "forged" });

        using var fresh = app.NewClient();
        var answer = await SignInAsync(fresh, patient.Email);

        // Not finished as a deletion: the marker does not verify, so the account is not touched.
        Assert.DoesNotContain("deletion", answer.FormAlert, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(await Store.GetAsync($"keys/{patient.Uid}/wrapped"));
        Assert.Equal(patient.Uid, (await app.Auth.SignInAsync(patient.Email, SignedInUser.Password)).Uid);
    }

    private static Task<Answer> SignInAsync(PageClient client, string email) =>
        client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", SignedInUser.Password)));

    private static async Task CheckAsync(SignedInUser doctor, string id)
    {
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var check = page.Document.QuerySelector("button[name=checkId]")!.GetAttribute("value")!;
        var answer = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Check", Form(("checkId", check), ("__RequestVerificationToken", token)), htmx: true);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    private static async Task DiagnoseAsync(SignedInUser doctor, string id)
    {
        var answer = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", "Quorbantine pattern; review.")));
        Assert.Equal($"/Doctor/Submissions/{id}?sent=true", answer.RedirectTarget);
    }
}
