using System.Net;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
using MedSecure.Web.Storage.Firestore;
using MedSecure.Web.Tests.Storage.Rules;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>
/// The app on the Firestore emulator and the real Auth emulator, configured as in production: no
/// admin credential anywhere, every storage call carrying the acting user's ID token, the committed
/// rules loaded. Skips (or fails under <c>MEDSECURE_REQUIRE_FIRESTORE=1</c>) without the emulators.
/// </summary>
public sealed class FirestoreWebFactory : MedSecureWebFactory
{
    /// <summary>The emulators, or null when not configured.</summary>
    public FirestoreEmulator? Emulator { get; } = FirestoreEmulator.FromEnvironment();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (Emulator is null)
        {
            return;
        }
        builder.UseSetting("Storage:Provider", "Firestore");
        builder.UseSetting("Storage:Firestore:EmulatorHost", Emulator.FirestoreHost);
        builder.UseSetting("Storage:Firestore:ProjectId", Emulator.ProjectId);
        builder.UseSetting("Firebase:ProjectId", Emulator.ProjectId);
        builder.UseSetting("Firebase:AuthEmulatorHost", Emulator.AuthHost);
        builder.ConfigureServices((context, services) =>
        {
            // The real Identity Toolkit client against the Auth emulator, instead of the in-process fake.
            services.RemoveAll<IFirebaseAuthClient>();
            services.AddFirebaseAuth(context.Configuration);
        });
    }
}

/// <summary>
/// The whole patient → doctor → diagnosis flow through the app on Firestore with no admin
/// credential, and cross-user accesses refused by the security rules themselves: the app's own
/// tree store is called directly, as another user, with the server's checks out of the way.
/// </summary>
public sealed class RulesAsSecondLineTests(FirestoreWebFactory app) : IClassFixture<FirestoreWebFactory>
{
    private const string What = "Firestore end-to-end flow";

