using System.Security.Cryptography;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Diagnostics.Workbench;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Features.Diagnostics.PatientView;

/// <summary>What the patient sees about the doctor's work on one submission.</summary>
/// <param name="SubmissionId">Id.</param>
/// <param name="DoctorName">Recipient.</param>
/// <param name="Results">Every result the doctor computed, decrypted with the patient's key.</param>
/// <param name="Diagnosis">The diagnosis, or null when none yet.</param>
/// <param name="Audit">Which formulas and checks the doctor ran, and when, in log order (and when the diagnosis was sent).</param>
/// <param name="Refusals">Plain messages for records refused because they were altered.</param>
/// <param name="LogProblems">Plain messages for entries of the log that are missing, reordered, duplicated or altered, and for a diagnosis or state that does not match it.</param>
/// <param name="DiagnosisMissing">Set when a diagnosis was sent but is not in the store: what to say instead of "no diagnosis yet".</param>
public sealed record PatientDiagnosticsView(
    string SubmissionId,
    string DoctorName,
    IReadOnlyList<ResultLine> Results,
    Diagnosis? Diagnosis,
    IReadOnlyList<AuditEvent> Audit,
    IReadOnlyList<string> Refusals,
    IReadOnlyList<string>? LogProblems = null,
    string? DiagnosisMissing = null)
{
    /// <summary>
    /// The results that did not go with the diagnosis (all of them while there is none): the doctor
    /// computed them, so the patient sees them, but apart from what the doctor sent.
    /// </summary>
    public IReadOnlyList<ResultLine> NotSent =>
        Diagnosis is null ? Results : [.. Results.Where(r => !Diagnosis.Results.Any(d => d.Key == r.Key))];

    /// <summary>Whether a result was computed after the diagnosis was sent (computing closes then; a record from a race still shows for what it is).</summary>
    public bool ComputedAfterDiagnosis(ResultLine line) =>
        line is not null && Diagnosis is not null && line.ComputedAt > Diagnosis.WrittenAt;
}

/// <summary>
/// Reads, for the signed-in patient, the results the doctor computed on a submission, the
/// diagnosis and the log. Every record's doctor signature is checked (against the key whose
/// fingerprint the patient sent to) before anything in it is decrypted, and the log's hash chain is
/// checked against the computation records, the diagnosis and the doctor-signed state, so that a
/// deleted, copied, reordered or altered entry is reported by what it was.
/// </summary>
public sealed class PatientDiagnostics(SubmissionStore submissions, SubmissionOpener opener, AccountKeyRecords keys, ComputationRecords computations, Diagnoses diagnoses, AuditChain chain, SignedStates states, FormulaCatalog catalog, Directory.DoctorDirectory directory)
{
    /// <summary>The message shown for a refused diagnosis.</summary>
    public const string DiagnosisRefused = "The diagnosis: " + RecordTamperedException.PlainMessage;

    /// <summary>The message shown when some results were refused.</summary>
    public const string ResultsRefused = "Some results: " + RecordTamperedException.PlainMessage;

    /// <summary>The message shown when the audit log had altered entries.</summary>
    public const string AuditRefused = "Some audit entries: " + RecordTamperedException.PlainMessage;

