using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>The three records one submission writes, ready for one atomic multi-path update.</summary>
/// <param name="SubmissionId">Id of the submission.</param>
/// <param name="PatientUid">Author.</param>
/// <param name="DoctorUid">Recipient.</param>
/// <param name="IdempotencyKey">The form's key.</param>
/// <param name="InboxEntry">For <c>inbox/{doctorUid}/{submissionId}</c>: doctor-key ciphertexts.</param>
/// <param name="HistoryEntry">For <c>patients/{patientUid}/submissions/{submissionId}</c>: patient-key ciphertexts.</param>
/// <param name="IdempotencyRecord">For <c>idempotency/{patientUid}/{key}</c>.</param>
public sealed record SealedSubmission(
    string SubmissionId,
    string PatientUid,
    string DoctorUid,
    string IdempotencyKey,
    JsonObject InboxEntry,
    JsonObject HistoryEntry,
    JsonObject IdempotencyRecord);

/// <summary>
/// Encrypts a submission's values twice (doctor's key for computation, patient's key for their own
/// history) and signs each copy with the patient's signing key. Plaintext values go no further than
/// this class: what it returns holds only ciphertexts and metadata.
/// </summary>
/// <remarks>
/// <para>Each stored entry has unsigned listing fields (so lists can be drawn without verifying
/// every record) and a <c>sealed</c> object signed with <see cref="RecordSigner.SignInto"/>:</para>
/// <code>
/// sealed = { v: 1, copy: "doctor" | "patient", submissionId, patientUid, patientName, doctorUid,
///            doctorName, doctorFingerprint, sentAt: unix ms, panels: { panelId: true },
///            values: { analyteId: { kid, c, s } }, sig }
/// </code>
/// <para>Values are <see cref="EncryptedFixedPoint.ToJson"/> objects: c = E(value·10^s) base64url,
/// kid = the Paillier key's fingerprint. The state lives outside <c>sealed</c> because the doctor's
/// side changes it; everything the patient vouches for is inside.</para>
/// </remarks>
public sealed class SubmissionSealer(RecordSigner signer)
{
    /// <summary>Record type the doctor's copy is signed as.</summary>
    public const string DoctorCopyType = "lab-submission.doctor-copy";

    /// <summary>Record type the patient's copy is signed as.</summary>
    public const string PatientCopyType = "lab-submission.patient-copy";

    /// <summary>Format version inside <c>sealed</c>.</summary>
    public const int FormatVersion = 1;

    /// <summary>Encrypts and signs <paramref name="draft"/>.</summary>
    /// <exception cref="RecordTamperedException">The doctor's published keys are malformed or do not match their fingerprint.</exception>
    /// <exception cref="ArgumentException">The keys are not the patient's, or there is nothing to send.</exception>
    public SealedSubmission Seal(SubmissionDraft draft, PublicKeyRecord doctorKeys, UnlockedKeys patient)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(doctorKeys);
        ArgumentNullException.ThrowIfNull(patient);
        if (patient.UserId != draft.PatientUid)
        {
            throw new ArgumentException("These keys belong to another account.", nameof(patient));
        }
        if (draft.Values.Count == 0)
        {
            throw new ArgumentException("A submission needs at least one value.", nameof(draft));
        }

        PaillierPublicKey doctorKey = doctorKeys.GetPaillierPublicKey();
        var doctorValues = new JsonObject();
        var patientValues = new JsonObject();
        foreach (var value in draft.Values)
        {
            doctorValues[value.AnalyteId] = JsonNode.Parse(doctorKey.EncryptDecimal(value.Value, value.Decimals).ToJson());
            // The private key encrypts with the CRT shortcut: same ciphertext distribution, faster.
            patientValues[value.AnalyteId] = JsonNode.Parse(patient.Keys.Paillier.EncryptDecimal(value.Value, value.Decimals).ToJson());
        }

        var sentAt = draft.SentAt.ToUnixTimeMilliseconds();
        var doctorCopy = SealedCopy(draft, "doctor", doctorKeys.Fingerprint, sentAt, doctorValues);
        // The bits of each value a threshold check reads, so the doctor's side can compare without learning
        // more than the side of the cut-off (see ComparisonBits); only this session knows the values.
        if (ComparisonBits.Build(draft.Values, doctorKey, FormulaCatalog.Standard) is { } comparisonBits)
        {
            doctorCopy[ComparisonBits.Field] = comparisonBits;
        }
        signer.SignInto(DoctorCopyType, doctorCopy, patient.Keys.SigningKey);
        var patientCopy = SealedCopy(draft, "patient", doctorKeys.Fingerprint, sentAt, patientValues);
        signer.SignInto(PatientCopyType, patientCopy, patient.Keys.SigningKey);

        var inbox = new JsonObject
        {
            ["patientUid"] = draft.PatientUid,
            ["patientName"] = draft.PatientName,
            ["sentAt"] = sentAt,
            ["panels"] = Panels(draft.PanelIds),
            ["state"] = StateName(SubmissionState.Sent),
            ["sealed"] = doctorCopy,
        };
        var history = new JsonObject
        {
            ["doctorUid"] = draft.DoctorUid,
            ["doctorName"] = draft.DoctorName,
            ["sentAt"] = sentAt,
            ["panels"] = Panels(draft.PanelIds),
            ["state"] = StateName(SubmissionState.Sent),
            ["sealed"] = patientCopy,
        };
        var idempotency = new JsonObject { ["submissionId"] = draft.SubmissionId, ["at"] = sentAt };
        return new SealedSubmission(draft.SubmissionId, draft.PatientUid, draft.DoctorUid, draft.IdempotencyKey, inbox, history, idempotency);
    }

    /// <summary>How a state is stored.</summary>
    public static string StateName(SubmissionState state) => state.ToString().ToLowerInvariant();

    private static JsonObject SealedCopy(SubmissionDraft draft, string copy, string doctorFingerprint, long sentAt, JsonObject values) => new()
    {
        ["v"] = FormatVersion,
        ["copy"] = copy,
        ["submissionId"] = draft.SubmissionId,
        ["patientUid"] = draft.PatientUid,
        ["patientName"] = draft.PatientName,
        ["doctorUid"] = draft.DoctorUid,
        ["doctorName"] = draft.DoctorName,
        ["doctorFingerprint"] = doctorFingerprint,
        ["sentAt"] = sentAt,
        ["panels"] = Panels(draft.PanelIds),
        ["values"] = values,
    };

    // Storage refuses arrays, so the panel list is an object; catalog order is restored on display.
    private static JsonObject Panels(IEnumerable<string> panelIds) =>
        new(panelIds.Distinct().Select(id => KeyValuePair.Create<string, JsonNode?>(id, true)));
}
