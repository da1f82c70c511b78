using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Ledger;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Features.Diagnostics.Workbench;

/// <summary>What the doctor's submission page shows: metadata, what can be computed, and results so far. No raw value.</summary>
/// <param name="SubmissionId">Id.</param>
/// <param name="PatientName">Patient's name (signed by them).</param>
/// <param name="SentAt">When sent.</param>
/// <param name="PanelIds">Panels sent.</param>
/// <param name="AnalyteIds">Which analytes have a value (not the values).</param>
/// <param name="Formulas">Catalog formulas whose inputs are present.</param>
/// <param name="SeriesFormulas">Mean/change across this patient's submissions to this doctor, up to this one.</param>
/// <param name="Checks">Threshold checks whose analyte is present.</param>
/// <param name="Results">Results computed so far, newest last.</param>
/// <param name="RefusedResults">Stored results whose signature failed (not shown).</param>
/// <param name="Diagnosed">Whether a diagnosis was sent (computing is then closed).</param>
/// <param name="Withheld">Formulas that, with results already computed for this patient, would reveal a raw value:
/// id → the reason, naming the earlier results and the value (e.g. "with Non-HDL cholesterol already computed it would reveal …").</param>
/// <param name="SentDiagnosis">The diagnosis as sent, re-read with the doctor's key; null when none, or when it did not verify.</param>
/// <param name="SentDiagnosisRefused">Set when a diagnosis is stored but was altered, so it is not shown.</param>
/// <param name="Context">The patient context sealed with the submission (sex at birth, year of birth); the checks offered fit it.</param>
/// <param name="NotForPatient">Checks whose analyte is present but whose cut-off is not for this patient, with the reason,
/// so the doctor sees why they are not offered rather than wondering where they went.</param>
public sealed record DoctorSubmission(
    string SubmissionId,
    string PatientName,
    DateTimeOffset SentAt,
    IReadOnlyList<string> PanelIds,
    IReadOnlyList<string> AnalyteIds,
    IReadOnlyList<DiagnosticFormula> Formulas,
    IReadOnlyList<DiagnosticFormula> SeriesFormulas,
    IReadOnlyList<ThresholdCheck> Checks,
    IReadOnlyList<ResultLine> Results,
    int RefusedResults,
    bool Diagnosed,
    IReadOnlyDictionary<string, string> Withheld,
    Diagnosis? SentDiagnosis = null,
    bool SentDiagnosisRefused = false,
    Patient.PatientContext? Context = null,
    IReadOnlyList<CheckNotOffered>? NotForPatient = null);

/// <summary>A threshold check left out for this patient, and why (e.g. "not for this patient (male)").</summary>
public sealed record CheckNotOffered(ThresholdCheck Check, string Reason);

/// <summary>The formula or check id is not one the doctor can run on this submission.</summary>
public sealed class NotComputableException(string id) : Exception($"'{id}' cannot be computed on this submission.")
{
    /// <summary>The message shown to the doctor.</summary>
    public const string PlainMessage = "That computation is not available for this submission.";
}

/// <summary>The diagnosis was sent: the submission takes no further computation, so the diagnosis stays the last word on it.</summary>
public sealed class ComputingClosedException() : Exception(PlainMessage)
{
    /// <summary>The message shown to the doctor.</summary>
    public const string PlainMessage = "Not run: the diagnosis was sent, so computing on this submission is closed. The patient has exactly the results you sent with it.";
}