    /// <summary>The view for one submission, or null when the patient has no such submission.</summary>
    /// <exception cref="RecordTamperedException">The patient's own copy was altered.</exception>
    public async Task<PatientDiagnosticsView?> LoadAsync(UnlockedKeys patient, string submissionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        if (!SubmissionIds.IsSubmissionId(submissionId) || await submissions.FindHistoryEntryAsync(patient.UserId, submissionId, ct) is not { } entry)
        {
            return null;
        }
        // Only who the doctor is and which key they had are needed here: verified, not decrypted (the page shows the values).
        var own = opener.VerifyPatientCopy(submissionId, entry, patient);
        var doctorName = own.Summary.DoctorName;
        var refusals = new List<string>();
        var problems = new List<LogProblem>();
        using var doctorKey = await DoctorKeyAsync(own.DoctorUid, own.DoctorFingerprint, ct);
        if (doctorKey is null)
        {
            // Without the key the patient encrypted to, no doctor record can be trusted.
            var anything = await computations.AnyAsync(patient.UserId, submissionId, ct)
                || await diagnoses.ExistsAsync(patient.UserId, submissionId, ct);
            return new PatientDiagnosticsView(submissionId, doctorName, [], null, [],
                anything ? [RecordTamperedException.PlainMessage] : []);
        }

        var records = await computations.ListAsync(patient.UserId, submissionId, own.DoctorUid, doctorKey, EnvelopeReader.For(patient), ct);

        Diagnosis? diagnosis = null;
        var diagnosisTampered = false;
        try
        {
            diagnosis = await diagnoses.ReadAsync(submissionId, patient, own.DoctorUid, doctorKey, ct);
        }
        catch (RecordTamperedException)
        {
            diagnosisTampered = true;
            refusals.Add(DiagnosisRefused);
        }

        SignedState? signedState = null;
        try
        {
            signedState = states.Read(entry[SignedStates.Field], patient.UserId, own.DoctorUid, submissionId, doctorKey);
        }
        catch (RecordTamperedException)
        {
            problems.Add(new LogProblem(submissionId, $"The record of when {doctorName} marked this submission diagnosed was altered in the store."));
        }

        var referenced = records.Where(r => !r.IsTampered).Select(r => (r.Seq, AuditEntryKind.Computation, r.At, submissionId)).ToList();
        if (diagnosis is not null)
        {
            referenced.Add((diagnosis.Seq, AuditEntryKind.Diagnosis, diagnosis.WrittenAt, submissionId));
        }
        if (signedState is not null)
        {
            referenced.Add((signedState.Seq, AuditEntryKind.Diagnosis, signedState.At, submissionId));
        }
        var reading = await chain.ReadAsync(patient.UserId, own.DoctorUid, doctorName, doctorKey, referenced, ct);
        problems.AddRange(reading.Problems);

        // Each computation entry of this submission must have its record, unchanged.
        var audit = new List<AuditEvent>();
        var byKey = records.ToDictionary(r => r.Key, StringComparer.Ordinal);
        var unmatched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in reading.Entries.Where(e => e.SubmissionId == submissionId))
        {
            var described = AuditChain.Describe(e.Kind, e.DoctorName, e.At);
            if (e.Kind == AuditEntryKind.Diagnosis)
            {
                audit.Add(new AuditEvent(e.EventId, e.Seq, AuditEntryKind.Diagnosis, ComputationKind.Formula, "", "", submissionId, [], own.DoctorUid, e.DoctorName, e.At));
                continue;
            }
            if (!byKey.TryGetValue(e.RecordKey, out var record))
            {
                problems.Add(new LogProblem(submissionId, $"The result of a computation by {e.DoctorName} on {AuditChain.When(e.At)} is missing from the store."));
            }
            else if (!record.IsTampered && record.Hash != e.RecordHash)
            {
                unmatched.Add(record.Key);
                problems.Add(new LogProblem(submissionId, $"The result of a computation by {e.DoctorName} on {AuditChain.When(e.At)} was replaced in the store; it is not shown."));
            }
            try
            {
                var about = AuditChain.OpenAbout(e.About, patient.UserId, own.DoctorUid, submissionId, e.Seq, EnvelopeReader.For(patient));
                if (!ComputationRecords.TryKind(ComputationRecords.Text(about, "kind"), out var kind))
                {
                    throw new RecordTamperedException();
                }
                audit.Add(new AuditEvent(e.EventId, e.Seq, AuditEntryKind.Computation, kind, ComputationRecords.Text(about, "id"), ComputationRecords.Text(about, "name"), submissionId,
                    ComputationRecords.Text(about, "inputs").Split(' ', StringSplitOptions.RemoveEmptyEntries), own.DoctorUid, e.DoctorName, e.At));
            }
            catch (RecordTamperedException)
            {
                problems.Add(new LogProblem(submissionId, $"{AuditChain.Capitalized(described)} was altered in the store; it is not shown."));
            }
        }

        var results = new List<ResultLine>();
        var refusedResults = false;
        foreach (var record in ComputationRecords.Latest(records.Where(r => !unmatched.Contains(r.Key))))
        {
            if (ReadResult(record, patient) is { } line)
            {
                results.Add(line);
            }
            else
            {
                refusedResults = true;
            }
        }
        if (refusedResults)
        {
            refusals.Add(ResultsRefused);
        }

