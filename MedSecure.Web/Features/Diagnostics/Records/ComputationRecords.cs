using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Diagnostics.Records;

/// <summary>The doctor who computes or diagnoses: uid, name and unlocked keys.</summary>
/// <param name="Uid">Doctor's uid.</param>
/// <param name="Name">Display name.</param>
/// <param name="Keys">Their unlocked keys (owned by the caller).</param>
public sealed record ActingDoctor(string Uid, string Name, UnlockedKeys Keys);

/// <summary>A computation ready to store: the doctor's copy, the patient's copy and what it was.</summary>
/// <param name="Kind">Formula or check.</param>
/// <param name="Id">Formula or check id.</param>
/// <param name="Name">Display name.</param>
/// <param name="SubmissionId">The submission the doctor was on.</param>
/// <param name="InputSubmissions">Every submission read, oldest first.</param>
/// <param name="ForDoctor">Under the doctor's key: the result E(N). Optional for checks, whose
/// outcome the doctor's side may keep elsewhere instead of a blinded ciphertext.</param>
/// <param name="ForPatient">Under the patient's key: the result E(N), or the unblinded check E(Δ).</param>
public sealed record ComputationDraft(ComputationKind Kind, string Id, string Name, string SubmissionId, IReadOnlyList<string> InputSubmissions, EncryptedFixedPoint? ForDoctor, EncryptedFixedPoint ForPatient);

/// <summary>
/// Stores each computation a doctor runs, together with its entry in the patient's hash-chained log
/// (<see cref="AuditChain"/>), in one atomic write: <c>computations/{patientUid}/{submissionId}/{doctorUid}~{seq}</c>
/// beside <c>audit/{patientUid}/{doctorUid}~{seq}</c>. The key says nothing about what was computed.
/// </summary>
/// <remarks>
/// <para>Signed by the doctor (<see cref="RecordSigner.SignInto"/>, type <see cref="ComputationType"/>):</para>
/// <code>
/// computation = { sealed: { v: 2, seq, patientUid, doctorUid, doctorName, submissionId, at: unix ms,
///                           about: SealedEnvelope{ kind, id, name, inputs } for patient and doctor,
///                           forDoctor?: EncryptedFixedPoint, forPatient: EncryptedFixedPoint, sig } }
/// </code>
/// <para>The log entry carries the SHA-256 of this signed object and the same envelope; the record
/// carries the entry's seq. Which formula or check ran, its name and its inputs exist only inside the
/// envelope. The write happens before the doctor's copy is decrypted, so no decryption goes unrecorded.</para>
/// </remarks>
public sealed class ComputationRecords(ITreeStore store, RecordSigner signer, AuditChain chain, MaskPools? masks = null)
{
    /// <summary>Record type a computation is signed as.</summary>
    public const string ComputationType = "diagnostics.computation";

    /// <summary>Envelope purpose of what a computation was.</summary>
    public const string AboutPurpose = "diagnostics.computation.about";

    private const int FormatVersion = 2;

    /// <summary>Path of a submission's computations.</summary>
    public static string ComputationsPath(string patientUid, string submissionId) => $"computations/{patientUid}/{submissionId}";

    /// <summary>What an envelope about a computation is bound to.</summary>
    public static IReadOnlyList<string> AboutContext(string patientUid, string doctorUid, string submissionId, long seq) =>
        [patientUid, doctorUid, submissionId, seq.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>Key of a result line on a page (e.g. "formula~map"); never a storage key.</summary>
    public static string KeyOf(ComputationKind kind, string id) => $"{Name(kind)}~{id}";

    /// <summary>Signs and writes the computation and its log entry atomically; returns when it happened.</summary>
    /// <param name="patientUid">Whose values.</param>
    /// <param name="patientKey">The patient's verified Paillier key (a reader of the envelope).</param>
    /// <param name="draft">What was computed.</param>
    /// <param name="doctor">Who computed it.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<DateTimeOffset> RecordAsync(string patientUid, PaillierPublicKey patientKey, ComputationDraft draft, ActingDoctor doctor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(doctor);
        ArgumentNullException.ThrowIfNull(patientKey);
        if (draft.ForDoctor is null && draft.Kind != ComputationKind.Check)
        {
            throw new ArgumentException("A formula's record keeps the doctor's copy of its result.", nameof(draft));
        }
        var (at, _) = await chain.AppendAsync(patientUid, draft.SubmissionId, AuditEntryKind.Computation, doctor, (seq, at) =>
        {
            var about = SealedEnvelope.Seal(new JsonObject
            {
                ["kind"] = Name(draft.Kind),
                ["id"] = draft.Id,
                ["name"] = draft.Name,
                ["inputs"] = string.Join(' ', draft.InputSubmissions),
            }, AboutPurpose, AboutContext(patientUid, doctor.Uid, draft.SubmissionId, seq), new Dictionary<string, PaillierPublicKey>
            {
                [patientUid] = patientKey,
                [doctor.Uid] = doctor.Keys.Keys.PaillierPublicKey,
            }, encryptor: masks?.EncryptorFor(doctor.Keys));
            var computation = new JsonObject
            {
                ["v"] = FormatVersion,
                ["seq"] = seq,
                ["patientUid"] = patientUid,
                ["doctorUid"] = doctor.Uid,
                ["doctorName"] = doctor.Name,
                ["submissionId"] = draft.SubmissionId,
                ["at"] = at.ToUnixTimeMilliseconds(),
                ["about"] = about.DeepClone(),
                ["forPatient"] = JsonNode.Parse(draft.ForPatient.ToJson()),
            };
            if (draft.ForDoctor is not null)
            {
                computation["forDoctor"] = JsonNode.Parse(draft.ForDoctor.ToJson());
            }
            signer.SignInto(ComputationType, computation, doctor.Keys.Keys.SigningKey);
            return new ChainedRecord($"{ComputationsPath(patientUid, draft.SubmissionId)}/{AuditChain.EntryId(doctor.Uid, seq)}",
                new JsonObject { ["sealed"] = computation }, seq, about);
        }, ct);
        return at;
    }

