namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>Where a submission is in its life: the doctor's side moves it forward.</summary>
public enum SubmissionState
{
    /// <summary>Written to the doctor's inbox; not opened yet.</summary>
    Sent,
    /// <summary>The doctor opened it.</summary>
    Opened,
    /// <summary>The doctor wrote a diagnosis.</summary>
    Diagnosed,
}

/// <summary>One value as the patient entered it, already checked against the catalog.</summary>
/// <param name="AnalyteId">Catalog id of the analyte (a valid storage key).</param>
/// <param name="Value">The value, with at most <paramref name="Decimals"/> decimal places.</param>
/// <param name="Decimals">Fixed-point scale: the analyte's decimal places in the catalog.</param>
public sealed record LabValue(string AnalyteId, decimal Value, int Decimals);

/// <summary>Everything needed to seal one submission, before encryption.</summary>
/// <param name="SubmissionId">Derived from the form's idempotency key (<see cref="SubmissionIds"/>).</param>
/// <param name="IdempotencyKey">The key the form carried.</param>
/// <param name="PatientUid">Author.</param>
/// <param name="PatientName">Author's display name, shown in the doctor's inbox.</param>
/// <param name="DoctorUid">Recipient.</param>
/// <param name="DoctorName">Recipient's display name, shown in the patient's history.</param>
/// <param name="PanelIds">Catalog ids of the panels sent, in catalog order.</param>
/// <param name="Values">The values; at least one.</param>
/// <param name="SentAt">When the patient pressed send.</param>
/// <param name="Context">Optional sex at birth and year of birth, sealed inside both envelopes (never a clear field).</param>
public sealed record SubmissionDraft(
    string SubmissionId,
    string IdempotencyKey,
    string PatientUid,
    string PatientName,
    string DoctorUid,
    string DoctorName,
    IReadOnlyList<string> PanelIds,
    IReadOnlyList<LabValue> Values,
    DateTimeOffset SentAt,
    Patient.PatientContext? Context = null);

/// <summary>
/// A row of the patient's history list (unsigned clear listing fields only; nothing decrypted).
/// Which panels were sent is deliberately not here: it lives in the encrypted envelope.
/// </summary>
/// <param name="SubmissionId">Id, also the URL segment of its page.</param>
/// <param name="DoctorName">Recipient's name as recorded when sent.</param>
/// <param name="SentAt">When it was sent.</param>
/// <param name="State">Sent, opened or diagnosed.</param>
/// <param name="DoctorUid">Recipient's uid as listed (clear field; empty when unknown).</param>
public sealed record SubmissionSummary(string SubmissionId, string DoctorName, DateTimeOffset SentAt, SubmissionState State, string DoctorUid = "");

/// <summary>A patient's copy after its signature was checked and its values decrypted.</summary>
/// <param name="Summary">Listing fields, taken from the signed part where it has them.</param>
/// <param name="DoctorUid">Recipient.</param>
/// <param name="DoctorFingerprint">Fingerprint of the doctor keys it was encrypted for.</param>
/// <param name="PanelIds">Panels sent (from the envelope).</param>
/// <param name="Values">Decrypted values by analyte id.</param>
/// <param name="Context">The patient context sent with it (from the envelope); <see cref="Patient.PatientContext.None"/> when none was given.</param>
public sealed record OpenedSubmission(SubmissionSummary Summary, string DoctorUid, string DoctorFingerprint, IReadOnlyList<string> PanelIds, IReadOnlyDictionary<string, decimal> Values, Patient.PatientContext? Context = null);