/// <summary>
/// The doctor's work on one submission: open it (verify, mark opened), compute formulas and
/// threshold checks on ciphertexts, and send the diagnosis. Every decryption goes through
/// <see cref="ResultDecryptor"/> and is recorded for the patient before it happens.
/// </summary>
public sealed class DoctorWorkbench(
    SubmissionCopies copies,
    FormulaCatalog catalog,
    HomomorphicEvaluator evaluator,
    ResultDecryptor decryptor,
    ComputationRecords computations,
    Diagnoses diagnoses,
    SignedStates states,
    DisclosureLedger ledger,
    MaskPools? masks = null)
{
    /// <summary>How often a compute request re-reads the ledger after losing the conditional write.</summary>
    public const int LedgerAttempts = 8;

    /// <summary>Opens a submission for the doctor; null when it is not in their inbox. Marks it opened.</summary>
    /// <exception cref="RecordTamperedException">The entry or the patient's keys were altered.</exception>
    public async Task<DoctorSubmission?> OpenAsync(ActingDoctor doctor, string submissionId, CancellationToken ct = default)
    {
        if (await LoadAsync(doctor, submissionId, ct) is not { } context)
        {
            return null;
        }
        var current = context.Entry;
        if (current.State == SubmissionState.Sent)
        {
            await copies.SetStateAsync(doctor.Uid, current.PatientUid, submissionId, SubmissionState.Opened, ct);
        }
        if (current.State != SubmissionState.Diagnosed
            && await diagnoses.FindWrittenAsync(current.PatientUid, submissionId, doctor.Uid, doctor.Keys.Keys.SigningKey, ct) is { } written)
        {
            // The diagnosis landed but the signed state did not (the two are separate writes):
            // finish the move, so the patient is not told their state was reset.
            await copies.SetStateAsync(doctor.Uid, current.PatientUid, submissionId, SubmissionState.Diagnosed,
                states.Diagnosed(doctor, current.PatientUid, submissionId, written), ct);
        }
        var present = current.DoctorKeyValues.Values.Keys.ToHashSet(StringComparer.Ordinal);
        var state = await ledger.ReadAsync(doctor, current.PatientUid, ct);
        var (results, refused) = await ResultsAsync(doctor, current, state, ct);
        var formulas = catalog.FormulasComputableFrom(present).Where(f => f.Inputs.Count > 1).Select(f => (Formula: f, Inputs: (IReadOnlyList<string>)[submissionId]))
            .Concat(SeriesFormulas(context).Select(s => (s.Formula, Inputs: (IReadOnlyList<string>)s.Inputs.Select(i => i.SubmissionId).ToList())))
            .ToList();
        var earlier = await EarlierDisclosuresAsync(doctor, context, state, ct);
        var withheld = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (formula, inputs) in formulas)
        {
            if (DisclosureGuard.Explain(earlier, LinearDisclosure.Of(formula, inputs)) is { } refusal)
            {
                withheld[formula.Id] = DisclosureWording.Reason(AnalyteName(refusal.Revealed), [.. refusal.Because.Select(b => b.Name)]);
            }
        }
        var diagnosed = current.State == SubmissionState.Diagnosed || await diagnoses.ExistsAsync(current.PatientUid, submissionId, ct);
        Diagnosis? sent = null;
        var sentRefused = false;
        if (diagnosed)
        {
            try
            {
                sent = await diagnoses.ReadSentAsync(current.PatientUid, submissionId, doctor, ct);
            }
            catch (RecordTamperedException)
            {
                sentRefused = true;
            }
        }
        return new DoctorSubmission(
            submissionId,
            current.PatientName,
            current.SentAt,
            current.PanelIds,
            catalog.Labs.Analytes.Select(a => a.Id).Where(present.Contains).ToList(),
            catalog.FormulasComputableFrom(present).Where(f => f.Inputs.Count > 1).ToList(),
            SeriesFormulas(context).Select(s => s.Formula).ToList(),
            catalog.ChecksComputableFrom(present, current.Context ?? Patient.PatientContext.None, current.SentAt.Year).ToList(),
            results,
            refused,
            diagnosed,
            withheld,
            sent,
            sentRefused,
            current.Context ?? Patient.PatientContext.None,
            catalog.ChecksComputableFrom(present)
                .Select(c => (Check: c, Reason: FormulaCatalog.NotFittingReason(c, current.Context ?? Patient.PatientContext.None, current.SentAt.Year)))
                .Where(c => c.Reason is not null)
                .Select(c => new CheckNotOffered(c.Check, c.Reason!))
                .ToList());
    }

    /// <summary>
    /// Computes a formula (catalog or series) on the doctor-key ciphertexts, computes the same on
    /// the patient-key ciphertexts, records both with an audit event, and only then decrypts the
    /// doctor's result.
    /// </summary>
    /// <exception cref="RecordTamperedException">An input record was altered; nothing was decrypted.</exception>
    /// <exception cref="RawValueRefusedException">The formula would reveal a raw value.</exception>
    /// <exception cref="NotComputableException">Unknown formula, or inputs missing.</exception>
    public async Task<ResultLine?> ComputeAsync(ActingDoctor doctor, string submissionId, string formulaId, CancellationToken ct = default)
    {
        if (await LoadAsync(doctor, submissionId, ct) is not { } context)
        {
            return null;
        }
        await RefuseWhenDiagnosedAsync(context, ct);
        if (!catalog.TryGetFormula(formulaId, out var formula))
        {
            throw new NotComputableException(formulaId);
        }
        IReadOnlyList<VerifiedInboxEntry> inputs;
        if (formula.SubmissionCount == 1)
        {
            inputs = [context.Entry];
        }
        else
        {
            inputs = SeriesFormulas(context).FirstOrDefault(s => s.Formula.Id == formula.Id).Inputs
                ?? throw new NotComputableException(formulaId);
        }
        if (!formula.Inputs.All(f => inputs[f.Submission].DoctorKeyValues.Values.ContainsKey(f.AnalyteId)))
        {
            throw new NotComputableException(formulaId);
        }

        var inputIds = inputs.Select(i => i.SubmissionId).ToList();
        // Homomorphic work first: it decrypts nothing, and refuses single-input formulas on its own.
        // Fresh E(B) for both results from precomputed masks: the doctor's own pool and the patient's recipient pool.
        var encryptor = masks?.EncryptorFor(doctor.Keys);
        var forDoctor = evaluator.Evaluate(formula, inputs.Select(i => i.DoctorKeyValues).ToList(), doctor.Keys.Keys.PaillierPublicKey, encryptor);
        var patientCopies = new List<SubmissionCiphertexts>();
        foreach (var input in inputs)
        {
            patientCopies.Add(await copies.PatientCopyAsync(context.Entry.PatientUid, doctor.Uid, input.SubmissionId, context.PatientKeys, EnvelopeReader.For(doctor.Keys), ct));
        }
        var forPatient = evaluator.Evaluate(formula, patientCopies, context.PatientKeys.GetPaillierPublicKey(), encryptor);
        // The guard decides inside the ledger's conditional write: of two concurrent requests only one
        // write lands; the other re-reads, now sees the first one's entry, and decides again.
        await EnterAsync(doctor, context.Entry.PatientUid, async state =>
        {
            if (DisclosureGuard.Explain(await EarlierDisclosuresAsync(doctor, context, state, ct), LinearDisclosure.Of(formula, inputIds)) is { } refusal)
            {
                throw new CombinedDisclosureRefusedException(AnalyteName(refusal.Revealed), [.. refusal.Because.Select(b => b.Name)]);
            }
            return new Disclosure(ComputationKind.Formula, formula.Id, inputIds, DateTimeOffset.UtcNow);
        }, ct);
        var at = await computations.RecordAsync(context.Entry.PatientUid, context.PatientKeys.GetPaillierPublicKey(),
            new ComputationDraft(ComputationKind.Formula, formula.Id, formula.Name, submissionId, forDoctor.InputSubmissions,
                forDoctor.ToEncryptedFixedPoint(), forPatient.ToEncryptedFixedPoint()),
            doctor, ct);
        return Line(formula, decryptor.Decrypt(forDoctor, doctor.Keys.Keys.Paillier), at);
    }

    /// <summary>
    /// Runs a threshold check: blinded on the doctor-key ciphertext so only the side is learnt;
    /// the patient's copy holds the unblinded difference under the patient's key.
    /// </summary>
    /// <exception cref="RecordTamperedException">An input record was altered; nothing was decrypted.</exception>
    /// <exception cref="NotComputableException">Unknown check, or its analyte is missing.</exception>
    public async Task<ResultLine?> CheckAsync(ActingDoctor doctor, string submissionId, string checkId, CancellationToken ct = default)
    {
        if (await LoadAsync(doctor, submissionId, ct) is not { } context)
        {
            return null;
        }
        await RefuseWhenDiagnosedAsync(context, ct);
        if (!catalog.TryGetCheck(checkId, out var check) || !context.Entry.DoctorKeyValues.Values.ContainsKey(check.AnalyteId))
        {
            throw new NotComputableException(checkId);
        }
        if (FormulaCatalog.NotFittingReason(check, context.Entry.Context ?? Patient.PatientContext.None, context.Entry.SentAt.Year) is { } notFitting)
        {
            throw new CheckNotForPatientException(check.Name, notFitting);
        }
        var patientUid = context.Entry.PatientUid;
        // Asked before: the outcome stored in the doctor's sealed ledger, no new decryption.
        var known = await ledger.ReadAsync(doctor, patientUid, ct);
        if (StoredOutcome(known, check.Id, submissionId) is { } stored)
        {
            return Line(check, stored.Met!.Value, stored.At);
        }
        // The copy was verified and opened by LoadAsync; its sealed answer (or, in older copies, its bits) is read from there.
        var opened = context.Entry.OpenedContent ?? throw new NotComputableException(checkId);
        var doctorKey = doctor.Keys.Keys.PaillierPublicKey;
        BlindedComparison blinded;
        if (CheckAnswers.Read(opened, check, doctorKey) is { } answer)
        {
            blinded = evaluator.Answer(check, submissionId, answer, doctorKey, masks?.EncryptorFor(doctor.Keys));
        }
        else
        {
            var bits = ComparisonBits.Read(opened, check.AnalyteId, doctorKey, catalog.Labs) ?? throw new NotComputableException(checkId);
            blinded = evaluator.Compare(check, submissionId, bits, doctorKey, masks?.EncryptorFor(doctor.Keys).OwnPoolFor(bits.Bits.Length));
        }
        var patientCopy = await copies.PatientCopyAsync(patientUid, doctor.Uid, submissionId, context.PatientKeys, EnvelopeReader.For(doctor.Keys), ct);
        var forPatient = evaluator.Difference(check, patientCopy, context.PatientKeys.GetPaillierPublicKey());
        Disclosure? answered = null;
        var entered = await EnterAsync(doctor, patientUid, state =>
        {
            answered = StoredOutcome(state, check.Id, submissionId);
            return Task.FromResult(answered is null ? new Disclosure(ComputationKind.Check, check.Id, [submissionId], DateTimeOffset.UtcNow) : null);
        }, ct);
        if (answered is not null)
        {
            return Line(check, answered.Met!.Value, answered.At); // a concurrent request answered it meanwhile
        }
        // The record (with the patient's E(Δ), and no doctor ciphertext) and its audit event, then the decryption.
        var at = await computations.RecordAsync(patientUid, context.PatientKeys.GetPaillierPublicKey(),
            new ComputationDraft(ComputationKind.Check, check.Id, check.Name, submissionId, [submissionId], null, forPatient),
            doctor, ct);
        var met = decryptor.IsMet(blinded, doctor.Keys.Keys.Paillier);
        await RecordOutcomeAsync(doctor, patientUid, entered!, met, ct);
        return Line(check, met, at);
    }

    // Computing closes once the diagnosis is sent: the patient's diagnosis then carries exactly the
    // results the doctor chose, and nothing is decrypted after it that the doctor did not send with it.
    private async Task RefuseWhenDiagnosedAsync(Context context, CancellationToken ct)
    {
        if (context.Entry.State == SubmissionState.Diagnosed || await diagnoses.ExistsAsync(context.Entry.PatientUid, context.Entry.SubmissionId, ct))
        {
            throw new ComputingClosedException();
        }
    }

    // The ledger entry a check's earlier run wrote its outcome into, if any.
    private static Disclosure? StoredOutcome(LedgerState state, string checkId, string submissionId) =>
        state.Entries.LastOrDefault(e => e.Kind == ComputationKind.Check && e.Id == checkId && e.Met is not null
            && e.InputSubmissions.Count == 1 && e.InputSubmissions[0] == submissionId);

    /// <summary>
    /// Reads the ledger, lets <paramref name="decide"/> choose the entry to add (or throw a refusal, or return
    /// null for nothing to add), and writes it conditionally; on a conflict re-reads and decides again.
    /// Returns the entry written, or null when nothing was to be added.
    /// </summary>
    /// <exception cref="DisclosureBusyException">Every attempt lost to a concurrent write; nothing may be decrypted.</exception>
    private async Task<Disclosure?> EnterAsync(ActingDoctor doctor, string patientUid, Func<LedgerState, Task<Disclosure?>> decide, CancellationToken ct)
    {
        for (var attempt = 0; attempt < LedgerAttempts; attempt++)
        {
            var state = await ledger.ReadAsync(doctor, patientUid, ct);
            if (await decide(state) is not { } entry)
            {
                return null;
            }
            if (await ledger.TryAppendAsync(doctor, patientUid, state, entry, ct) is not null)
            {
                return entry;
            }
            // Lost the race: back off a little, at random, so two tabs do not keep colliding.
            await Task.Delay(System.Security.Cryptography.RandomNumberGenerator.GetInt32(5, 25 * (attempt + 1)), ct);
        }
        throw new DisclosureBusyException();
    }

    // Writes a check's outcome into its ledger entry. Best effort after the decryption: if it never lands,
    // the next run of the check decrypts again, which reveals nothing new (the side is the same).
    private async Task RecordOutcomeAsync(ActingDoctor doctor, string patientUid, Disclosure entry, bool met, CancellationToken ct)
    {
        for (var attempt = 0; attempt < LedgerAttempts; attempt++)
        {
            var state = await ledger.ReadAsync(doctor, patientUid, ct);
            var entries = state.Entries.ToList();
            // Disclosure is a record over a list: compare the inputs by content, since a re-read ledger holds new lists.
            var index = entries.FindLastIndex(e => e.Kind == entry.Kind && e.Id == entry.Id && e.At == entry.At
                && e.InputSubmissions.SequenceEqual(entry.InputSubmissions, StringComparer.Ordinal));
            if (index < 0)
            {
                entries.Add(entry with { Met = met });
            }
            else
            {
                entries[index] = entry with { Met = met };
            }
            if (await ledger.TryWriteAsync(doctor, patientUid, state, entries, ct) is not null)
            {
                return;
            }
        }
    }

    /// <summary>Encrypts the diagnosis for the patient, with the chosen results, and marks the submission diagnosed.</summary>
    /// <exception cref="AlreadyDiagnosedException">A diagnosis exists; nothing was overwritten.</exception>
    /// <exception cref="RecordTamperedException">The entry or the patient's keys were altered.</exception>
    public async Task<bool> DiagnoseAsync(ActingDoctor doctor, string submissionId, string text, IReadOnlyCollection<string> includedResultKeys, CancellationToken ct = default)
    {
        if (await LoadAsync(doctor, submissionId, ct) is not { } context)
        {
            return false;
        }
        var (results, _) = await ResultsAsync(doctor, context.Entry, await ledger.ReadAsync(doctor, context.Entry.PatientUid, ct), ct);
        // Exactly the ticked results, each as the doctor sees it now; a key that names no result is ignored.
        var included = results.Where(r => includedResultKeys.Contains(r.Key)).ToList();
        var written = await diagnoses.WriteAsync(context.Entry.PatientUid, submissionId, context.PatientKeys, doctor, text, included, ct);
        // Not in the same write as the diagnosis: the security rules let the state move only once the
        // diagnosis exists. If this fails, the page still reads "diagnosed" from the diagnosis itself,
        // and the next opening of the submission finishes the move. The move is signed, naming the
        // diagnosis's place in the log, so a reset state is noticed by the patient.
        await copies.SetStateAsync(doctor.Uid, context.Entry.PatientUid, submissionId, SubmissionState.Diagnosed,
            states.Diagnosed(doctor, context.Entry.PatientUid, submissionId, written), ct);
        return true;
    }

    private sealed record Context(VerifiedInboxEntry Entry, PublicKeyRecord PatientKeys, IReadOnlyList<VerifiedInboxEntry> Series, JsonObject Raw);

    private string AnalyteName(RawValue value) =>
        catalog.Labs.TryGetAnalyte(value.AnalyteId, out var analyte) ? analyte.Name : value.AnalyteId;

    // Every formula result this doctor already decrypted for this patient: the ledger's entries and, so that
    // a deleted or rolled-back ledger cannot reset the guard, the verified computation records too.
    private async Task<IReadOnlyList<LinearDisclosure>> EarlierDisclosuresAsync(ActingDoctor doctor, Context context, LedgerState state, CancellationToken ct)
    {
        var earlier = new List<LinearDisclosure>();
        foreach (var entry in state.Entries.Where(e => e.Kind == ComputationKind.Formula))
        {
            if (catalog.TryGetFormula(entry.Id, out var done) && done.Terms.All(t => t.Input.Submission < entry.InputSubmissions.Count))
            {
                earlier.Add(LinearDisclosure.Of(done, entry.InputSubmissions));
            }
        }
        foreach (var submission in context.Series.Select(s => s.SubmissionId).Append(context.Entry.SubmissionId).Distinct(StringComparer.Ordinal))
        {
            foreach (var record in await computations.ListAsync(context.Entry.PatientUid, submission, doctor.Uid, doctor.Keys.Keys.SigningKey, EnvelopeReader.For(doctor.Keys), ct))
            {
                IReadOnlyList<string> over = record.InputSubmissions.Count > 0 ? record.InputSubmissions : [submission];
                if (!record.IsTampered && record.Kind == ComputationKind.Formula
                    && catalog.TryGetFormula(record.Id, out var done) && done.Terms.All(t => t.Input.Submission < over.Count))
                {
                    earlier.Add(LinearDisclosure.Of(done, over));
                }
            }
        }
        return earlier;
    }

    private async Task<Context?> LoadAsync(ActingDoctor doctor, string submissionId, CancellationToken ct)
    {
        if (await copies.FindInboxEntryAsync(doctor.Uid, submissionId, ct) is not { } entry)
        {
            return null;
        }
        var patientUid = entry["patientUid"]?.GetValue<string>() ?? "";
        var patientKeys = (patientUid.Length > 0 ? await copies.PatientKeysAsync(patientUid, ct) : null) ?? throw new RecordTamperedException();
        var doctorKey = EnvelopeReader.For(doctor.Keys);
        var current = copies.Verify(doctor.Uid, submissionId, entry, patientKeys, patientUid, doctorKey);
        var series = await copies.PatientSeriesAsync(doctor.Uid, patientUid, patientKeys, doctorKey, ct);
        return new Context(current, patientKeys, series, entry);
    }

    // For each analyte of this submission: the mean and change over every submission of this patient
    // to this doctor, up to and including this one, that has it. A mean over one submission is the
    // raw value and is never offered (the evaluator would refuse it anyway).
    private IEnumerable<(DiagnosticFormula Formula, IReadOnlyList<VerifiedInboxEntry> Inputs)> SeriesFormulas(Context context)
    {
        var upToThis = context.Series
            .Where(s => s.SentAt < context.Entry.SentAt || (s.SentAt == context.Entry.SentAt && string.CompareOrdinal(s.SubmissionId, context.Entry.SubmissionId) <= 0))
            .ToList();
        foreach (var analyte in catalog.Labs.Analytes.Where(a => context.Entry.DoctorKeyValues.Values.ContainsKey(a.Id)))
        {
            var withIt = upToThis.Where(s => s.DoctorKeyValues.Values.ContainsKey(analyte.Id)).TakeLast(FormulaCatalog.MaxSubmissions).ToList();
            foreach (var template in catalog.Templates)
            {
                if (withIt.Count >= Math.Max(2, template.MinimumSubmissions))
                {
                    yield return (template.Create(analyte, withIt.Count), withIt);
                }
            }
        }
    }

    private async Task<(IReadOnlyList<ResultLine> Lines, int Refused)> ResultsAsync(ActingDoctor doctor, VerifiedInboxEntry entry, LedgerState state, CancellationToken ct)
    {
        var stored = ComputationRecords.Latest(await computations.ListAsync(entry.PatientUid, entry.SubmissionId, doctor.Uid, doctor.Keys.Keys.SigningKey, EnvelopeReader.For(doctor.Keys), ct));
        var lines = new List<ResultLine>();
        var refused = 0;
        var key = doctor.Keys.Keys.PaillierPublicKey;
        foreach (var record in stored)
        {
            // A result the doctor's evaluator produced and the doctor signed, decrypted again for display:
            // the same value that was recorded for the patient when it was first computed.
            try
            {
                if (record.IsTampered)
                {
                    refused++;
                }
                else if (record.Kind == ComputationKind.Formula && catalog.TryGetFormula(record.Id, out var formula) && formula.Inputs.Count > 1 && record.ForDoctorJson is not null)
                {
                    var value = EncryptedFixedPoint.FromJson(key, record.ForDoctorJson);
                    var result = new ComputedResult(formula, record.InputSubmissions, value.Ciphertext, value.Denominator, value.Slot);
                    lines.Add(Line(formula, decryptor.Decrypt(result, doctor.Keys.Keys.Paillier), record.At));
                }
                else if (record.Kind == ComputationKind.Check && catalog.TryGetCheck(record.Id, out var check)
                    && StoredOutcome(state, check.Id, entry.SubmissionId) is { } outcome)
                {
                    // The outcome from the doctor's sealed ledger: nothing blinded is stored, nothing is decrypted again.
                    lines.Add(Line(check, outcome.Met!.Value, record.At));
                }
                else
                {
                    refused++;
                }
            }
            catch (Exception ex) when (ex is PaillierException or RecordTamperedException)
            {
                refused++;
            }
        }
        return (lines, refused);
    }

    /// <summary>A formula's result as a line.</summary>
    public static ResultLine Line(DiagnosticFormula formula, Rational value, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(formula);
        var band = formula.Interpret(value);
        return new ResultLine(ComputationKind.Formula, formula.Id, formula.Name, formula.Format(value), band.Label, band.Sentence, band.Severity != BandSeverity.Normal, at);
    }

    /// <summary>A threshold check's outcome as a line.</summary>
    public ResultLine Line(ThresholdCheck check, bool met, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(check);
        var analyte = catalog.Labs.GetAnalyte(check.AnalyteId);
        var condition = check.OutcomeText(met, analyte);
        return new ResultLine(ComputationKind.Check, check.Id, check.Name, condition, met ? check.MetLabel : check.NotMetLabel, check.SentenceFor(met), met, at);
    }
}