    /// <summary>Whether anything was computed on the submission (verified or not).</summary>
    public async Task<bool> AnyAsync(string patientUid, string submissionId, CancellationToken ct = default) =>
        await store.GetAsync(ComputationsPath(patientUid, submissionId), ct) is not null;

    /// <summary>
    /// A submission's computations in log order, each verified against the doctor's key and its
    /// description opened by the reader (the patient or the doctor); one that fails is returned as
    /// <see cref="StoredComputation.Tampered"/> and nothing in it is usable.
    /// </summary>
    public async Task<IReadOnlyList<StoredComputation>> ListAsync(string patientUid, string submissionId, string doctorUid, System.Security.Cryptography.ECDsa doctorKey, EnvelopeReader reader, CancellationToken ct = default)
    {
        var node = await store.GetAsync(ComputationsPath(patientUid, submissionId), ct) as JsonObject;
        if (node is null)
        {
            return [];
        }
        var list = new List<StoredComputation>();
        foreach (var (key, value) in node)
        {
            list.Add(Verify(key, value, patientUid, submissionId, doctorUid, doctorKey, reader));
        }
        return list.OrderBy(c => c.Seq).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>The latest record of each formula or check (a check may be run again), in log order.</summary>
    public static IReadOnlyList<StoredComputation> Latest(IEnumerable<StoredComputation> records) =>
        records.Where(r => !r.IsTampered).GroupBy(r => KeyOf(r.Kind, r.Id)).Select(g => g.MaxBy(r => r.Seq)!)
            .Concat(records.Where(r => r.IsTampered)).OrderBy(r => r.Seq).ToList();

    private StoredComputation Verify(string key, JsonNode? value, string patientUid, string submissionId, string doctorUid, System.Security.Cryptography.ECDsa doctorKey, EnvelopeReader reader)
    {
        if (value?["sealed"] is not JsonObject sealedRecord
            || !signer.IsValid(ComputationType, AuditChain.Unsigned(sealedRecord), Text(sealedRecord, RecordSigner.SignatureProperty), doctorKey)
            || sealedRecord["v"] is not JsonValue v || !v.TryGetValue<int>(out var version) || version != FormatVersion
            || Text(sealedRecord, "patientUid") != patientUid || Text(sealedRecord, "submissionId") != submissionId
            || Text(sealedRecord, "doctorUid") != doctorUid
            || sealedRecord["seq"] is not JsonValue s || !s.TryGetValue<long>(out var seq) || AuditChain.EntryId(doctorUid, seq) != key)
        {
            return StoredComputation.Tampered(key);
        }
        JsonObject about;
        try
        {
            about = reader.Open(sealedRecord["about"], AboutPurpose, AboutContext(patientUid, doctorUid, submissionId, seq));
        }
        catch (RecordTamperedException)
        {
            return StoredComputation.Tampered(key);
        }
        if (!TryKind(Text(about, "kind"), out var kind))
        {
            return StoredComputation.Tampered(key);
        }
        return new StoredComputation(key, false, kind, Text(about, "id"), Text(about, "name"),
            Text(about, "inputs").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            At(sealedRecord), seq, AuditChain.HashOf(sealedRecord),
            sealedRecord["forDoctor"]?.ToJsonString(), sealedRecord["forPatient"]?.ToJsonString() ?? "");
    }

    internal static string Name(ComputationKind kind) => kind == ComputationKind.Formula ? "formula" : "check";

    internal static bool TryKind(string text, out ComputationKind kind)
    {
        kind = text == "check" ? ComputationKind.Check : ComputationKind.Formula;
        return text is "formula" or "check";
    }

    private static DateTimeOffset At(JsonObject o) =>
        o["at"] is JsonValue v && v.TryGetValue<long>(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.MinValue;

    internal static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
}

/// <summary>A stored computation after its signature check; the ciphertexts are kept as JSON until a key reads them.</summary>
/// <param name="Key">Storage key (<c>{doctorUid}~{seq}</c>).</param>
/// <param name="IsTampered">The signature or envelope failed: show the plain message, read nothing.</param>
/// <param name="Kind">Formula or check.</param>
/// <param name="Id">Formula or check id.</param>
/// <param name="Name">Its display name when recorded.</param>
/// <param name="InputSubmissions">Submissions read.</param>
/// <param name="At">When computed.</param>
/// <param name="Seq">Its entry's position in the log.</param>
/// <param name="Hash">SHA-256 of its signed form, as its log entry must name it.</param>
/// <param name="ForDoctorJson">The doctor's ciphertext; null for a check that stores none.</param>
/// <param name="ForPatientJson">The patient's ciphertext.</param>
public sealed record StoredComputation(string Key, bool IsTampered, ComputationKind Kind, string Id, string Name, IReadOnlyList<string> InputSubmissions, DateTimeOffset At, long Seq, string Hash, string? ForDoctorJson, string ForPatientJson)
{
    /// <summary>A record that failed verification.</summary>
    public static StoredComputation Tampered(string key) => new(key, true, ComputationKind.Formula, "", "", [], DateTimeOffset.MinValue, 0, "", null, "");
}
