using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>A doctor's copy after its signature was checked and its envelope opened (ciphertexts only; nothing decrypted).</summary>
/// <param name="PanelIds">Panels sent, as the patient chose them.</param>
/// <param name="Values">Doctor-key ciphertexts by analyte id, for homomorphic computation.</param>
/// <param name="Content">The whole opened envelope content, for per-analyte fields other features add.</param>
public sealed record OpenedDoctorCopy(IReadOnlyList<string> PanelIds, IReadOnlyDictionary<string, EncryptedFixedPoint> Values, JsonObject Content)
{
    /// <summary>The patient context sent with the submission; <see cref="Patient.PatientContext.None"/> when none was given.</summary>
    public Patient.PatientContext Context => Patient.PatientContext.FromJson(Content[SubmissionSealer.ContextField]);
}

/// <summary>
/// Checks a stored submission's signature and only then opens its envelope and reads its
/// ciphertexts. Paillier ciphertexts are malleable: anyone with write access to storage could turn
/// E(x) into E(x+k) without a key, so nothing is decrypted or computed on before the signature holds.
/// </summary>
public sealed class SubmissionOpener(RecordSigner signer)
{
    /// <summary>Verifies the patient's own copy and decrypts it with the patient's key.</summary>
    /// <exception cref="RecordTamperedException">The record was altered, moved, or is not this patient's.</exception>
    public OpenedSubmission OpenPatientCopy(string submissionId, JsonObject historyEntry, UnlockedKeys patient)
    {
        var sealedCopy = VerifiedPatientCopy(submissionId, historyEntry, patient);
        var content = Opened(SubmissionSealer.PatientCopyType, sealedCopy, submissionId, EnvelopeReader.For(patient));

        // With the display envelope the ciphertexts are not parsed at all: only their analyte ids are compared.
        var values = sealedCopy[SubmissionSealer.DisplayField] is { } display
            ? DisplayedValues(display, sealedCopy, submissionId, patient, content["values"] as JsonObject ?? throw new RecordTamperedException())
            : DecryptedValues(ValuesOf(content, patient.Keys.PaillierPublicKey), patient);

        return new OpenedSubmission(
            SummaryOf(submissionId, sealedCopy, historyEntry),
            Text(sealedCopy, "doctorUid"),
            Text(sealedCopy, "doctorFingerprint"),
            PanelIdsOf(content),
            values,
            Patient.PatientContext.FromJson(content[SubmissionSealer.ContextField]));
    }

    // The patient-only envelope the sealer writes beside the Paillier values: one key to unwrap instead of a
    // decryption per value. Signed with the copy; it must name exactly the analytes the ciphertexts do.
    private static Dictionary<string, decimal> DisplayedValues(JsonNode display, JsonObject sealedCopy, string submissionId, UnlockedKeys patient, JsonObject encrypted)
    {
        var content = EnvelopeReader.For(patient).Open(display, SubmissionSealer.PatientDisplayType,
            SubmissionSealer.EnvelopeContext(Text(sealedCopy, "patientUid"), Text(sealedCopy, "doctorUid"), submissionId));
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (analyteId, node) in content["values"] as JsonObject ?? throw new RecordTamperedException())
        {
            if (node is not JsonValue text || !text.TryGetValue<string>(out var typed)
                || !decimal.TryParse(typed, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                throw new RecordTamperedException();
            }
            values[analyteId] = value;
        }
        if (values.Count != encrypted.Count || encrypted.Any(e => !values.ContainsKey(e.Key)))
        {
            throw new RecordTamperedException();
        }
        return values;
    }

    // Copies sealed before the display envelope: every value decrypted with the patient's key.
    private static Dictionary<string, decimal> DecryptedValues(List<KeyValuePair<string, EncryptedFixedPoint>> encrypted, UnlockedKeys patient)
    {
        var plain = new decimal[encrypted.Count];
        try
        {
            // A full panel is 31 decryptions of about 9 ms each at 3072 bits: both cores halve the wait for the page.
            Parallel.For(0, encrypted.Count, new ParallelOptions { MaxDegreeOfParallelism = encrypted.Count >= 8 ? 2 : 1 },
                i => plain[i] = patient.Keys.Paillier.DecryptDecimal(encrypted[i].Value));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is PaillierException))
        {
            // Signed, yet not decryptable with our key: treat as foreign, never show a guess.
            throw new RecordTamperedException(ex.InnerExceptions[0]);
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (int i = 0; i < encrypted.Count; i++)
        {
            values[encrypted[i].Key] = plain[i];
        }
        return values;
    }

    /// <summary>
    /// Verifies the patient's own copy (their signature, the submission id, whose it is) and returns its signed
    /// listing fields without opening the envelope or decrypting a value: for what is about a submission but
    /// not its values (the doctor it went to, when), where a full open would decrypt every value for nothing.
    /// </summary>
    /// <exception cref="RecordTamperedException">The record was altered, moved, or is not this patient's.</exception>
    public VerifiedPatientCopy VerifyPatientCopy(string submissionId, JsonObject historyEntry, UnlockedKeys patient)
    {
        var sealedCopy = VerifiedPatientCopy(submissionId, historyEntry, patient);
        return new VerifiedPatientCopy(SummaryOf(submissionId, sealedCopy, historyEntry), Text(sealedCopy, "doctorUid"), Text(sealedCopy, "doctorFingerprint"));
    }