        var diagnosisEntry = reading.Entries.LastOrDefault(e => e.Kind == AuditEntryKind.Diagnosis && e.SubmissionId == submissionId);
        string? diagnosisMissing = null;
        if (diagnosis is not null)
        {
            if ((diagnosisEntry is not null && diagnosisEntry.RecordHash != diagnosis.Hash)
                || (signedState is not null && signedState.DiagnosisHash != diagnosis.Hash))
            {
                problems.Add(new LogProblem(submissionId, $"The diagnosis shown is not the one {doctorName}'s log recorded: it was replaced in the store."));
            }
        }
        else if (!diagnosisTampered)
        {
            var sentAt = diagnosisEntry?.At ?? signedState?.At;
            if (sentAt is { } at)
            {
                diagnosisMissing = $"The diagnosis {doctorName} sent on {AuditChain.When(at)} is missing from the store.";
                problems.Add(new LogProblem(submissionId, diagnosisMissing));
            }
            else if (own.Summary.State == SubmissionState.Diagnosed)
            {
                diagnosisMissing = $"This submission is marked diagnosed, but no diagnosis from {doctorName} is in the store.";
                problems.Add(new LogProblem(submissionId, diagnosisMissing));
            }
        }
        var diagnosedAt = diagnosis?.WrittenAt ?? diagnosisEntry?.At ?? signedState?.At;
        if (diagnosedAt is { } when && own.Summary.State != SubmissionState.Diagnosed)
        {
            problems.Add(new LogProblem(submissionId,
                $"The store shows this submission as \u201c{SubmissionSealer.StateName(own.Summary.State)}\u201d, but {doctorName} sent a diagnosis on {AuditChain.When(when)}: its state was changed in the store."));
        }

        var shown = problems.Where(p => p.SubmissionId is null || p.SubmissionId == submissionId).Select(p => p.Message).Distinct(StringComparer.Ordinal).ToList();
        if (problems.Any(p => p.SubmissionId is not null && p.SubmissionId != submissionId))
        {
            shown.Add($"Entries of {doctorName}'s log about your other submissions are missing or altered too; open those submissions to see which.");
        }
        return new PatientDiagnosticsView(submissionId, doctorName, results, diagnosis, audit.OrderBy(a => a.Seq).ToList(), refusals, shown, diagnosisMissing);
    }

    /// <summary>
    /// For the patient's list: a plain note on each submission whose state says "diagnosed" while no
    /// diagnosis is in the store (the list draws from the clear state only, so it must not say so silently).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ListNotesAsync(string patientUid, IReadOnlyList<SubmissionSummary> list, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!list.Any(s => s.State == SubmissionState.Diagnosed))
        {
            return notes;
        }
        var present = await diagnoses.ListIdsAsync(patientUid, ct);
        foreach (var s in list.Where(s => s.State == SubmissionState.Diagnosed && !present.Contains(s.SubmissionId)))
        {
            notes[s.SubmissionId] = "Its diagnosis is missing from the store; open it to see what is known.";
        }
        return notes;
    }

    private async Task<ECDsa?> DoctorKeyAsync(string doctorUid, string fingerprint, CancellationToken ct)
    {
        try
        {
            // A doctor who deleted their account leaves their public keys in the server-signed
            // directory tombstone, so what they signed for this patient stays readable.
            var record = await keys.FindPublicAsync(doctorUid, ct)
                ?? (await directory.FindDepartedAsync(doctorUid, ct))?.PublicKeys;
            return record is not null && record.Fingerprint == fingerprint ? record.CreateVerificationKey() : null;
        }
        catch (RecordTamperedException)
        {
            return null;
        }
    }

    private ResultLine? ReadResult(StoredComputation record, UnlockedKeys patient)
    {
        if (record.IsTampered)
        {
            return null;
        }
        try
        {
            var value = EncryptedFixedPoint.FromJson(patient.Keys.PaillierPublicKey, record.ForPatientJson);
            var numerator = patient.Keys.Paillier.DecryptNumerator(value);
            if (record.Kind == ComputationKind.Formula && catalog.TryGetFormula(record.Id, out var formula) && value.Scale == 0)
            {
                return DoctorWorkbench.Line(formula, new Rational(numerator, value.Denominator), record.At);
            }
            if (record.Kind == ComputationKind.Check && catalog.TryGetCheck(record.Id, out var check) && value.Scale == 0 && value.Denominator.IsOne)
            {
                var analyte = catalog.Labs.GetAnalyte(check.AnalyteId);
                var met = catalog.IntegerFormOf(check).IsMet(numerator);
                var condition = check.OutcomeText(met, analyte);
                return new ResultLine(ComputationKind.Check, check.Id, check.Name, condition, met ? check.MetLabel : check.NotMetLabel, check.SentenceFor(met), met, record.At);
            }
            return null;
        }
        catch (PaillierException)
        {
            return null;
        }
    }
}