    private async Task<(SignedInUser User, EmulatorUser Firebase)> SignUpAsync(string role)
    {
        var client = app.NewClient();
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", $"{role} {email[..10]}"), ("Form.Specialty", "Endocrinology"),
            ("Form.Email", email), ("Form.Password", SignedInUser.Password)));
        Assert.True(answer.Status == HttpStatusCode.Redirect, $"sign-up failed: {answer.Status} {answer.FormAlert}");
        var firebase = await app.Emulator!.SignInAsync(email, SignedInUser.Password);
        return (new SignedInUser(client, firebase.Uid, email), firebase);
    }

    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    private static SessionTokens TokensOf(EmulatorUser user) => new(user.IdToken, user.RefreshToken, DateTimeOffset.UtcNow.AddMinutes(50));

    [SkippableFact]
    public async Task No_admin_credential_is_registered_and_the_store_is_firestore()
    {
        FirestoreEmulator.Require(What);

        Assert.IsType<FirestoreTreeStore>(Store);
        var source = Assert.IsType<ActingUserCredentialSource>(app.Services.GetRequiredService<IDatabaseCredentialSource>());
        Assert.Single(app.Services.GetServices<IDatabaseCredentialSource>());
        Assert.Null(app.Services.GetService<FirebaseAccessTokenProvider>());
        Assert.Equal(DatabaseCredentialKind.None, (await source.GetCredentialAsync(default)).Kind);
        // Outside any request or sign-in, the rules see a visitor: nothing is readable.
        await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.GetAsync("directory/doctors"));
    }

    [SkippableFact]
    public async Task A_patient_sends_results_a_doctor_diagnoses_and_the_patient_reads_it_and_other_users_are_refused_by_the_rules()
    {
        FirestoreEmulator.Require(What);
        await app.Emulator!.LoadRulesAsync(await File.ReadAllTextAsync(FirestoreEmulator.CommittedRulesPath()));
        var (patient, patientFirebase) = await SignUpAsync("Patient");
        var (doctor, _) = await SignUpAsync("Doctor");
        var (otherPatient, otherPatientFirebase) = await SignUpAsync("Patient");
        var (otherDoctor, otherDoctorFirebase) = await SignUpAsync("Doctor");
        using var _1 = patient;
        using var _2 = doctor;
        using var _3 = otherPatient;
        using var _4 = otherDoctor;

        // The flow, through the pages.
        var id = await patient.SubmitHba1cAsync(doctor.Uid, "7.2");
        var inbox = await doctor.Client.GetAsync("/Doctor");
        Assert.NotNull(inbox.Document.QuerySelector($"[data-submission='{id}']"));
        Assert.Equal(HttpStatusCode.OK, (await doctor.Client.GetAsync($"/Doctor/Submissions/{id}")).Status);
        var check = await doctor.Client.PressAsync($"/Doctor/Submissions/{id}", "button[name=checkId][value='hba1c-diabetes']", htmx: true);
        Assert.Equal(HttpStatusCode.OK, check.Status);
        var sent = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form",
            Form(("DiagnosisText", "HbA1c is in the diabetes range; start metformin."), ("Include", "check~hba1c-diabetes")));
        Assert.Equal($"/Doctor/Submissions/{id}?sent=true", sent.RedirectTarget);
        // A second diagnosis meets the rules' create-only refusal, and still reads as "already diagnosed".
        var token = await doctor.Client.AntiforgeryTokenAsync($"/Doctor/Submissions/{id}");
        var again = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Diagnose", Form(("DiagnosisText", "Second opinion"), ("__RequestVerificationToken", token)), htmx: true);
        Assert.Contains(AlreadyDiagnosedException.PlainMessage, again.Html, StringComparison.Ordinal);
        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Contains("start metformin", mine.Document.QuerySelector("#diagnosis-text")!.TextContent, StringComparison.Ordinal);

        // The server's own checks bypassed: the app's store, acting as the wrong user, meets the rules.
        using (ActingUser.As(TokensOf(otherPatientFirebase)))
        {
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.GetAsync($"patients/{patient.Uid}/submissions/{id}"));
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.GetAsync($"diagnoses/{patient.Uid}/{id}"));
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.GetAsync($"keys/{patient.Uid}/wrapped"));
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.SetAsync($"inbox/{doctor.Uid}/{id}/state", "sent"));
        }
        using (ActingUser.As(TokensOf(otherDoctorFirebase)))
        {
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.GetAsync($"inbox/{doctor.Uid}/{id}"));
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.GetAsync($"computations/{patient.Uid}/{id}"));
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.SetIfMatchAsync($"diagnoses/{patient.Uid}/{Guid.NewGuid():N}",
                new JsonObject { ["sealed"] = new JsonObject { ["doctorUid"] = otherDoctor.Uid, ["patientUid"] = patient.Uid } }, TreeStore.NullETag));
        }
        using (ActingUser.As(TokensOf(patientFirebase)))
        {
            // Even the author may not rewrite what was sent, nor the diagnosis they received.
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.SetAsync($"patients/{patient.Uid}/submissions/{id}/state", "sent"));
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => Store.DeleteAsync($"diagnoses/{patient.Uid}/{id}"));
            Assert.NotNull(await Store.GetAsync($"diagnoses/{patient.Uid}/{id}"));
        }
    }

    [SkippableFact]
    public async Task A_twin_send_that_lost_the_race_is_refused_by_the_rules_and_still_lands_on_the_first_submission()
    {
        FirestoreEmulator.Require(What);
        await app.Emulator!.LoadRulesAsync(await File.ReadAllTextAsync(FirestoreEmulator.CommittedRulesPath()));
        var (patient, patientFirebase) = await SignUpAsync("Patient");
        var (doctor, _) = await SignUpAsync("Doctor");
        using var _1 = patient;
        using var _2 = doctor;
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(patient.Uid)))!;
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        var key = SubmissionIds.NewIdempotencyKey();
        var request = new SubmissionRequest(key, "Patient", ["hba1c"], [new LabValue("hba1c", 7.2m, 1)]);

        using (ActingUser.As(TokensOf(patientFirebase)))
        {
            var entry = (await services.GetRequiredService<DoctorDirectory>().FindAsync(doctor.Uid))!;
            var doctorKeys = await services.GetRequiredService<AccountKeyRecords>().FindPublicAsync(doctor.Uid);
            var sealer = new SubmissionSealer(services.GetRequiredService<RecordSigner>());
            var first = await new LabSubmissions(sealer, new SubmissionStore(Store), TimeProvider.System).SendAsync(request, entry, doctorKeys, keys);

            // The twin passed its replay check before the first one landed: it misses the key once.
            var missedOnce = 0;
            var racing = TreeStoreInterceptor.Wrap(Store, (method, args, call) =>
                method == nameof(ITreeStore.GetAsync) && args[0] is string path && path.StartsWith("idempotency/", StringComparison.Ordinal) && Interlocked.Exchange(ref missedOnce, 1) == 0
                    ? Task.FromResult<JsonNode?>(null)
                    : call());
            await Assert.ThrowsAsync<TreeStorePermissionException>(() => new SubmissionStore(Store).WriteAsync(sealer.Seal(
                new SubmissionDraft(first.SubmissionId, key, patient.Uid, "Patient", doctor.Uid, entry.DisplayName, request.PanelIds, request.Values, DateTimeOffset.UtcNow),
                doctorKeys!, keys)));
            var twin = await new LabSubmissions(sealer, new SubmissionStore(racing), TimeProvider.System).SendAsync(request, entry, doctorKeys, keys);

            Assert.False(first.Replayed);
            Assert.True(twin.Replayed);
            Assert.Equal(first.SubmissionId, twin.SubmissionId);
            Assert.Single(await new SubmissionStore(Store).ListHistoryAsync(patient.Uid));
        }
    }
}
