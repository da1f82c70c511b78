using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
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
/// <param name="ForDoctor">Under the doctor's key: the result E(N); null for a check (its outcome lives in the doctor's sealed disclosure ledger, nothing blinded is stored).</param>
/// <param name="ForPatient">Under the patient's key: the result E(N), or the unblinded check E(Δ).</param>
public sealed record ComputationDraft(ComputationKind Kind, string Id, string Name, string SubmissionId, IReadOnlyList<string> InputSubmissions, EncryptedFixedPoint? ForDoctor, EncryptedFixedPoint ForPatient);

/// <summary>
/// Stores each computation a doctor runs, together with its audit event, in one atomic write:
/// <c>computations/{patientUid}/{submissionId}/{kind~id}</c> and <c>audit/{patientUid}/{eventId}</c>.
/// </summary>
/// <remarks>
/// <para>Both records are signed by the doctor (<see cref="RecordSigner.SignInto"/>):</para>
/// <code>
/// computation = { sealed: { v: 1, kind: "formula" | "check", id, submissionId, inputs: "id id …",
///                           patientUid, doctorUid, doctorName, at: unix ms,
///                           forDoctor: EncryptedFixedPoint, forPatient: EncryptedFixedPoint, sig } }
/// audit event = { submissionId, at, sealed: { v: 1, kind, id, name, submissionId, inputs,
///                 patientUid, doctorUid, doctorName, at, sig } }
/// </code>
/// <para>The write happens before the doctor's copy is decrypted, so no decryption goes unrecorded.</para>
/// </remarks>
public sealed class ComputationRecords(ITreeStore store, RecordSigner signer, TimeProvider clock)
{
    /// <summary>Record type a computation is signed as.</summary>
    public const string ComputationType = "diagnostics.computation";

    /// <summary>Record type an audit event is signed as.</summary>
    public const string AuditType = "diagnostics.audit-event";

    private const int FormatVersion = 1;
    private readonly PushIdGenerator _ids = new(clock);

    /// <summary>Path of a submission's computations.</summary>
    public static string ComputationsPath(string patientUid, string submissionId) => $"computations/{patientUid}/{submissionId}";

    /// <summary>Path of a patient's audit log.</summary>
    public static string AuditPath(string patientUid) => $"audit/{patientUid}";

    /// <summary>Storage key of a computation within its submission.</summary>
    public static string KeyOf(ComputationKind kind, string id) => $"{Name(kind)}~{id}";

