using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Directory;

/// <summary>What a patient's pin says about the doctor's fingerprint today.</summary>
public enum PinState
{
    /// <summary>First send to this doctor: nothing pinned yet.</summary>
    None,

    /// <summary>The pinned fingerprint is the one the doctor has now.</summary>
    Same,

    /// <summary>The doctor's fingerprint changed since the patient first sent to them.</summary>
    Changed,

    /// <summary>The stored pin does not verify with the patient's own key: it cannot be trusted either way.</summary>
    Unverifiable,
}

/// <summary>The outcome of checking a pin.</summary>
/// <param name="State">Same, changed, none yet, or unverifiable.</param>
/// <param name="PinnedFingerprint">The fingerprint pinned before, when the pin verified.</param>
public sealed record PinCheck(PinState State, string? PinnedFingerprint)
{
    /// <summary>True when the patient must confirm before anything is sent.</summary>
    public bool NeedsConfirmation => State is PinState.Changed or PinState.Unverifiable;
}

/// <summary>
/// Trust on first use for the doctors a patient sends to: the first send pins the doctor's
/// fingerprint at <c>pins/{patientUid}/{doctorUid}</c>, and a later change asks the patient to
/// confirm before sending. The pin lives in the untrusted store, so the patient signs it with
/// their own signing key and it is verified with the key from the patient's session, never from
/// the store; a pin that does not verify is treated as a change, never trusted.
/// </summary>
public sealed class DoctorPins(ITreeStore store, RecordSigner signer, TimeProvider clock)
{
    /// <summary>The record type a pin's signature names.</summary>
    public const string PinRecordType = "doctor-pin";

    /// <summary>Path of a patient's pin for a doctor.</summary>
    public static string PathOf(string patientUid, string doctorUid) => $"pins/{patientUid}/{doctorUid}";

    /// <summary>Compares <paramref name="doctor"/>'s fingerprint with the patient's pin.</summary>
    public async Task<PinCheck> CheckAsync(UnlockedKeys patient, DirectoryEntry doctor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(doctor);
        if (await store.GetAsync(PathOf(patient.UserId, doctor.Uid), ct) is not { } node)
        {
            return new PinCheck(PinState.None, null);
        }
        if (node is not JsonObject pin || !Verifies(pin, patient)
            || Text(pin, "patientUid") != patient.UserId || Text(pin, "doctorUid") != doctor.Uid
            || Text(pin, "fingerprint") is not { } pinned)
        {
            return new PinCheck(PinState.Unverifiable, null);
        }
        return new PinCheck(pinned == doctor.Fingerprint ? PinState.Same : PinState.Changed, pinned);
    }

    /// <summary>Pins (or re-pins, after the patient confirmed a change) the doctor's current fingerprint.</summary>
    public Task PinAsync(UnlockedKeys patient, DirectoryEntry doctor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(doctor);
        var pin = new JsonObject
        {
            ["patientUid"] = patient.UserId,
            ["doctorUid"] = doctor.Uid,
            ["fingerprint"] = doctor.Fingerprint,
            ["pinnedAt"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        signer.SignInto(PinRecordType, pin, patient.Keys.SigningKey);
        return store.SetAsync(PathOf(patient.UserId, doctor.Uid), pin, ct);
    }

    private bool Verifies(JsonObject pin, UnlockedKeys patient)
    {
        try
        {
            signer.VerifyEmbedded(PinRecordType, pin, patient.Keys.SigningKey);
            return true;
        }
        catch (RecordTamperedException)
        {
            return false;
        }
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