    private JsonObject VerifiedPatientCopy(string submissionId, JsonObject historyEntry, UnlockedKeys patient)
    {
        ArgumentNullException.ThrowIfNull(historyEntry);
        ArgumentNullException.ThrowIfNull(patient);
        var sealedCopy = Verified(SubmissionSealer.PatientCopyType, "patient", submissionId, historyEntry, patient.Keys.SigningKey);
        if (Text(sealedCopy, "patientUid") != patient.UserId)
        {
            throw new RecordTamperedException();
        }
        return sealedCopy;
    }

    /// <summary>
    /// For the doctor's side: verifies the patient's copy against the patient's published
    /// verification key and opens its envelope with the doctor's key (it is sealed for both), to
    /// compute the patient's copy of a result on the patient-key ciphertexts. Decrypts no value.
    /// </summary>
    /// <exception cref="RecordTamperedException">Altered, moved, or not this patient's copy for this doctor.</exception>
    public IReadOnlyDictionary<string, EncryptedFixedPoint> OpenPatientCopyForDoctor(string submissionId, string doctorUid, JsonObject historyEntry, ECDsaVerification patient, PaillierPublicKey patientKey, EnvelopeReader doctor)
    {
        ArgumentNullException.ThrowIfNull(historyEntry);
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(doctor);
        var sealedCopy = Verified(SubmissionSealer.PatientCopyType, "patient", submissionId, historyEntry, patient.Key);
        if (doctor.ReaderId != doctorUid || Text(sealedCopy, "doctorUid") != doctorUid || Text(sealedCopy, "patientUid") != patient.PatientUid)
        {
            throw new RecordTamperedException();
        }
        var content = Opened(SubmissionSealer.PatientCopyType, sealedCopy, submissionId, doctor);
        return ValuesOf(content, patientKey).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// For the doctor's side: verifies an inbox entry against the patient's published verification
    /// key, opens its envelope with the doctor's key, and returns its panels and doctor-key
    /// ciphertexts, for homomorphic computation. Decrypts no value.
    /// </summary>
    /// <exception cref="RecordTamperedException">The record was altered, moved, or is not for this doctor.</exception>
    public OpenedDoctorCopy OpenDoctorCopy(string submissionId, string doctorUid, JsonObject inboxEntry, ECDsaVerification patient, EnvelopeReader doctor)
    {
        ArgumentNullException.ThrowIfNull(inboxEntry);
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(doctor);
        var sealedCopy = Verified(SubmissionSealer.DoctorCopyType, "doctor", submissionId, inboxEntry, patient.Key);
        if (doctor.ReaderId != doctorUid || Text(sealedCopy, "doctorUid") != doctorUid || Text(sealedCopy, "patientUid") != patient.PatientUid)
        {
            throw new RecordTamperedException();
        }
        var content = Opened(SubmissionSealer.DoctorCopyType, sealedCopy, submissionId, doctor);
        return new OpenedDoctorCopy(
            PanelIdsOf(content),
            ValuesOf(content, doctor.PublicKey).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal),
            content);
    }

    /// <summary>
    /// The listing fields of an entry without verifying or opening it (lists only; never for
    /// values). They are the clear fields: names, times, state; what was sent is not among them.
    /// </summary>
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
                ParseState(Text(o, "state")),
                Text(o, "doctorUid"));
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

    // The envelope is opened only after the signature over it held; its AAD repeats the record's
    // identity, so an envelope lifted from another submission fails here even if re-signed.
    private static JsonObject Opened(string purpose, JsonObject sealedCopy, string submissionId, EnvelopeReader reader) =>
        reader.Open(sealedCopy["envelope"], purpose,
            SubmissionSealer.EnvelopeContext(Text(sealedCopy, "patientUid"), Text(sealedCopy, "doctorUid"), submissionId));

    private static SubmissionSummary SummaryOf(string submissionId, JsonObject sealedCopy, JsonObject entry) => new(
        submissionId,
        Text(sealedCopy, "doctorName"),
        DateTimeOffset.FromUnixTimeMilliseconds(sealedCopy["sentAt"]!.GetValue<long>()),
        ParseState(entry["state"] is JsonValue s ? s.ToString() : ""),
        Text(sealedCopy, "doctorUid"));

    private static List<KeyValuePair<string, EncryptedFixedPoint>> ValuesOf(JsonObject content, PaillierPublicKey key) =>
        [.. PackedValues.Read(content, key)];

    private static List<string> PanelIdsOf(JsonObject content) =>
        (content["panels"] as JsonArray)?.Select(p => p is JsonValue v && v.TryGetValue<string>(out var id) ? id : throw new RecordTamperedException()).ToList()
            ?? throw new RecordTamperedException();

    private static SubmissionState ParseState(string state) =>
        Enum.TryParse<SubmissionState>(state, ignoreCase: true, out var parsed) ? parsed : SubmissionState.Sent;

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
}

/// <summary>The signed listing fields of a patient's own copy, verified but not opened.</summary>
/// <param name="Summary">Doctor, time and state, as signed (the state as stored).</param>
/// <param name="DoctorUid">The doctor it was sent to.</param>
/// <param name="DoctorFingerprint">The fingerprint of the doctor's key the patient encrypted to.</param>
public sealed record VerifiedPatientCopy(SubmissionSummary Summary, string DoctorUid, string DoctorFingerprint);

/// <summary>A patient's verification key, paired with whose it is.</summary>
/// <param name="PatientUid">The patient the key was published for.</param>
/// <param name="Key">Their ECDSA P-256 verification key (<see cref="PublicKeyRecord.CreateVerificationKey"/>).</param>
public sealed record ECDsaVerification(string PatientUid, System.Security.Cryptography.ECDsa Key);
