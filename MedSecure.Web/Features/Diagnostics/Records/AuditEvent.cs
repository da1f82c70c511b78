namespace MedSecure.Web.Features.Diagnostics.Records;

/// <summary>What a doctor's computation was: a formula's value or a threshold check's side.</summary>
public enum ComputationKind
{
    /// <summary>A diagnostic formula (a value with a band).</summary>
    Formula,

    /// <summary>A threshold check (a side of a cut-off).</summary>
    Check,
}

/// <summary>
/// One entry of the patient's log as the patient sees it: a decryption the doctor's session made
/// (who computed what on which submission, and when), or the diagnosis being sent. Signed by the
/// doctor and chained (<see cref="AuditChain"/>).
/// </summary>
/// <param name="EventId">Storage key under <c>audit/{patientUid}</c> (<c>{doctorUid}~{seq}</c>).</param>
/// <param name="Seq">Position in the (patient, doctor) chain.</param>
/// <param name="Entry">Computation or diagnosis.</param>
/// <param name="Kind">Formula or check (computations).</param>
/// <param name="ComputationId">Formula id (e.g. "map", "mean:ldl:3") or check id; empty for the diagnosis.</param>
/// <param name="Name">Its display name when recorded; empty for the diagnosis.</param>
/// <param name="SubmissionId">The submission the doctor was looking at.</param>
/// <param name="InputSubmissions">Every submission read, oldest first.</param>
/// <param name="DoctorUid">Who ran it.</param>
/// <param name="DoctorName">Their name when recorded.</param>
/// <param name="At">When.</param>
public sealed record AuditEvent(
    string EventId,
    long Seq,
    AuditEntryKind Entry,
    ComputationKind Kind,
    string ComputationId,
    string Name,
    string SubmissionId,
    IReadOnlyList<string> InputSubmissions,
    string DoctorUid,
    string DoctorName,
    DateTimeOffset At);

/// <summary>A computed result as shown to a doctor or a patient, already decrypted and interpreted.</summary>
/// <param name="Kind">Formula or check.</param>
/// <param name="Id">Formula or check id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Value">The formatted value with its unit ("93.3 mmHg"), or the check's condition ("≥ 6.5 %").</param>
/// <param name="Label">Band label, or the side of the cut-off.</param>
/// <param name="Sentence">Plain reading.</param>
/// <param name="Attention">True when the band or side calls for attention.</param>
/// <param name="ComputedAt">When the doctor computed it.</param>
public sealed record ResultLine(ComputationKind Kind, string Id, string Name, string Value, string Label, string Sentence, bool Attention, DateTimeOffset ComputedAt)
{
    /// <summary>Storage-safe key of the line within a submission, e.g. "formula~map".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => ComputationRecords.KeyOf(Kind, Id);
}
