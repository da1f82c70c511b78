using System.Net;
using System.Text.Json.Nodes;
using MedSecure.Web.Features.Diagnostics.Ledger;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Hardening;
using MedSecure.Web.Tests.Storage.Rules;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Diagnostics.Ledger;

/// <summary>
/// Truly concurrent compute requests over HTTP, each pair together enough to solve for raw values
/// (MAP + pulse pressure give systolic and diastolic; mean + change over two submissions give both
/// values): over many tries, never both are decrypted. Run on each store the app can use.
/// </summary>
public abstract class ConcurrentComputeContract<TFactory>(TFactory app) where TFactory : MedSecureWebFactory
{
    private const string Password = "concurrent 123";

    protected TFactory App => app;

    /// <summary>Skips when the store under test is not available.</summary>
    protected abstract void RequireStore();

    /// <summary>The uid of an account just signed up with the app.</summary>
    protected abstract Task<string> UidOfAsync(string email, string password);

    private sealed record Account(PageClient Client, string Uid);

    private async Task<Account> SignUpAsync(string role)
    {
        var client = app.NewClient();
        var email = $"c{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", $"{role} {email[1..7]}"), ("Form.Specialty", "General practice"), ("Form.Email", email), ("Form.Password", Password)));
        Assert.True(answer.Status == HttpStatusCode.Redirect, $"sign-up failed: {answer.Status} {answer.FormAlert}");
        return new Account(client, await UidOfAsync(email, Password));
    }

    private static async Task<string> SendVitalsAsync(Account patient, Account doctor, int systolic, int diastolic)
    {
        var answer = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", doctor.Uid), ("Form.Panels", "vitals"), ("Form.Values[systolic-bp]", $"{systolic}"),
            ("Form.Values[diastolic-bp]", $"{diastolic}"), ("Form.Values[heart-rate]", "70")));
        return TestSubmissions.SubmissionIdOf(answer) ?? throw new InvalidOperationException($"Not sent ({answer.Status}): {answer.FormAlert}");
    }

    // Both formulas posted at once, each with its own antiforgery token, from the doctor's one session.
    private static async Task RaceAsync(Account doctor, string submissionId, string first, string second)
    {
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{submissionId}");
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var answers = await Task.WhenAll(new[] { first, second }.Select(formula => Task.Run(() => doctor.Client.PostAsync(
            $"/Doctor/Submissions/{submissionId}?handler=Compute", Form(("formulaId", formula), ("__RequestVerificationToken", token)), htmx: true))));
        // Both answered with a page (the loser with its plain refusal), never an error.
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Contains(answers, a => a.Document.QuerySelector("[role=alert]") is not null);
    }

    private async Task<int> ComputedCountAsync(string patientUid, string submissionId)
    {
        using var scope = app.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync($"computations/{patientUid}/{submissionId}");
        return (stored as JsonObject)?.Count ?? 0;
    }

    [SkippableFact]
    public async Task Concurrent_MAP_and_pulse_pressure_requests_are_never_both_decrypted()
    {
        RequireStore();
        var patient = await SignUpAsync("Patient");
        var doctor = await SignUpAsync("Doctor");
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var id = await SendVitalsAsync(patient, doctor, 120 + attempt, 80);
            await RaceAsync(doctor, id, "map", "pulse-pressure");
            // What the store holds is what was decrypted: a computation is recorded before its decryption,
            // and only after the ledger write that passed the guard.
            Assert.Equal(1, await ComputedCountAsync(patient.Uid, id));
            var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
            var shown = page.Document.QuerySelectorAll("[data-result^='formula~']").Length;
            Assert.Equal(1, shown);
            Assert.Single(page.Document.QuerySelectorAll("[data-withheld='map'], [data-withheld='pulse-pressure']"));
        }
    }

    [SkippableFact]
    public async Task Concurrent_mean_and_change_over_two_submissions_are_never_both_decrypted()
    {
        RequireStore();
        var doctor = await SignUpAsync("Doctor");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var patient = await SignUpAsync("Patient");
            var older = await SendVitalsAsync(patient, doctor, 130, 85);
            await Task.Delay(5);
            var id = await SendVitalsAsync(patient, doctor, 110, 75);
            await RaceAsync(doctor, id, "mean:systolic-bp:2", "change:systolic-bp:2");
            Assert.Equal(1, await ComputedCountAsync(patient.Uid, id));
            Assert.Equal(0, await ComputedCountAsync(patient.Uid, older));
        }
    }
}

/// <summary>The race on the embedded store.</summary>
public sealed class ConcurrentComputeOnEmbeddedStoreTests(MedSecureWebFactory app)
    : ConcurrentComputeContract<MedSecureWebFactory>(app), IClassFixture<MedSecureWebFactory>
{
    /// <inheritdoc />
    protected override void RequireStore() { }

    /// <inheritdoc />
    protected override async Task<string> UidOfAsync(string email, string password) => (await App.Auth.SignInAsync(email, password)).Uid;
}

/// <summary>The race on the Firestore emulator with the committed rules (the app's calls carry the doctor's token).</summary>
public sealed class ConcurrentComputeOnFirestoreTests(FirestoreWebFactory app)
    : ConcurrentComputeContract<FirestoreWebFactory>(app), IClassFixture<FirestoreWebFactory>
{
    /// <inheritdoc />
    protected override void RequireStore()
    {
        FirestoreEmulator.Require("Concurrent compute on Firestore");
        App.Emulator!.LoadRulesAsync(File.ReadAllText(FirestoreEmulator.CommittedRulesPath())).GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    protected override async Task<string> UidOfAsync(string email, string password) => (await App.Emulator!.SignInAsync(email, password)).Uid;
}
