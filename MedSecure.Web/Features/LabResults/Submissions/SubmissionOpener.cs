using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>
/// Checks a stored submission's signature and only then reads its ciphertexts. Paillier ciphertexts
/// are malleable: anyone with write access to storage could turn E(x) into E(x+k) without a key,
/// so nothing is decrypted or computed on before the signature holds.
/// </summary>
public sealed class SubmissionOpener(RecordSigner signer)
{
    /// <summary>Verifies the patient's own copy and decrypts it with the patient's key.</summary>
    /// <exception cref="RecordTamperedException">The record was altered, moved, or is not this patient's.</exception>
    public OpenedSubmission OpenPatientCopy(string submissionId, JsonObject historyEntry, UnlockedKeys patient)
    {
        ArgumentNullException.ThrowIfNull(historyEntry);
        ArgumentNullException.ThrowIfNull(patient);
        var sealedCopy = Verified(SubmissionSealer.PatientCopyType, "patient", submissionId, historyEntry, patient.Keys.SigningKey);
        if (Text(sealedCopy, "patientUid") != patient.UserId)
        {
            throw new RecordTamperedException();
        }

        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        try
        {
            foreach (var (analyteId, node) in ValuesOf(sealedCopy))
            {
                var encrypted = EncryptedFixedPoint.FromJson(patient.Keys.PaillierPublicKey, node.ToJsonString());
                values[analyteId] = patient.Keys.Paillier.DecryptDecimal(encrypted);
            }
        }
        catch (PaillierException ex)
        {
            // Signed, yet not decryptable with our key: treat as foreign, never show a guess.
            throw new RecordTamperedException(ex);
        }

        return new OpenedSubmission(
            SummaryOf(submissionId, sealedCopy, historyEntry),
            Text(sealedCopy, "doctorUid"),
            Text(sealedCopy, "doctorFingerprint"),
            values);
    }

    /// <summary>
    /// For the doctor's side: verifies an inbox entry against the patient's published verification
    /// key and returns its doctor-key ciphertexts by analyte id, for homomorphic computation.
    /// </summary>
    /// <exception cref="RecordTamperedException">The record was altered, moved, or is not for this doctor.</exception>
    public IReadOnlyDictionary<string, EncryptedFixedPoint> OpenDoctorCopy(string submissionId, string doctorUid, JsonObject inboxEntry, ECDsaVerification patient, PaillierPublicKey doctorKey)
    {
        ArgumentNullException.ThrowIfNull(inboxEntry);
        ArgumentNullException.ThrowIfNull(doctorKey);
        var sealedCopy = Verified(SubmissionSealer.DoctorCopyType, "doctor", submissionId, inboxEntry, patient.Key);
        if (Text(sealedCopy, "doctorUid") != doctorUid || Text(sealedCopy, "patientUid") != patient.PatientUid)
        {
            throw new RecordTamperedException();
        }
        try
        {
            return ValuesOf(sealedCopy).ToDictionary(v => v.Key, v => EncryptedFixedPoint.FromJson(doctorKey, v.Value.ToJsonString()), StringComparer.Ordinal);
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
    }

    /// <summary>
    /// For the doctor's side: verifies an inbox entry like <see cref="OpenDoctorCopy"/> and returns the
    /// encrypted bits of one analyte's value for threshold checks (<see cref="ComparisonBits"/>); null when the
    /// copy has none for it.
    /// </summary>
    /// <exception cref="RecordTamperedException">The record was altered, moved, or is not for this doctor.</exception>
    public EncryptedBits? OpenDoctorComparisonBits(string submissionId, string doctorUid, JsonObject inboxEntry, ECDsaVerification patient, PaillierPublicKey doctorKey, string analyteId, Catalog.LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(inboxEntry);
        ArgumentNullException.ThrowIfNull(patient);
        var sealedCopy = Verified(SubmissionSealer.DoctorCopyType, "doctor", submissionId, inboxEntry, patient.Key);
        if (Text(sealedCopy, "doctorUid") != doctorUid || Text(sealedCopy, "patientUid") != patient.PatientUid)
        {
            throw new RecordTamperedException();
        }
        return ComparisonBits.Read(sealedCopy, analyteId, doctorKey, labs);
    }

    /// <summary>The listing fields of an entry without verifying it (lists only; never for values).</summary>
    public static SubmissionSummary? SummaryOf(string submissionId, JsonNode? entry)
    {
        if (entry is not JsonObject o)
        {
            return null;
        }
        try
        {
            return new SubmissionSummary(
                submissionId,
                Text(o, "doctorName"),
                DateTimeOffset.FromUnixTimeMilliseconds(o["sentAt"]?.GetValue<long>() ?? 0),
                PanelIdsOf(o),
                ParseState(Text(o, "state")));
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private JsonObject Verified(string recordType, string copy, string submissionId, JsonObject entry, System.Security.Cryptography.ECDsa key)
    {
        if (entry["sealed"] is not JsonObject sealedCopy)
        {
            throw new RecordTamperedException();
        }
        signer.VerifyEmbedded(recordType, sealedCopy, key);
        // A valid signature on a record copied to another id, or the other copy, is still a forgery here.
        if (Text(sealedCopy, "submissionId") != submissionId || Text(sealedCopy, "copy") != copy
            || !(sealedCopy["v"] is JsonValue v && v.TryGetValue<int>(out var version) && version == SubmissionSealer.FormatVersion))
        {
            throw new RecordTamperedException();
        }
        return sealedCopy;
    }

    private static SubmissionSummary SummaryOf(string submissionId, JsonObject sealedCopy, JsonObject entry) => new(
        submissionId,
        Text(sealedCopy, "doctorName"),
        DateTimeOffset.FromUnixTimeMilliseconds(sealedCopy["sentAt"]!.GetValue<long>()),
        PanelIdsOf(sealedCopy),
        ParseState(entry["state"] is JsonValue s ? s.ToString() : ""));

    private static IEnumerable<KeyValuePair<string, JsonNode>> ValuesOf(JsonObject sealedCopy) =>
        (sealedCopy["values"] as JsonObject ?? throw new RecordTamperedException())
            .Select(v => KeyValuePair.Create(v.Key, v.Value ?? throw new RecordTamperedException()));

    private static List<string> PanelIdsOf(JsonObject o) => (o["panels"] as JsonObject)?.Select(p => p.Key).ToList() ?? [];

    private static SubmissionState ParseState(string state) =>
        Enum.TryParse<SubmissionState>(state, ignoreCase: true, out var parsed) ? parsed : SubmissionState.Sent;

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
}

/// <summary>A patient's verification key, paired with whose it is.</summary>
/// <param name="PatientUid">The patient the key was published for.</param>
/// <param name="Key">Their ECDSA P-256 verification key (<see cref="PublicKeyRecord.CreateVerificationKey"/>).</param>
public sealed record ECDsaVerification(string PatientUid, System.Security.Cryptography.ECDsa Key);
