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
/// <param name="Audit">Which formulas and checks the doctor ran, and when.</param>
/// <param name="Refusals">Plain messages for records refused because they were altered.</param>
public sealed record PatientDiagnosticsView(
    string SubmissionId,
    string DoctorName,
    IReadOnlyList<ResultLine> Results,
    Diagnosis? Diagnosis,
    IReadOnlyList<AuditEvent> Audit,
    IReadOnlyList<string> Refusals);

/// <summary>
/// Reads, for the signed-in patient, the results the doctor computed on a submission, the
/// diagnosis and the audit log. Every record's doctor signature is checked (against the key whose
/// fingerprint the patient sent to) before anything in it is decrypted.
/// </summary>
public sealed class PatientDiagnostics(SubmissionStore submissions, SubmissionOpener opener, AccountKeyRecords keys, ComputationRecords computations, Diagnoses diagnoses, FormulaCatalog catalog)
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
        var own = opener.OpenPatientCopy(submissionId, entry, patient);
        var refusals = new List<string>();
        using var doctorKey = await DoctorKeyAsync(own.DoctorUid, own.DoctorFingerprint, ct);
        if (doctorKey is null)
        {
            // Without the key the patient encrypted to, no doctor record can be trusted.
            var anything = await computations.AnyAsync(patient.UserId, submissionId, ct)
                || await diagnoses.ExistsAsync(patient.UserId, submissionId, ct);
            return new PatientDiagnosticsView(submissionId, own.Summary.DoctorName, [], null, [],
                anything ? [RecordTamperedException.PlainMessage] : []);
        }

        var results = new List<ResultLine>();
        var refusedResults = false;
        foreach (var record in await computations.ListAsync(patient.UserId, submissionId, own.DoctorUid, doctorKey, ct))
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

        Diagnosis? diagnosis = null;
        try
        {
            diagnosis = await diagnoses.ReadAsync(submissionId, patient, own.DoctorUid, doctorKey, ct);
        }
        catch (RecordTamperedException)
        {
            refusals.Add(DiagnosisRefused);
        }

        var (audit, refusedEvents) = await computations.ListAuditAsync(patient.UserId, submissionId, uid => uid == own.DoctorUid ? doctorKey : null, ct);
        if (refusedEvents > 0)
        {
            refusals.Add(AuditRefused);
        }
        return new PatientDiagnosticsView(submissionId, own.Summary.DoctorName, results, diagnosis, audit, refusals);
    }

    private async Task<ECDsa?> DoctorKeyAsync(string doctorUid, string fingerprint, CancellationToken ct)
    {
        try
        {
            var record = await keys.FindPublicAsync(doctorUid, ct);
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
            var numerator = patient.Keys.Paillier.Decrypt(value.Ciphertext);
            if (record.Kind == ComputationKind.Formula && catalog.TryGetFormula(record.Id, out var formula) && value.Scale == 0)
            {
                return DoctorWorkbench.Line(formula, new Rational(numerator, value.Denominator), record.At);
            }
            if (record.Kind == ComputationKind.Check && catalog.TryGetCheck(record.Id, out var check) && value.Scale == 0 && value.Denominator.IsOne)
            {
                var analyte = catalog.Labs.GetAnalyte(check.AnalyteId);
                var met = catalog.IntegerFormOf(check).IsMet(numerator);
                var condition = $"{analyte.Name} {check.Condition(analyte.Decimals)}{(analyte.UnitLabel == "%" ? "%" : " " + analyte.UnitLabel)}";
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
