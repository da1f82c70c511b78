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

    /// <summary>
    /// How many computations the store holds for a submission, read directly (what was decrypted: each is
    /// recorded before its decryption, and only after the ledger write that passed the guard); null where
    /// the test cannot read the store without a user's token.
    /// </summary>
    protected virtual async Task<int?> StoredComputationsAsync(string patientUid, string submissionId)
    {
        using var scope = app.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync($"computations/{patientUid}/{submissionId}");
        return (stored as JsonObject)?.Count ?? 0;
    }

    // The results the doctor's page shows for a submission (read through the app, as the doctor).
    private static async Task<int> ShownResultsAsync(Account doctor, string submissionId) =>
        (await doctor.Client.GetAsync($"/Doctor/Submissions/{submissionId}")).Document.QuerySelectorAll("[data-result^='formula~']").Length;

    private async Task AssertOneDecryptedAsync(Account patient, Account doctor, string submissionId)
    {
        Assert.Equal(1, await ShownResultsAsync(doctor, submissionId));
        if (await StoredComputationsAsync(patient.Uid, submissionId) is { } stored)
        {
            Assert.Equal(1, stored);
        }
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
            await AssertOneDecryptedAsync(patient, doctor, id);
            var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
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
            await AssertOneDecryptedAsync(patient, doctor, id);
            Assert.Equal(0, await ShownResultsAsync(doctor, older));
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

    /// <inheritdoc />
    protected override Task<int?> StoredComputationsAsync(string patientUid, string submissionId) => Task.FromResult<int?>(null);
}