    /// <summary>Signs and writes the computation and its audit event atomically; returns when it happened.</summary>
    public async Task<DateTimeOffset> RecordAsync(string patientUid, ComputationDraft draft, ActingDoctor doctor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(doctor);
        var at = clock.GetUtcNow();
        var ms = at.ToUnixTimeMilliseconds();
        var inputs = string.Join(' ', draft.InputSubmissions);
        var computation = new JsonObject
        {
            ["v"] = FormatVersion,
            ["kind"] = Name(draft.Kind),
            ["id"] = draft.Id,
            ["submissionId"] = draft.SubmissionId,
            ["inputs"] = inputs,
            ["patientUid"] = patientUid,
            ["doctorUid"] = doctor.Uid,
            ["doctorName"] = doctor.Name,
            ["at"] = ms,
            ["forPatient"] = JsonNode.Parse(draft.ForPatient.ToJson()),
        };
        if (draft.ForDoctor is { } forDoctor)
        {
            computation["forDoctor"] = JsonNode.Parse(forDoctor.ToJson());
        }
        signer.SignInto(ComputationType, computation, doctor.Keys.Keys.SigningKey);
        var audit = new JsonObject
        {
            ["v"] = FormatVersion,
            ["kind"] = Name(draft.Kind),
            ["id"] = draft.Id,
            ["name"] = draft.Name,
            ["submissionId"] = draft.SubmissionId,
            ["inputs"] = inputs,
            ["patientUid"] = patientUid,
            ["doctorUid"] = doctor.Uid,
            ["doctorName"] = doctor.Name,
            ["at"] = ms,
        };
        signer.SignInto(AuditType, audit, doctor.Keys.Keys.SigningKey);
        await store.UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            [$"{ComputationsPath(patientUid, draft.SubmissionId)}/{KeyOf(draft.Kind, draft.Id)}"] = new JsonObject { ["sealed"] = computation },
            [$"{AuditPath(patientUid)}/{_ids.Next()}"] = new JsonObject { ["submissionId"] = draft.SubmissionId, ["at"] = ms, ["sealed"] = audit },
        }, ct);
        return at;
    }

    /// <summary>Whether anything was computed on the submission (verified or not).</summary>
    public async Task<bool> AnyAsync(string patientUid, string submissionId, CancellationToken ct = default) =>
        await store.GetAsync(ComputationsPath(patientUid, submissionId), ct) is not null;

    /// <summary>
    /// A submission's computations, each verified against the doctor's key; one that fails is
    /// returned as <see cref="StoredComputation.Tampered"/> and nothing in it is usable.
    /// </summary>
    public async Task<IReadOnlyList<StoredComputation>> ListAsync(string patientUid, string submissionId, string doctorUid, System.Security.Cryptography.ECDsa doctorKey, CancellationToken ct = default)
    {
        var node = await store.GetAsync(ComputationsPath(patientUid, submissionId), ct) as JsonObject;
        if (node is null)
        {
            return [];
        }
        var list = new List<StoredComputation>();
        foreach (var (key, value) in node)
        {
            list.Add(Verify(key, value, patientUid, submissionId, doctorUid, doctorKey));
        }
        return list.OrderBy(c => c.At).ToList();
    }

    /// <summary>The patient's audit events for one submission, oldest first; events whose signature fails are left out and counted.</summary>
    public async Task<(IReadOnlyList<AuditEvent> Events, int Refused)> ListAuditAsync(string patientUid, string submissionId, Func<string, System.Security.Cryptography.ECDsa?> doctorKeyOf, CancellationToken ct = default)
    {
        var children = await store.QueryAsync(AuditPath(patientUid), TreeQuery.ByChild("submissionId") with { EqualTo = submissionId }, ct);
        var events = new List<AuditEvent>();
        var refused = 0;
        foreach (var (eventId, entry) in children)
        {
            if (entry["sealed"] is not JsonObject sealedEvent || doctorKeyOf(Text(sealedEvent, "doctorUid")) is not { } key
                || !signer.IsValid(AuditType, Unsigned(sealedEvent), Text(sealedEvent, RecordSigner.SignatureProperty), key)
                || Text(sealedEvent, "patientUid") != patientUid || Text(sealedEvent, "submissionId") != submissionId
                || !TryKind(Text(sealedEvent, "kind"), out var kind))
            {
                refused++;
                continue;
            }
            events.Add(new AuditEvent(eventId, kind, Text(sealedEvent, "id"), Text(sealedEvent, "name"), submissionId,
                Text(sealedEvent, "inputs").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                Text(sealedEvent, "doctorUid"), Text(sealedEvent, "doctorName"), At(sealedEvent)));
        }
        return (events.OrderBy(e => e.At).ThenBy(e => e.EventId, StringComparer.Ordinal).ToList(), refused);
    }

    private StoredComputation Verify(string key, JsonNode? value, string patientUid, string submissionId, string doctorUid, System.Security.Cryptography.ECDsa doctorKey)
    {
        if (value?["sealed"] is not JsonObject sealedRecord
            || !signer.IsValid(ComputationType, Unsigned(sealedRecord), Text(sealedRecord, RecordSigner.SignatureProperty), doctorKey)
            || Text(sealedRecord, "patientUid") != patientUid || Text(sealedRecord, "submissionId") != submissionId
            || Text(sealedRecord, "doctorUid") != doctorUid
            || !TryKind(Text(sealedRecord, "kind"), out var kind) || KeyOf(kind, Text(sealedRecord, "id")) != key)
        {
            return StoredComputation.Tampered(key);
        }
        return new StoredComputation(key, false, kind, Text(sealedRecord, "id"),
            Text(sealedRecord, "inputs").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            At(sealedRecord), sealedRecord["forDoctor"]?.ToJsonString() ?? "", sealedRecord["forPatient"]?.ToJsonString() ?? "");
    }

    private static JsonObject Unsigned(JsonObject record) =>
        new(record.Where(m => m.Key != RecordSigner.SignatureProperty).Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone())));

    private static string Name(ComputationKind kind) => kind == ComputationKind.Formula ? "formula" : "check";

    private static bool TryKind(string text, out ComputationKind kind)
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
/// <param name="Key">Storage key ("formula~map").</param>
/// <param name="IsTampered">The signature failed: show the plain message, read nothing.</param>
/// <param name="Kind">Formula or check.</param>
/// <param name="Id">Formula or check id.</param>
/// <param name="InputSubmissions">Submissions read.</param>
/// <param name="At">When computed.</param>
/// <param name="ForDoctorJson">The doctor's ciphertext.</param>
/// <param name="ForPatientJson">The patient's ciphertext.</param>
public sealed record StoredComputation(string Key, bool IsTampered, ComputationKind Kind, string Id, IReadOnlyList<string> InputSubmissions, DateTimeOffset At, string ForDoctorJson, string ForPatientJson)
{
    /// <summary>A record that failed verification.</summary>
    public static StoredComputation Tampered(string key) => new(key, true, ComputationKind.Formula, "", [], DateTimeOffset.MinValue, "", "");
}
