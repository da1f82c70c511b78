using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Ledger;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Diagnostics.Workbench;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Diagnostics.Ledger;

/// <summary>The ledger's conditional write, and the workbench deciding inside it, at the store level.</summary>
public sealed class DisclosureLedgerTests(CastWebFactory app) : IClassFixture<CastWebFactory>
{
    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    private async Task<ActingDoctor> DoctorAsync(SignedInUser doctor) =>
        new(doctor.Uid, "Doctor X", (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(doctor.Uid)))!);

    private async Task<string> SendVitalsAsync(SignedInUser patient, SignedInUser doctor)
    {
        var answer = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", doctor.Uid), ("Form.Panels", "vitals"), ("Form.Values[systolic-bp]", "124"),
            ("Form.Values[diastolic-bp]", "82"), ("Form.Values[heart-rate]", "70")));
        return TestSubmissions.SubmissionIdOf(answer) ?? throw new InvalidOperationException(answer.FormAlert);
    }

    // A workbench like the app's, whose ledger talks to the given store.
    private DoctorWorkbench WorkbenchOver(IServiceProvider services, ITreeStore ledgerStore) => new(
        services.GetRequiredService<SubmissionCopies>(), services.GetRequiredService<FormulaCatalog>(),
        services.GetRequiredService<HomomorphicEvaluator>(), services.GetRequiredService<ResultDecryptor>(),
        services.GetRequiredService<ComputationRecords>(), services.GetRequiredService<Diagnoses>(),
        services.GetRequiredService<SignedStates>(),
        new DisclosureLedger(ledgerStore, services.GetRequiredService<RecordSigner>(), TimeProvider.System));

    [Fact]
    public async Task A_write_from_a_stale_read_fails_closed_and_the_ledger_keeps_the_winner()
    {
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(app.DoctorX.Uid)))!;
        var doctor = new ActingDoctor(app.DoctorX.Uid, "Doctor X", keys);
        var ledger = app.Services.CreateScope().ServiceProvider.GetRequiredService<DisclosureLedger>();
        var patientUid = $"p{Guid.NewGuid():N}";
        var read = await ledger.ReadAsync(doctor, patientUid);
        Assert.Equal(TreeStore.NullETag, read.ETag);

        var winner = await ledger.TryAppendAsync(doctor, patientUid, read, new Disclosure(ComputationKind.Formula, "map", ["s1"], DateTimeOffset.UtcNow));
        var loser = await ledger.TryAppendAsync(doctor, patientUid, read, new Disclosure(ComputationKind.Formula, "pulse-pressure", ["s1"], DateTimeOffset.UtcNow));

        Assert.NotNull(winner);
        Assert.Null(loser);
        var now = await ledger.ReadAsync(doctor, patientUid);
        Assert.Equal(["map"], now.Entries.Select(e => e.Id));
        // A second stale write, after the first change, fails too.
        Assert.Null(await ledger.TryAppendAsync(doctor, patientUid, read, new Disclosure(ComputationKind.Formula, "x", ["s1"], DateTimeOffset.UtcNow)));
    }

    [Fact]
    public async Task The_ledger_is_sealed_and_signed_so_formula_ids_are_not_in_the_clear_and_an_edit_is_refused()
    {
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(app.DoctorX.Uid)))!;
        var doctor = new ActingDoctor(app.DoctorX.Uid, "Doctor X", keys);
        var ledger = app.Services.CreateScope().ServiceProvider.GetRequiredService<DisclosureLedger>();
        var patientUid = $"p{Guid.NewGuid():N}";
        await ledger.TryAppendAsync(doctor, patientUid, await ledger.ReadAsync(doctor, patientUid),
            new Disclosure(ComputationKind.Check, "hba1c-diabetes", ["s1"], DateTimeOffset.UtcNow, Met: true));
        var path = DisclosureLedger.PathOf(doctor.Uid, patientUid);
        var stored = (await Store.GetAsync(path))!.ToJsonString();
        Assert.DoesNotContain("hba1c", stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("check", stored, StringComparison.OrdinalIgnoreCase);

        var altered = JsonNode.Parse(stored)!;
        altered["sealed"]!["count"] = 0;
        await Store.SetAsync(path, altered);
        await Assert.ThrowsAsync<RecordTamperedException>(() => ledger.ReadAsync(doctor, patientUid));
    }

    [Fact]
    public async Task Two_requests_forced_to_read_the_same_ledger_version_never_both_decrypt()
    {
        var id = await SendVitalsAsync(app.PatientA, app.DoctorX);
        // Both requests read the ledger before either writes: the interleaving that broke the old guard.
        using var barrier = new Barrier(2);
        var firstReads = 0;
        var racing = TreeStoreInterceptor.Wrap(Store, (name, args, call) =>
        {
            if (name == nameof(ITreeStore.GetWithETagAsync) && Interlocked.Increment(ref firstReads) <= 2)
            {
                return Task.Run(async () =>
                {
                    var read = await (Task<ETagged>)call()!;
                    barrier.SignalAndWait(TimeSpan.FromSeconds(30));
                    return read;
                });
            }
            return call();
        });
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(app.DoctorX.Uid)))!;
        var doctor = new ActingDoctor(app.DoctorX.Uid, "Doctor X", keys);

        var outcomes = await Task.WhenAll(new[] { "map", "pulse-pressure" }.Select(formula => Task.Run(async () =>
        {
            using var scope = app.Services.CreateScope();
            try
            {
                return await WorkbenchOver(scope.ServiceProvider, racing).ComputeAsync(doctor, id, formula) is null ? "missing" : "decrypted";
            }
            catch (CombinedDisclosureRefusedException)
            {
                return "refused";
            }
        })));

        Assert.Equal(["decrypted", "refused"], outcomes.Order());
        Assert.Equal(1, (await Store.GetAsync($"computations/{app.PatientA.Uid}/{id}") as JsonObject)?.Count);
    }

    [Fact]
    public async Task When_every_ledger_write_conflicts_nothing_is_recorded_or_decrypted_and_the_doctor_is_asked_to_retry()
    {
        var id = await SendVitalsAsync(app.PatientA, app.DoctorX);
        var conflicting = TreeStoreInterceptor.Wrap(Store, (name, args, call) =>
            name == nameof(ITreeStore.SetIfMatchAsync) && ((string)args[0]!).StartsWith("disclosures/", StringComparison.Ordinal)
                ? Task.FromException<string>(new TreeStoreConflictException())
                : call());
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(app.DoctorX.Uid)))!;
        var doctor = new ActingDoctor(app.DoctorX.Uid, "Doctor X", keys);
        using var scope = app.Services.CreateScope();

        await Assert.ThrowsAsync<DisclosureBusyException>(() => WorkbenchOver(scope.ServiceProvider, conflicting).ComputeAsync(doctor, id, "map"));
        Assert.Null(await Store.GetAsync($"computations/{app.PatientA.Uid}/{id}"));
    }

    [Fact]
    public async Task A_deleted_ledger_does_not_reset_the_guard_because_the_signed_records_still_count()
    {
        var id = await SendVitalsAsync(app.PatientA, app.DoctorX);
        var page = await app.DoctorX.Client.PressAsync($"/Doctor/Submissions/{id}", "button[name=formulaId][value='map']", htmx: true);
        Assert.NotNull(page.Document.QuerySelector("[data-result='formula~map']"));
        await Store.DeleteAsync(DisclosureLedger.PathOf(app.DoctorX.Uid, app.PatientA.Uid));

        var fresh = await app.DoctorX.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = fresh.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var answer = await app.DoctorX.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Compute", Form(("formulaId", "pulse-pressure"), ("__RequestVerificationToken", token)), htmx: true);

        Assert.Null(answer.Document.QuerySelector("[data-result='formula~pulse-pressure']"));
        Assert.Contains("would reveal", answer.Document.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeating_a_check_returns_the_stored_outcome_without_a_new_decryption_and_stores_nothing_blinded()
    {
        var answer = await app.PatientA.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", app.DoctorX.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "6.5")));
        var id = TestSubmissions.SubmissionIdOf(answer)!;
        var first = await app.DoctorX.Client.PressAsync($"/Doctor/Submissions/{id}", "button[name=checkId][value='hba1c-diabetes']", htmx: true);
        Assert.Contains("Diabetes range", first.Document.QuerySelector("[data-result='check~hba1c-diabetes']")!.TextContent);
        // The submission's only computation record (stored under its log position, which names nothing).
        var record = (await Store.GetAsync($"computations/{app.PatientA.Uid}/{id}"))!.AsObject().Single().Value!;
        Assert.Null(record["sealed"]!["forDoctor"]);
        Assert.NotNull(record["sealed"]!["forPatient"]);

        // No decryption the second time: the doctor's private key is not used by the check path at all.
        var decryptions = 0;
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(app.DoctorX.Uid)))!;
        var doctor = new ActingDoctor(app.DoctorX.Uid, "Doctor X", keys);
        var counting = TreeStoreInterceptor.Wrap(Store, (name, args, call) =>
        {
            if (name == nameof(ITreeStore.SetIfMatchAsync))
            {
                Interlocked.Increment(ref decryptions); // a new decryption would need a new ledger entry first
            }
            return call();
        });
        using var scope = app.Services.CreateScope();
        var again = await WorkbenchOver(scope.ServiceProvider, counting).CheckAsync(doctor, id, "hba1c-diabetes");
        Assert.Equal("Diabetes range", again!.Label);
        Assert.Equal(0, decryptions);
    }
}
