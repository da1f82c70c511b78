using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Patient;

/// <summary>
/// The patient's optional context (<see cref="PatientContext"/>), kept at
/// <c>patients/{patientUid}/profile/context</c> sealed for the patient alone and signed by them.
/// </summary>
/// <remarks>
/// <code>
/// patients/{uid}/profile/context = { sealed: { v: 1, patientUid, at: unix ms,
///     envelope: SealedEnvelope for the patient of { sex?, born? }, sig } }   // signed by the patient
/// </code>
/// <para>Sex and age are medical metadata: nothing beside the envelope says what was given, and the
/// envelope is padded to one size, so an empty profile and a full one look alike. The signature
/// stops a store writer from planting a context the patient would then send to their doctor.</para>
/// </remarks>
public sealed class PatientProfiles(ITreeStore store, RecordSigner signer, TimeProvider clock)
{
    /// <summary>Record type the profile is signed as; also the envelope's purpose.</summary>
    public const string RecordType = "patient.profile-context";

    private const int FormatVersion = 1;

    /// <summary>Where a patient's context lives.</summary>
    public static string PathOf(string patientUid) => $"patients/{patientUid}/profile/context";

    /// <summary>Where every part of a patient's profile lives (what deleting the account removes).</summary>
    public static string RootOf(string patientUid) => $"patients/{patientUid}/profile";

    /// <summary>The patient's context; <see cref="PatientContext.None"/> when they never gave one.</summary>
    /// <exception cref="RecordTamperedException">The stored profile was altered, moved or is not this patient's.</exception>
    /// <exception cref="TreeStoreException">Storage failed.</exception>
    public async Task<PatientContext> ReadAsync(UnlockedKeys patient, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        if (await store.GetAsync(PathOf(patient.UserId), ct) is not JsonObject stored)
        {
            return PatientContext.None;
        }
        if (stored["sealed"] is not JsonObject record)
        {
            throw new RecordTamperedException();
        }
        signer.VerifyEmbedded(RecordType, record, patient.Keys.SigningKey);
        if (!(record["patientUid"] is JsonValue uid && uid.TryGetValue<string>(out var owner) && owner == patient.UserId)
            || !(record["v"] is JsonValue v && v.TryGetValue<int>(out var version) && version == FormatVersion))
        {
            throw new RecordTamperedException();
        }
        var content = EnvelopeReader.For(patient).Open(record["envelope"], RecordType, [patient.UserId]);
        return PatientContext.FromJson(content);
    }

    /// <summary>Seals and stores the patient's context (replacing the earlier one).</summary>
    /// <exception cref="TreeStoreException">Storage failed; the earlier context stays.</exception>
    public async Task SaveAsync(UnlockedKeys patient, PatientContext context, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(context);
        var envelope = SealedEnvelope.Seal(context.ToJson(), RecordType, [patient.UserId],
            new Dictionary<string, PaillierPublicKey> { [patient.UserId] = patient.Keys.PaillierPublicKey });
        var record = new JsonObject
        {
            ["v"] = FormatVersion,
            ["patientUid"] = patient.UserId,
            ["at"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            ["envelope"] = envelope,
        };
        signer.SignInto(RecordType, record, patient.Keys.SigningKey);
        await store.SetAsync(PathOf(patient.UserId), new JsonObject { ["sealed"] = record }, ct);
    }
}
